// varargs: variadic functions across objects (va_list, vsnprintf),
// floating-point and struct arguments and returns (SysV ABI classes).
#include <stdio.h>

struct pt { double x, y; };
struct big { long a, b, c, d; };
int logf_(const char *fmt, ...);
double sum_doubles(int n, ...);
struct pt midpoint(struct pt a, struct pt b);
struct big make_big(long seed);
long double ld_mul(long double a, long double b);

int main(void) {
	logf_("%s-%d-%.2f-%c", "args", 7, 2.5, 'q');
	printf("sum_doubles=%.3f\n", sum_doubles(5, 1.0, 2.5, 3.25, 4.0, 5.125));
	struct pt m = midpoint((struct pt){1, 2}, (struct pt){3, 8});
	printf("mid=(%.1f,%.1f)\n", m.x, m.y);
	struct big b = make_big(3);
	printf("big=%ld %ld %ld %ld\n", b.a, b.b, b.c, b.d);
	printf("ld=%.6Lf\n", ld_mul(1.5L, 2.25L));
	return 0;
}
