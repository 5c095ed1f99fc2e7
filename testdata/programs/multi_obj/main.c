// multi_obj: three objects calling each other, including mutual recursion
// across object boundaries.
#include <stdio.h>
#include "multi.h"

int main(void) {
	printf("fib(20)=%ld\n", fib(20));
	printf("gcd(1071,462)=%d\n", gcd(1071, 462));
	for (int i = 0; i < 5; i++)
		printf("%d even=%d odd=%d\n", i * 7, is_even(i * 7), is_odd(i * 7));
	printf("sum=%ld\n", sum_table());
	return 0;
}
