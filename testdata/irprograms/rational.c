/* Rationals as { long, long } by value; continued fractions of sqrt(2)
   and a harmonic sum with overflow checks. */
#include <stdio.h>

typedef struct { long n, d; } rat;

static long gcd(long a, long b) {
	if (a < 0) a = -a;
	if (b < 0) b = -b;
	while (b) { long t = a % b; a = b; b = t; }
	return a;
}
static rat mk(long n, long d) {
	if (d < 0) { n = -n; d = -d; }
	long g = gcd(n, d);
	return g ? (rat){n / g, d / g} : (rat){0, 1};
}
static int add(rat a, rat b, rat *out) {
	long x, y, z, w;
	if (__builtin_mul_overflow(a.n, b.d, &x) || __builtin_mul_overflow(b.n, a.d, &y) ||
	    __builtin_add_overflow(x, y, &z) || __builtin_mul_overflow(a.d, b.d, &w))
		return 0;
	*out = mk(z, w);
	return 1;
}
static rat inv(rat a) { return mk(a.d, a.n); }

int main(void) {
	rat x = mk(1, 1);
	for (int i = 0; i < 12; i++) {
		rat t;
		add(mk(1, 1), inv(x), &t);
		x = t;
		printf("sqrt2 ~ %ld/%ld = %.12f\n", x.n, x.d, (double)x.n / x.d);
	}
	rat h = mk(0, 1);
	int k;
	for (k = 1; k < 100; k++) {
		rat t;
		if (!add(h, mk(1, k), &t))
			break;
		h = t;
	}
	printf("H(%d) = %ld/%ld\n", k - 1, h.n, h.d);
	return k;
}
