const char *greeting_a(void) { return "greeting from a: literal"; }
