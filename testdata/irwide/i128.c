/* 128-bit integers: a wyhash-like mix, a mum-hash step, a 128-bit
   fixed-point square root and a big-integer factorial, division and
   remainder through libgcc, shifts and compares, self-checking. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 s128;

static uint64_t wymix(uint64_t a, uint64_t b) {
	u128 r = (u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static uint64_t wyhash(const unsigned char *p, size_t n, uint64_t seed) {
	uint64_t s = seed ^ 0xa0761d6478bd642full;
	while (n >= 16) {
		uint64_t a, b;
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		s = wymix(a ^ 0xe7037ed1a0b428dbull, b ^ s);
		p += 16;
		n -= 16;
	}
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t = t << 8 | p[i];
	return wymix(s ^ 0x8ebc6af09c88c6e3ull, t ^ n);
}

typedef struct { uint64_t lo, hi; } pair;

__attribute__((noinline)) static u128 mul128(u128 a, u128 b) { return a * b; }
__attribute__((noinline)) static s128 sdiv128(s128 a, s128 b) { return a / b; }
__attribute__((noinline)) static s128 smod128(s128 a, s128 b) { return a % b; }
__attribute__((noinline)) static u128 udiv128(u128 a, u128 b) { return a / b; }
__attribute__((noinline)) static u128 umod128(u128 a, u128 b) { return a % b; }
__attribute__((noinline)) static u128 shl128(u128 a, unsigned s) { return a << s; }
__attribute__((noinline)) static u128 shr128(u128 a, unsigned s) { return a >> s; }
__attribute__((noinline)) static s128 sar128(s128 a, unsigned s) { return a >> s; }
__attribute__((noinline)) static int cmp128(s128 a, s128 b) { return (a < b) - (a > b) + 4 * ((u128)a < (u128)b) + 16 * (a == b); }
__attribute__((noinline)) static pair topair(u128 x) { pair p; memcpy(&p, &x, 16); return p; }
__attribute__((noinline)) static u128 frompair(pair p) { u128 x; memcpy(&x, &p, 16); return x; }

static void put128(const char *name, u128 x) {
	printf("%s %016llx%016llx\n", name, (unsigned long long)(x >> 64), (unsigned long long)x);
}

static void putdec(u128 x) {
	char buf[48];
	int i = 47;
	buf[i] = 0;
	do {
		buf[--i] = '0' + (int)(x % 10);
		x /= 10;
	} while (x);
	printf("%s\n", buf + i);
}

/* 64.64 fixed-point square root by Newton's method. */
static u128 fxsqrt(u128 v) {
	if (v == 0)
		return 0;
	u128 x = (u128)1 << 64;
	for (int i = 0; i < 80; i++) {
		u128 q = (v / x) << 64 | ((v % x) << 64) / x;
		u128 nx = (x + q) >> 1;
		if (nx == x)
			break;
		x = nx;
	}
	return x;
}

u128 table[8];

int main(void) {
	unsigned char buf[100];
	for (int i = 0; i < 100; i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	uint64_t h = 0;
	for (int i = 0; i < 100; i++)
		h ^= wyhash(buf, (size_t)i, (uint64_t)i * 0x9e3779b97f4a7c15ull);
	printf("wyhash %016llx\n", (unsigned long long)h);

	/* factorial 30 in 128 bits */
	u128 f = 1;
	for (int i = 1; i <= 30; i++)
		f = mul128(f, (u128)i);
	put128("30!", f);
	putdec(f);
	u128 big = ~(u128)0;
	putdec(big);
	s128 sm = -(s128)f / 7;
	put128("-30!/7", (u128)sm);
	put128("sdiv", (u128)sdiv128(-(s128)f, 1234567891011ll));
	put128("smod", (u128)smod128(-(s128)f, 1234567891011ll));
	put128("udiv", udiv128(big, f));
	put128("umod", umod128(big, f));
	for (unsigned s = 0; s < 128; s += 9) {
		put128("shl", shl128(f, s));
		put128("shr", shr128(f, s));
		put128("sar", (u128)sar128(-(s128)f, s));
	}
	s128 vals[] = {0, 1, -1, (s128)f, -(s128)f, (s128)big >> 1, ((s128)1) << 127};
	int c = 0;
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < 7; j++)
			c = c * 3 + cmp128(vals[i], vals[j]);
	printf("cmp %d\n", c);
	pair p = topair(f);
	printf("pair %016llx %016llx\n", (unsigned long long)p.hi, (unsigned long long)p.lo);
	put128("back", frompair(p) + 1);
	put128("sqrt2", fxsqrt((u128)2 << 64));
	put128("sqrt10", fxsqrt((u128)10 << 64));
	for (int i = 0; i < 8; i++)
		table[i] = (u128)0x0123456789abcdefull << (i * 8) | i;
	u128 acc = 0;
	for (int i = 0; i < 8; i++)
		acc = acc * 0x100000001b3ull + table[i];
	put128("acc", acc);
	long long sl = (long long)(acc >> 70);
	double d = (double)(acc >> 3);
	printf("%lld %.6g %.6g\n", sl, d, (double)(s128)-acc);
	u128 fromd = (u128)1.5e30;
	put128("fromd", fromd);
	return 0;
}
