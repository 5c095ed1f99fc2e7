/* Reductions returning pairs: min/max, argmin/argmax, mean/variance;
   the optimizer turns the struct returns into phis and selects. */
#include <stdio.h>

typedef struct { int min, max; } range;
typedef struct { long at; double v; } best;
typedef struct { double mean, var; } stats;

static range bounds(const int *a, int n) {
	range r = {a[0], a[0]};
	for (int i = 1; i < n; i++) {
		if (a[i] < r.min) r.min = a[i];
		if (a[i] > r.max) r.max = a[i];
	}
	return r;
}
static best argbest(const double *a, int n, int want_max) {
	best b = {0, a[0]};
	for (int i = 1; i < n; i++)
		if (want_max ? a[i] > b.v : a[i] < b.v)
			b = (best){i, a[i]};
	return b;
}
static stats moments(const double *a, int n) {
	double s = 0, s2 = 0;
	for (int i = 0; i < n; i++) { s += a[i]; s2 += a[i] * a[i]; }
	double m = s / n;
	return (stats){m, s2 / n - m * m};
}
static best better(best x, best y) { return x.v >= y.v ? x : y; }

int main(int argc, char **argv) {
	int xs[64];
	double ds[64];
	unsigned s = (unsigned)argc * 2654435761u;
	for (int i = 0; i < 64; i++) {
		s ^= s << 13; s ^= s >> 17; s ^= s << 5;
		xs[i] = (int)(s % 2001) - 1000;
		ds[i] = xs[i] / 7.0;
	}
	range r = bounds(xs, 64);
	best hi = argbest(ds, 64, 1), lo = argbest(ds, 64, 0);
	stats st = moments(ds, 64);
	best bb = better(hi, lo);
	printf("range %d %d\n", r.min, r.max);
	printf("max at %ld %.4f min at %ld %.4f better %ld\n", hi.at, hi.v, lo.at, lo.v, bb.at);
	printf("mean %.6f var %.6f\n", st.mean, st.var);
	return (r.max - r.min) & 0xff;
}
