const char *greeting_b(void) { return "hello from a shared literal"; }
const char *suffix_b(void) { return "literal"; }
double scale_b(double x) { return x * 1.0625 + 0.1; }
