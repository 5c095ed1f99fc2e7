/* C twin of ode.k (same algorithm, doubles), a peer for code speed.
 * Kaleidoscope's comparisons yield 1.0 or 0.0, unary - is 0 - v, and its
 * for runs the body, then tests the end condition (on the variable
 * before the step), then steps. */
#include <stdio.h>

static double neg(double v) { return 0 - v; }
static double gt(double l, double r) { return r < l; }
static double kabs(double x) { return (x < 0) ? neg(x) : x; }
static double kmax(double a, double b) { return gt(a, b) != 0 ? a : b; }
static double clamp(double x, double lo, double hi) { return (x < lo) ? lo : (gt(x, hi) != 0 ? hi : x); }
static double deriv(double t, double y) { return neg(y) * 0.5 + clamp(t * 0.01, 0, 0.2) * y; }

static double rk4(double t, double y, double h) {
	double k1 = deriv(t, y);
	double k2 = deriv(t + h * 0.5, y + h * 0.5 * k1);
	double k3 = deriv(t + h * 0.5, y + h * 0.5 * k2);
	double k4 = deriv(t + h, y + h * k3);
	return y + h * 0.16666666666666666 * (k1 + 2 * k2 + 2 * k3 + k4);
}

static double solve(double y0, double steps, double h) {
	double t = 0, y = y0;
	for (double i = 0;;) {
		y = rk4(t, y, h);
		t = t + h;
		int more = i < steps - 1;
		i = i + 1;
		if (!more)
			break;
	}
	return y;
}

static double poly(double x) { return ((x * 0.5 - 1) * x + 2) * x - 0.25; }

static double run(double n) {
	double acc = 0, worst = 0;
	for (double k = 0;;) {
		double y = solve(1 + k * 0.001, 1000, 0.001);
		acc = acc + y * poly(k * 0.0001);
		worst = kmax(worst, kabs(y - 1));
		int more = k < n - 1;
		k = k + 1;
		if (!more)
			break;
	}
	return acc + worst;
}

int main(void) {
	printf("Evaluated to %f\n", run(15000));
	return 0;
}
