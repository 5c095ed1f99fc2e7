/* small.c: seed object for FuzzELFObject.
   gcc -O1 -c small.c -o small-pie.o
   gcc -O2 -fPIC -ffunction-sections -c small.c -o small-pic.o
   gcc -O0 -mcmodel=large -c small.c -o small-large.o */
#include <stdio.h>
extern int ext;
__thread int tl = 1;
static const char *msg = "hello";
int counter;
__attribute__((weak)) int wk(void) { return 1; }
__attribute__((constructor)) static void init(void) { counter = 2; }
int f(int x) { printf("%s %d\n", msg, x + ext + tl); return wk() + counter; }
