/* long double _Complex: returned in ST0/ST1 (COMPLEX_X87), by functions
   of the module and by libm (cexpl, csqrtl, cpowl), self-checking. */
#include <stdio.h>
#include <complex.h>

__attribute__((noinline)) static long double _Complex cmulld(long double _Complex a, long double _Complex b) { return a * b; }
__attribute__((noinline)) static long double _Complex mk(long double re, long double im) { return re + im * I; }
__attribute__((noinline)) static long double _Complex konst(void) { return 0.5L - 0.25L * I; }

int main(void) {
	long double _Complex z = mk(1.5L, -2.0L), w = mk(0.25L, 3.0L);
	long double _Complex p = cmulld(z, w);
	for (int i = 0; i < 5; i++)
		p = cmulld(p, z) / 2;
	printf("%.10Lg %.10Lg\n", creall(p), cimagl(p));
	printf("%.10Lg %.10Lg\n", cabsl(z), cargl(w));
	long double _Complex e = cexpl(mk(0.5L, 1.0L));
	printf("%.10Lg %.10Lg\n", creall(e), cimagl(e));
	long double _Complex s = csqrtl(mk(-4.0L, 0.0L)) + konst();
	printf("%.10Lg %.10Lg\n", creall(s), cimagl(s));
	long double _Complex acc = 0;
	for (int i = 1; i <= 20; i++)
		acc += cpowl(mk(1.0L + i / 100.0L, 0.1L), mk(2.0L, 0.0L)) * konst();
	printf("%.12Lg %.12Lg\n", creall(acc), cimagl(acc));
	return 0;
}
