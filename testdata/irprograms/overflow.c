/* The overflow builtins on every width and signedness, at the edges,
   and in the loops they guard (factorials, checked sums, parsing). */
#include <limits.h>
#include <stdio.h>
#include <stdint.h>

static int checked_fact(int n, long *out) {
	long r = 1;
	for (int i = 2; i <= n; i++)
		if (__builtin_mul_overflow(r, i, &r))
			return 0;
	*out = r;
	return 1;
}

static int parse_u32(const char *s, unsigned *out) {
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, (unsigned)(*s - '0'), &v))
			return 0;
	}
	*out = v;
	return 1;
}

#define SHOW(T, fmt, op, a, b)                                          \
	do {                                                            \
		T r;                                                    \
		int o = __builtin_##op##_overflow((T)(a), (T)(b), &r); \
		printf(#T " " #op " " fmt " " fmt " -> " fmt " %d\n", (T)(a), (T)(b), r, o); \
	} while (0)

int main(void) {
	SHOW(int, "%d", add, INT_MAX, 1);
	SHOW(int, "%d", add, INT_MIN, -1);
	SHOW(int, "%d", sub, INT_MIN, 1);
	SHOW(int, "%d", sub, 0, INT_MIN);
	SHOW(int, "%d", mul, 65536, 32768);
	SHOW(int, "%d", mul, -46341, 46341);
	SHOW(int, "%d", mul, -1, INT_MIN);
	SHOW(unsigned, "%u", add, UINT_MAX, 1);
	SHOW(unsigned, "%u", sub, 1, 2);
	SHOW(unsigned, "%u", mul, 65536, 65536);
	SHOW(unsigned, "%u", mul, 65535, 65537);
	SHOW(long, "%ld", add, LONG_MAX, 1);
	SHOW(long, "%ld", sub, LONG_MIN, 1);
	SHOW(long, "%ld", mul, LONG_MIN, -1);
	SHOW(long, "%ld", mul, -1, LONG_MIN);
	SHOW(long, "%ld", mul, 3037000500L, 3037000500L);
	SHOW(long, "%ld", mul, -3037000499L, 3037000499L);
	SHOW(long, "%ld", mul, 0, LONG_MIN);
	SHOW(unsigned long, "%lu", add, ULONG_MAX, 2);
	SHOW(unsigned long, "%lu", sub, 5, 6);
	SHOW(unsigned long, "%lu", mul, 4294967296UL, 4294967296UL);
	SHOW(unsigned long, "%lu", mul, 4294967295UL, 4294967297UL);
	SHOW(short, "%hd", add, SHRT_MAX, 1);
	SHOW(short, "%hd", mul, 200, 200);
	SHOW(unsigned char, "%hhu", add, 200, 100);
	SHOW(signed char, "%hhd", sub, -100, 100);
	long f;
	for (int n = 18; n <= 22; n++)
		if (checked_fact(n, &f))
			printf("%d! = %ld\n", n, f);
		else
			printf("%d! overflows\n", n);
	const char *nums[] = {"0", "4294967295", "4294967296", "12345678901", "99x", "65536"};
	unsigned v;
	int ok = 0;
	for (int i = 0; i < 6; i++) {
		int r = parse_u32(nums[i], &v);
		ok += r;
		printf("%s -> %s %u\n", nums[i], r ? "ok" : "bad", r ? v : 0);
	}
	int64_t acc = 0;
	int64_t xs[] = {INT64_MAX / 2, INT64_MAX / 2, 1, 1, -5};
	for (int i = 0; i < 5; i++)
		if (__builtin_add_overflow(acc, xs[i], &acc)) {
			printf("sum overflowed at %d\n", i);
			break;
		}
	printf("acc %lld\n", (long long)acc);
	return ok;
}
