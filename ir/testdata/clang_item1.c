/* Source of ir/testdata/clang_item1_O*.ll: switch, memcpy/memset/memmove,
   volatile accesses, lifetime markers and the -O1 intrinsics. */
int printf(const char *, ...);
double fabs(double);
void *memcpy(void *, const void *, unsigned long);
void *memset(void *, int, unsigned long);
void *memmove(void *, const void *, unsigned long);

static volatile int ticks;

__attribute__((noinline)) int kind(int c) {
	switch (c) {
	case 'a': case 'e': case 'i': case 'o': case 'u': return 1;
	case ' ': return 2;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9': return 3;
	case -1: return 4;
	default: return 0;
	}
}

__attribute__((noinline)) long wide(long x) {
	switch (x) {
	case 10000000000L: return 1;
	case -5: return 2;
	case 7: return 3;
	}
	return x * 2;
}

__attribute__((noinline)) int smax(int a, int b) { return a > b ? a : b; }
__attribute__((noinline)) unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
__attribute__((noinline)) int iabs(int a) { return a < 0 ? -a : a; }
__attribute__((noinline)) double fma3(double a, double b, double c) { return a * b + c; }

int main(void) {
	const char *s = "hello world 42, quiet zone 7";
	int counts[5] = {0};
	for (const char *p = s; *p; p++)
		counts[kind(*p)]++;
	counts[kind(-1)]++;
	printf("%d %d %d %d %d\n", counts[0], counts[1], counts[2], counts[3], counts[4]);
	printf("%ld %ld %ld %ld\n", wide(10000000000L), wide(-5), wide(7), wide(8));
	char buf[64], copy[64];
	memset(buf, 'x', sizeof buf);
	buf[63] = 0;
	memcpy(copy, buf, sizeof copy);
	memmove(copy + 1, copy, 10);
	copy[5] = 'y';
	printf("%s\n", copy + 50);
	printf("%.10s\n", copy);
	for (int i = 0; i < 10; i++)
		ticks = ticks + i;
	printf("%d\n", ticks);
	printf("%d %u %d %d\n", smax(3, -4), umin(5u, 4000000000u), iabs(-17), iabs(6));
	printf("%g %g\n", fma3(1.5, 2.0, 0.25), fabs(-2.5));
	long big1[8], big2[8];
	for (int i = 0; i < 8; i++)
		big1[i] = i + 1;
	memcpy(big2, big1, sizeof big2);
	printf("%ld\n", big2[7]);
	return counts[1];
}
