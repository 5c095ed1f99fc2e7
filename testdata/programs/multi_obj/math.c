#include "multi.h"

long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }

int table[8] = {1, 1, 2, 3, 5, 8, 13, 21};
