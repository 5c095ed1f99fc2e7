/* Indirect functions as libraries that pick code at run time define them:
   __attribute__((ifunc)) with a resolver (plain, variadic, static), and
   target_clones (gcc and clang emit an ifunc and a .resolver that reads
   the CPU model). */
#include <stdarg.h>

static int add_generic(int a, int b) { return a + b; }
static int add_fast(int a, int b) { return a + b + 1000; }
int resolver_calls;
typedef int (*add_fn)(int, int);
static add_fn resolve_add(void) {
  resolver_calls++;
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse2") ? add_fast : add_generic;
}
int add(int, int) __attribute__((ifunc("resolve_add")));

/* Argument registers (integer, vector count in %al, xmm) reach the
   function through the first call's resolve path. */
static double sumv_impl(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; i++) s += va_arg(ap, double);
  va_end(ap);
  return s;
}
static void *resolve_sumv(void) { return (void *)sumv_impl; }
double sumv(int n, ...) __attribute__((ifunc("resolve_sumv")));

static long mix_impl(long a, double b, long c, float d, long e, long f, long g, double h) {
  return a + (long)(b * 10) + c + (long)(d * 100) + e + f + g + (long)(h * 1000);
}
static void *resolve_mix(void) { return (void *)mix_impl; }
long mix(long, double, long, float, long, long, long, double) __attribute__((ifunc("resolve_mix")));

/* A static ifunc, reached through a function of this file. */
static int twice(int) __attribute__((ifunc("resolve_twice")));
static int twice_impl(int x) { return 2 * x; }
static void *resolve_twice(void) { return (void *)twice_impl; }
int call_twice(int x) { return twice(x); }

__attribute__((target_clones("avx2", "default"))) int triple(int x) { return x * 3; }

/* Addresses taken in data of this object. */
int (*def_padd)(int, int) = add;
int (*def_ptriple)(int) = triple;
