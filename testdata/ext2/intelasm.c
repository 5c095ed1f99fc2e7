/* Inline asm written for -masm=intel (GNU as's .intel_syntax noprefix):
   clang-19 emits `asm inteldialect` in IR. Register and memory operands,
   scaled indexes, a locked read-modify-write, movzx, a loop on a local
   label, a flag output and an Intel-syntax asm goto. Built with
   -masm=intel by both compilers. */
#include <stdio.h>

static long sum3(const long *p) {
	long r;
	asm("mov %0, qword ptr [%1]\n\tadd %0, qword ptr [%1+8]\n\tadd %0, qword ptr [%1 + 16]" : "=&r"(r) : "r"(p) : "memory");
	return r;
}

static long pick(const long *p, long i) {
	long r;
	asm("mov %0, qword ptr [%1 + %2*8 - 8]" : "=r"(r) : "r"(p), "r"(i) : "memory");
	return r;
}

static int fetch_add(int *p, int v) {
	asm volatile("lock xadd dword ptr [%1], %0" : "+r"(v) : "r"(p) : "memory");
	return v;
}

static unsigned zx(const unsigned char *b) {
	unsigned r;
	asm("movzx %0, byte ptr [%1 + 1]" : "=r"(r) : "r"(b));
	return r;
}

/* Named labels: in Intel syntax "1b" reads as a binary number. */
__attribute__((noinline)) static long tri(long n) {
	long acc = 0;
	asm("test %1, %1\n\tjz tri_end\ntri_loop:\n\tadd %0, %1\n\tdec %1\n\tjnz tri_loop\ntri_end:" : "+r"(acc), "+r"(n) : : "cc");
	return acc;
}

static int below(unsigned a, unsigned b) {
	int r;
	asm("cmp %1, %2" : "=@ccb"(r) : "r"(a), "r"(b) : "cc");
	return r;
}

static int is_odd(long x) {
	asm goto("test %0, 1\n\tjnz %l[odd]" : : "r"(x) : "cc" : odd);
	return 0;
odd:
	return 1;
}

int main(void) {
	long v[4] = {5, 7, 11, 13};
	int c = 40;
	unsigned char b[2] = {1, 200};
	int old = fetch_add(&c, 2);
	printf("sum %ld pick %ld %ld add %d %d zx %u tri %ld %ld below %d %d odd %d %d\n", sum3(v), pick(v, 1), pick(v, 4), old, c, zx(b), tri(0),
	       tri(100), below(1, 2), below(3, 2), is_odd(7), is_odd(8));
	return 0;
}
