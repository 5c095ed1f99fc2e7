// libm: calls into libm (resolved from the process / -lm).
#include <math.h>
#include <stdio.h>

double (*pick(int i))(double);

int main(int argc, char **argv) {
	(void)argv;
	double x = 0.5 + argc;
	printf("sin=%.9f cos=%.9f tan=%.9f\n", sin(x), cos(x), tan(x));
	printf("exp=%.9f log=%.9f sqrt=%.9f cbrt=%.9f\n", exp(x), log(x), sqrt(x), cbrt(x));
	printf("pow=%.9f fmod=%.9f hypot=%.9f atan2=%.9f\n", pow(x, 3.7), fmod(100.0, x), hypot(3, 4), atan2(1, x));
	printf("floor=%.1f ceil=%.1f round=%.1f lgamma=%.9f\n", floor(-x), ceil(-x), round(x), lgamma(x));
	for (int i = 0; i < 3; i++)
		printf("pick(%d)(1.0)=%.9f\n", i, pick(i)(1.0));
	return 0;
}
