/* double _Complex: returned as { double, double }, passed as two
   doubles; arithmetic with the runtime's __muldc3/__divdc3 at -O0. */
#include <complex.h>
#include <math.h>
#include <stdio.h>

static double complex cmul(double complex a, double complex b) { return a * b; }
static double complex cdiv(double complex a, double complex b) { return a / b; }
static double complex root(int k, int n) { return cexp(2 * M_PI * I * k / n); }
static double complex poly(double complex z) { return z * z * z - 2 * z + 1; }

static double complex newton(double complex z) {
	for (int i = 0; i < 50; i++) {
		double complex f = poly(z), df = 3 * z * z - 2;
		z = z - f / df;
	}
	return z;
}

int main(void) {
	double complex a = 1.0 + 2.0 * I, b = 3.0 - 1.0 * I;
	double complex c = cmul(a, b), d = cdiv(a, b);
	printf("mul %.4f %+.4fi\n", creal(c), cimag(c));
	printf("div %.4f %+.4fi\n", creal(d), cimag(d));
	double complex s = 0;
	for (int k = 0; k < 8; k++)
		s += root(k, 8) * (k + 1);
	printf("sum %.4f %+.4fi |s|=%.4f arg=%.4f\n", creal(s), cimag(s), cabs(s), carg(s));
	double complex starts[] = {1.5, -1.5, 0.3 + 0.1 * I, 2.0 * I};
	for (int i = 0; i < 4; i++) {
		double complex r = newton(starts[i]);
		printf("root %.6f %+.6fi\n", creal(r), cimag(r) == 0 ? 0.0 : cimag(r));
	}
	double complex z = csqrt(-4.0), w = conj(a) * cpow(b, 2);
	printf("sqrt %.3f %+.3fi conj*pow %.3f %+.3fi\n", creal(z), cimag(z), creal(w), cimag(w));
	return (int)cabs(c);
}
