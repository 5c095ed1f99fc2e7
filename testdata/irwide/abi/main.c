/* i128 across the native/JIT boundary (with lib.c): two INTEGER
   eightbytes in registers, or the whole value on the stack, 16-byte
   aligned, when fewer than two registers are left (g's x: and y then
   follows on the stack, as clang-19 passes it); RDX:RAX results. */
#include <stdio.h>
typedef unsigned __int128 u128;
u128 g(int a, int b, int c, int d, int e, u128 x, long y);
u128 h(u128 a, u128 b, long c, long d, u128 e, u128 f);
__int128 k(__int128 a, long b, __int128 c);
int main(void) {
	u128 r = g(1, 2, 3, 4, 5, ((u128)0x123456789abcdefull << 64) | 0xfedcba9876543210ull, 77);
	u128 s = h(1, 2, 3, 4, (u128)5 << 70, 6);
	__int128 t = k(-3, 1000, (__int128)-7 << 80);
	printf("%016llx %016llx\n", (unsigned long long)(r >> 64), (unsigned long long)r);
	printf("%016llx %016llx\n", (unsigned long long)(s >> 64), (unsigned long long)s);
	printf("%016llx %016llx\n", (unsigned long long)((unsigned __int128)t >> 64), (unsigned long long)t);
	return 0;
}
