/* A variadic walker of its own: a format string of type letters, mixed
   int, long, double, string and pointer arguments, more than 6 integer
   and 8 floating-point ones (the overflow area), va_list passed down,
   va_copy, and structs read with va_arg. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct pair { long a, b; };
struct dpair { double x, y; };
struct mix { int tag; double v; };
struct big { long a, b, c; };

static double walk(const char *spec, va_list ap) {
	double total = 0;
	for (const char *p = spec; *p; p++) {
		switch (*p) {
		case 'i': { int v = va_arg(ap, int); printf("i:%d ", v); total += v; break; }
		case 'l': { long v = va_arg(ap, long); printf("l:%ld ", v); total += v; break; }
		case 'd': { double v = va_arg(ap, double); printf("d:%g ", v); total += v; break; }
		case 's': { const char *s = va_arg(ap, const char *); printf("s:%s ", s); total += strlen(s); break; }
		case 'p': { int *q = va_arg(ap, int *); printf("p:%d ", *q); total += *q; break; }
		case 'P': { struct pair v = va_arg(ap, struct pair); printf("P:%ld,%ld ", v.a, v.b); total += v.a * v.b; break; }
		case 'D': { struct dpair v = va_arg(ap, struct dpair); printf("D:%g,%g ", v.x, v.y); total += v.x - v.y; break; }
		case 'M': { struct mix v = va_arg(ap, struct mix); printf("M:%d,%g ", v.tag, v.v); total += v.tag * v.v; break; }
		case 'B': { struct big v = va_arg(ap, struct big); printf("B:%ld,%ld,%ld ", v.a, v.b, v.c); total += v.a + v.b + v.c; break; }
		}
	}
	printf("\n");
	return total;
}

static double walkv(const char *spec, ...) {
	va_list ap, again;
	va_start(ap, spec);
	va_copy(again, ap);
	double t = walk(spec, ap);
	double t2 = walk(spec, again);
	va_end(again);
	va_end(ap);
	return t + t2;
}

/* Fixed arguments that use up registers before the variadic ones. */
static long after_fixed(int a, double b, int c, double d, int e, ...) {
	va_list ap;
	va_start(ap, e);
	long s = a + (long)b + c + (long)d + e;
	for (int i = 0; i < 8; i++)
		s = s * 3 + va_arg(ap, long);
	double f = 0;
	for (int i = 0; i < 9; i++)
		f = f * 2 + va_arg(ap, double);
	va_end(ap);
	return s + (long)f;
}

static int count_until_zero(int first, ...) {
	va_list ap;
	int n = 0;
	va_start(ap, first);
	for (int v = first; v != 0; v = va_arg(ap, int))
		n += v;
	va_end(ap);
	return n;
}

int main(void) {
	int x = 7, y = -3;
	struct pair pr = {6, 7};
	struct dpair dp = {2.5, 0.25};
	struct mix mx = {3, 1.5};
	struct big bg = {100, 200, 300};
	printf("%g\n", walkv("idls", 1, 2.5, 3L, "four"));
	printf("%g\n", walkv("iiiiiiiipp", 1, 2, 3, 4, 5, 6, 7, 8, &x, &y));
	printf("%g\n", walkv("ddddddddddd", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0));
	printf("%g\n", walkv("idididididididididid", 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5));
	printf("%g\n", walkv("PDMB", pr, dp, mx, bg));
	printf("%g\n", walkv("iiiiiPDMdddddddPDM", 1, 2, 3, 4, 5, pr, dp, mx, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, pr, dp, mx));
	printf("%ld\n", after_fixed(1, 2.0, 3, 4.0, 5, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5));
	printf("%d\n", count_until_zero(5, 4, 3, 2, 1, 10, 20, 30, 40, 0));
	return 0;
}
