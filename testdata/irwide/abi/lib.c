/* The callees of main.c, compiled natively or by gorc. */
typedef unsigned __int128 u128;
u128 g(int a, int b, int c, int d, int e, u128 x, long y) { return (x >> 3) + a + b * c + d * e + y; }
u128 h(u128 a, u128 b, long c, long d, u128 e, u128 f) { return a * 3 + b + c + d + (e >> 2) + f * 7; }
__int128 k(__int128 a, long b, __int128 c) { return a * c / 5 + b; }
