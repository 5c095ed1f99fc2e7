#include <stdarg.h>
#include <stdio.h>
struct pt { double x, y; };
struct big { long a, b, c, d; };
int logf_(const char *fmt, ...) {
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	printf("log[%d]: %s\n", n, buf);
	return n;
}
double sum_doubles(int n, ...) {
	va_list ap;
	va_start(ap, n);
	double s = 0;
	for (int i = 0; i < n; i++)
		s += va_arg(ap, double);
	va_end(ap);
	return s;
}
struct pt midpoint(struct pt a, struct pt b) { return (struct pt){(a.x + b.x) / 2, (a.y + b.y) / 2}; }
struct big make_big(long s) { return (struct big){s, s * 2, s * 3, s * 4}; }
long double ld_mul(long double a, long double b) { return a * b; }
