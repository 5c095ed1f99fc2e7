/* asm goto as user code writes it: a branch on a flag test, a
   three-way compare with two labels, outputs used on both edges (gcc 11
   and clang 17 and later), a loop around one, and a label reached from
   a phi. clang-19 emits callbr in IR. */
#include <stdio.h>

static int nonzero(long x) {
	asm goto("test %0, %0\n\tjnz %l[yes]" : : "r"(x) : "cc" : yes);
	return 0;
yes:
	return 1;
}

/* -1, 0 or 1 by two labels. */
static int cmp3(long a, long b) {
	asm goto("cmp %1, %0\n\tjl %l[less]\n\tjg %l[more]" : : "r"(a), "r"(b) : "cc" : less, more);
	return 0;
less:
	return -1;
more:
	return 1;
}

/* An output, set before the jump: valid on both edges. */
static long dec_or_zero(long x) {
	long r;
	asm goto("lea -1(%1), %0\n\ttest %0, %0\n\tjs %l[neg]" : "=r"(r) : "r"(x) : "cc" : neg);
	return r;
neg:
	return 1000 + r;
}

/* Two outputs and a loop: sum of the set bits' positions. */
static long bits(unsigned long x) {
	long sum = 0;
	for (;;) {
		unsigned long rest;
		long pos;
		asm goto("test %2, %2\n\tjz %l[done]\n\tbsf %2, %1\n\tlea -1(%2), %0\n\tand %2, %0" : "=&r"(rest), "=&r"(pos) : "r"(x) : "cc" : done);
		sum += pos;
		x = rest;
		continue;
	done:
		break;
	}
	return sum;
}

int main(void) {
	long total = 0;
	for (long i = -3; i <= 3; i++) {
		printf("%ld: nz %d cmp %d %d dec %ld\n", i, nonzero(i), cmp3(i, 0), cmp3(1, i), dec_or_zero(i));
		total += nonzero(i) + cmp3(i, 1);
	}
	printf("bits %ld %ld %ld\n", bits(0), bits(0x8001), bits(~0ul));
	printf("total %ld\n", total);
	return 0;
}
