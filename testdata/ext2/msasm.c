/* MS-style asm blocks (clang -fasm-blocks): C variables as memory
   operands, Intel syntax, the block's registers clobbered. */
#include <stdio.h>

static int addmul(int a, int b) {
	int r;
	__asm {
		mov eax, a
		add eax, b
		imul eax, eax, 3
		mov r, eax
	}
	return r;
}

static long long swap_halves(long long x) {
	long long r;
	__asm {
		mov rax, x
		rol rax, 32
		mov r, rax
	}
	return r;
}

int main(void) {
	printf("%d %d %llx\n", addmul(2, 5), addmul(-4, 1), (unsigned long long)swap_halves(0x1122334455667788LL));
	return 0;
}
