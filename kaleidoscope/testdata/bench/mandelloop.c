/* C twin of mandelloop.k (same algorithm, doubles), a peer for code speed. */
#include <stdio.h>

static double mandel(double cr, double ci) {
	double r = 0, i = 0, t = 0, n = 0;
	for (double k = 0;;) {
		t = r * r - i * i + cr;
		i = 2 * r * i + ci;
		r = t;
		n = n + 1;
		int more = ((k < 255) * (r * r + i * i < 4)) != 0;
		k = k + 1;
		if (!more)
			break;
	}
	return n;
}

static double grid(double n, double step) {
	double acc = 0;
	for (double y = 0;;) {
		for (double x = 0;;) {
			acc = acc + mandel(x * step - 2, y * step - 1.5);
			int more = x < n - 1;
			x = x + 1;
			if (!more)
				break;
		}
		int more = y < n - 1;
		y = y + 1;
		if (!more)
			break;
	}
	return acc;
}

int main(void) {
	printf("Evaluated to %f\n", grid(1500, 0.002));
	return 0;
}
