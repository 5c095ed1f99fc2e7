/* long double (x86_fp80) under gorc run: arithmetic, every comparison
 * with NaNs among the operands, conversions at the edges (2^63, 2^64,
 * -0.0, huge and tiny values), long doubles passed to and returned from
 * functions (fixed and variadic, in structs passed by value and returned
 * through memory), a global array, phis and selects in loops, sqrtl,
 * fabsl, floorl, fmodl and strtold, printed with %Lf, %Le, %La and %Lg. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long double table[8] = {0.0L, -0.0L, 1.0L, -1.5L, 1e300L, 1e-300L, 3.14159265358979323846264338327950288L, 18446744073709551615.0L};
static const long double consts[] = {LDBL_MAX, LDBL_MIN, LDBL_EPSILON, 0x1p63L, 0x1p64L, -0x1p63L};

struct pair { long double a, b; };
struct tagged { int tag; long double v; char name[8]; };

/* Inputs through a volatile so that clang folds nothing at -O2. */
static volatile long double vin[16];

__attribute__((noinline)) long double add3(long double a, long double b, long double c) { return a + b + c; }
__attribute__((noinline)) long double mixed(int i, double d, long double x, float f, long double y, long long k) {
	return i * x + d - y * f + k;
}
__attribute__((noinline)) struct pair swap(struct pair p) { return (struct pair){p.b, p.a}; }
__attribute__((noinline)) long double tagged_value(struct tagged t) { return t.v * t.tag; }
__attribute__((noinline)) struct tagged make_tagged(int tag, long double v) {
	struct tagged t = {tag, v, "tag"};
	t.name[3] = '0' + tag;
	return t;
}

static long double sum(int n, ...) {
	va_list ap;
	va_start(ap, n);
	long double s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, long double);
	va_end(ap);
	return s;
}

/* Mixed variadic arguments: ints, doubles and long doubles interleaved
 * past the register save area. */
static long double mix(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	long double s = 0;
	for (const char *p = fmt; *p; p++) {
		switch (*p) {
		case 'i': s += va_arg(ap, int); break;
		case 'd': s += va_arg(ap, double); break;
		case 'L': s += va_arg(ap, long double); break;
		}
	}
	va_end(ap);
	return s;
}

static void show(const char *what, long double x) {
	printf("%-10s %.21Lg %La %Le %Lf\n", what, x, x, x, x);
}

static void compares(long double a, long double b) {
	printf("cmp %Lg %Lg: %d%d%d%d%d%d %d%d\n", a, b, a == b, a != b, a < b, a <= b, a > b, a >= b,
	       isunordered(a, b), isless(a, b) || isgreater(a, b));
}

int main(int argc, char **argv) {
	(void)argv;
	for (int i = 0; i < 8; i++)
		vin[i] = table[i] * (argc > 5 ? 2 : 1);
	vin[8] = NAN;
	vin[9] = INFINITY;
	vin[10] = 0x1p63L;
	vin[11] = 0x1p64L - 1;
	vin[12] = 1.0L / 3;
	vin[13] = -7.75L;
	vin[14] = 1e4000L;
	vin[15] = 0x1p-16440L; /* denormal */
	long double third = vin[12], neg = vin[13];

	/* Arithmetic, each rounded to 64 bits of significand. */
	show("add", third + neg);
	show("sub", third - neg);
	show("mul", third * neg);
	show("div", neg / third);
	show("rem", fmodl(neg, third));
	show("remop", vin[4] - 1e299L * (long long)(vin[4] / 1e299L));
	show("neg", -third);
	show("negzero", -vin[0]);
	show("huge", vin[14] * vin[14]);
	show("tiny", vin[15] / 3);
	show("inf-inf", vin[9] - vin[9]);
	for (int i = 0; i < 8; i++)
		show("table", vin[i]);
	for (size_t i = 0; i < sizeof consts / sizeof consts[0]; i++)
		show("const", consts[i]);

	/* Compares, ordered and unordered. */
	compares(third, neg);
	compares(neg, third);
	compares(third, third);
	compares(vin[0], vin[1]);
	compares(vin[8], third);
	compares(third, vin[8]);
	compares(vin[8], vin[8]);
	compares(vin[9], vin[14]);
	printf("isnan %d %d isinf %d %d isfinite %d %d\n", isnan(vin[8]), isnan(third), vin[9] == INFINITY, fabsl(third) == INFINITY, isfinite(vin[14] * vin[14]), isfinite(third));

	/* Conversions. */
	for (int i = 0; i < 16; i++) {
		long double x = vin[i];
		double d = (double)x;
		float f = (float)x;
		printf("conv %d: %.17g %.9g", i, d, f);
		if (x > -0x1p63L && x < 0x1p63L)
			printf(" s64 %lld s32 %d s16 %d s8 %d", (long long)x, (int)(x / 1e290L), (short)(x / 1e296L), (signed char)(x / 1e298L));
		if (x >= 0 && x < 0x1p64L)
			printf(" u64 %llu u32 %u", (unsigned long long)x, (unsigned)(x / 1e290L));
		printf("\n");
	}
	unsigned long long us[] = {0, 1, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x8000000000000001ULL, 0xffffffffffffffffULL, 0xfffffffffffff800ULL, 12345678901234567890ULL};
	long long ss[] = {0, -1, INT64_MIN, INT64_MAX, -1234567890123456789LL};
	for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
		volatile unsigned long long u = us[i];
		long double x = u;
		printf("u64 %llu -> %.21Lg -> %llu\n", u, x, (unsigned long long)x);
	}
	for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
		volatile long long s = ss[i];
		long double x = s;
		printf("s64 %lld -> %.21Lg -> %lld\n", s, x, (long long)x);
	}
	volatile unsigned u32 = 4294967295u;
	volatile unsigned short u16 = 65535;
	volatile signed char s8 = -128;
	volatile _Bool b = 1;
	printf("small %.21Lg %.21Lg %.21Lg %.21Lg\n", (long double)u32, (long double)u16, (long double)s8, (long double)b);
	volatile float fx = 0.1f;
	volatile double dx = 0.1;
	printf("ext %.21Lg %.21Lg %.21Lg\n", (long double)fx, (long double)dx, (long double)fx - (long double)dx);
	printf("trunc %.17g %.9g\n", (double)(vin[12] * 3), (float)(vin[11]));

	/* Calls. */
	show("add3", add3(third, neg, vin[2]));
	show("mixed", mixed(3, 0.25, third, 2.5f, neg, -40));
	struct pair p = swap((struct pair){third, neg});
	show("swap.a", p.a);
	show("swap.b", p.b);
	show("tagged", tagged_value(make_tagged(3, neg)));
	struct tagged t = make_tagged(7, third);
	printf("tagged %d %s %Lg\n", t.tag, t.name, t.v);
	show("sum", sum(5, third, neg, vin[2], vin[3], vin[4]));
	show("sum0", sum(0));
	show("mix", mix("iLdLiLdL", 1, third, 2.5, neg, 3, vin[3], 0.125, vin[5]));

	/* Loops: phis of long double, a select, an accumulator. */
	long double acc = 0, prod = 1, best = -INFINITY;
	for (int i = 1; i <= 30; i++) {
		long double term = 1.0L / ((long double)i * i);
		acc += term;
		prod *= 1 + term;
		best = term > best / 2 ? term : best;
	}
	show("acc", acc);
	show("prod", prod);
	show("best", best);
	long double a = vin[2], c = vin[3];
	for (int i = 0; i < 5; i++) { /* swap through phis */
		long double tmp = a;
		a = c + i;
		c = tmp;
	}
	show("swapa", a);
	show("swapc", c);

	/* libm and libc. */
	show("sqrtl", sqrtl(vin[2] * 2));
	show("fabsl", fabsl(neg));
	show("floorl", floorl(neg));
	show("ceill", ceill(neg));
	show("copysignl", copysignl(third, neg));
	show("strtold", strtold("2.718281828459045235360287471352662497757", NULL));
	show("strtold2", strtold("-0x1.fffffffffffffffep16383", NULL));
	char buf[64];
	snprintf(buf, sizeof buf, "%.25Lg", third);
	printf("snprintf %s %d\n", buf, strtold(buf, NULL) == third);
	long double *heap = malloc(4 * sizeof *heap);
	for (int i = 0; i < 4; i++)
		heap[i] = vin[i + 2] / 7;
	show("heap", heap[0] + heap[1] + heap[2] + heap[3]);
	free(heap);
	return (int)(acc * 10);
}
