/* C twin of fib40.k (same algorithm, doubles), a peer for code speed. */
#include <stdio.h>

static double fib(double x) { return (x < 3) ? 1 : fib(x - 1) + fib(x - 2); }

int main(void) {
	printf("Evaluated to %f\n", fib(40));
	return 0;
}
