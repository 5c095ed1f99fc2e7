#include <stdio.h>
#include <stdlib.h>
static void q(void) { printf("quick handler\n"); fflush(stdout); }
static void a(void) { printf("atexit (must not run)\n"); }
int main(void) { at_quick_exit(q); atexit(a); printf("before\n"); quick_exit(9); }
