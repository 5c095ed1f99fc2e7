// interp: a small stack-machine interpreter: switch jump tables, a program
// in read-only data, recursion through an explicit call stack.
#include <stdio.h>
#include "vm.h"

static const int prog[] = {
    /* compute sum of fib(i) for i in 0..19 iteratively and factorial 10 */
    PUSH, 0, STORE, 0, /* i = 0 */
    PUSH, 0, STORE, 1, /* acc = 0 */
    /* loop: */
    LOAD, 0, PUSH, 20, LT, JZ, 32,
    LOAD, 1, LOAD, 0, FIB, ADD, STORE, 1,
    LOAD, 0, PUSH, 1, ADD, STORE, 0, JMP, 8,
    /* 32: */
    LOAD, 1, PRINT, PUSH, 10, FACT, PRINT, HALT};

int main(void) {
	int steps = run(prog, sizeof prog / sizeof prog[0]);
	printf("steps=%d\n", steps);
	return 0;
}
