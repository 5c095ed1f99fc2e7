#include "multi.h"

int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }

long sum_table(void) {
	long s = 0;
	for (int i = 0; i < 8; i++)
		s += table[i] * fib(i);
	return s;
}
