/* C twin of mandelgrid.k (same algorithm, doubles), a peer for code speed. */
#include <stdio.h>

static double conv(double real, double imag, double iters, double creal, double cimag) {
	if (iters < 255) {
		if (real * real + imag * imag < 4)
			return conv(real * real - imag * imag + creal, 2 * real * imag + cimag, iters + 1, creal, cimag);
		return iters;
	}
	return iters;
}

static double grid(double n, double step) {
	double acc = 0;
	for (double y = 0;;) {
		for (double x = 0;;) {
			acc = acc + conv(0, 0, 0, x * step - 2, y * step - 1.5);
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
	printf("Evaluated to %f\n", grid(2400, 0.00125));
	return 0;
}
