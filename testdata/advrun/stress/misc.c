#include "st.h"
#include <stdarg.h>
#include <alloca.h>
#include <dlfcn.h>
#include <math.h>
struct big make_big(long s) { struct big b = {s, s * 2, s * 3, s * 4, s / 2.0}; return b; }
struct pt add_pt(struct pt a, struct pt b) { struct pt r = {a.x + b.x, a.y + b.y}; return r; }
long double ld_poly(long double x) { return x * x * x / 3.0L + x / 7.0L; }
double _Complex cmul(double _Complex a, double _Complex b) { return a * b; }
int vsum(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
char *vfmt(char *buf, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vsprintf(buf, fmt, ap); va_end(ap); return buf; }
static double mixed(int n, ...) { va_list ap, aq; va_start(ap, n); va_copy(aq, ap); double s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, double); for (int i = 0; i < n; i++) s += va_arg(aq, double); va_end(aq); va_end(ap); return s; }
void misc_tests(void) {
  struct big b = make_big(10); struct pt p = add_pt((struct pt){1, 2}, (struct pt){30, 40});
  printf("big %ld %ld %ld %ld %.1f pt %d %d\n", b.a, b.b, b.c, b.d, b.e, p.x, p.y);
  printf("ld %.10Lf sizeof=%zu\n", ld_poly(1.5L), sizeof(long double));
  double _Complex c = cmul(1.0 + 2.0 * I, 3.0 - 1.0 * I); printf("cplx %.2f %+.2fi\n", creal(c), cimag(c));
  float _Complex fc = 1.5f + 2.5f * I; fc *= fc; printf("fcplx %.2f %+.2fi\n", crealf(fc), cimagf(fc));
  long double _Complex lc = 2.0L + 1.0L * I; lc = lc * lc; printf("lcplx %.2Lf %+.2Lfi\n", creall(lc), cimagl(lc));
  char buf[128]; printf("vsum=%d vfmt=%s mixed=%.2f\n", vsum(5, 1, 2, 3, 4, 5), vfmt(buf, "%d-%s-%.3f", 42, "x", 2.5), mixed(3, 1.0, 2.0, 3.5));
  struct bits bt = {5, 17, -20, 0xABCDEF0123ULL}; bt.b += 20; bt.c -= 50;
  printf("bits %u %u %d %llx size=%zu\n", bt.a, bt.b, bt.c, (unsigned long long)bt.d, sizeof bt);
  int n = 100 + (int)b.a; int *a = alloca(n * sizeof *a); for (int i = 0; i < n; i++) a[i] = i * i; printf("alloca %d\n", a[n - 1]);
  void *h = dlopen("libm.so.6", RTLD_NOW); double (*cbrtp)(double) = h ? (double (*)(double))dlsym(h, "cbrt") : 0;
  printf("dlsym cbrt(27)=%.3f\n", cbrtp ? cbrtp(27.0) : -1.0);
  if (h) dlclose(h);
}
