int c = 5;
int f(void) { return 3; }
