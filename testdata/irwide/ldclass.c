/* long double classification (isinf, isnan, signbit, fpclassify,
   isfinite, isnormal on x86_fp80 go through i80 bitcasts), self-checking against printed values. */
#include <stdio.h>
#include <math.h>
#include <float.h>

static const char *cls(int c) {
	switch (c) {
	case FP_NAN: return "nan";
	case FP_INFINITE: return "inf";
	case FP_ZERO: return "zero";
	case FP_SUBNORMAL: return "subnormal";
	case FP_NORMAL: return "normal";
	}
	return "?";
}

int main(void) {
	volatile long double zero = 0.0L;
	long double vals[] = {0.0L, -0.0L, 1.0L, -2.5L, LDBL_MAX, -LDBL_MAX, LDBL_MIN, LDBL_MIN / 4, -LDBL_MIN / 1024,
		1.0L / zero, -1.0L / zero, zero / zero, 1e4000L, -3.25e-4000L};
	int n = (int)(sizeof vals / sizeof vals[0]);
	unsigned bits = 0;
	for (int i = 0; i < n; i++) {
		long double v = vals[i];
		printf("%2d %-9s inf=%d nan=%d sign=%d fin=%d norm=%d\n", i, cls(fpclassify(v)), isinf(v) != 0, isnan(v) != 0,
			signbit(v) != 0, isfinite(v) != 0, isnormal(v) != 0);
		bits = bits * 7 + (unsigned)(isinf(v) != 0) + 2u * (signbit(v) != 0);
	}
	printf("bits %u\n", bits);
	/* the same through memory and arithmetic */
	long double acc = 1.0L;
	int k = 0;
	while (!isinf(acc)) {
		acc *= 1e300L;
		k++;
	}
	long double t = 1.0L;
	int m = 0;
	while (fpclassify(t) != FP_ZERO) {
		t /= 1e3L;
		m += fpclassify(t) == FP_SUBNORMAL;
	}
	printf("overflow after %d, %d subnormal steps\n", k, m);
	return 0;
}
