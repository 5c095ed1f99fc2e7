/* C twin of integrate.k (same algorithm, doubles), a peer for code speed.
 * Kaleidoscope's for runs its body, then evaluates the end condition
 * (seeing the variable before the step), then steps. */
#include <math.h>
#include <stdio.h>

static double integrate(double n, double h) {
	double s = 0;
	for (double i = 0;;) {
		s = s + sin((i + 0.5) * h);
		int more = i < n - 1;
		i = i + 1;
		if (!more)
			break;
	}
	return s * h;
}

static double rep(double k) {
	double t = 0;
	for (double j = 0;;) {
		t = t + integrate(200000, 3.141592653589793 * 0.000005);
		int more = j < k - 1;
		j = j + 1;
		if (!more)
			break;
	}
	return t;
}

int main(void) {
	printf("Evaluated to %f\n", rep(200));
	return 0;
}
