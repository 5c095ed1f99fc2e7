/* Variable-length arrays and alloca(n) (llvm.stacksave/stackrestore and
   allocas of a variable count): VLAs in a loop a million times (the
   stack must be given back each iteration), 2-D VLAs, a VLA beside a
   call with stack arguments, alloca in a loop, recursion with VLAs,
   alignment. The output is compared with the native build's. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <alloca.h>

static long many(long a, long b, long c, long d, long e, long f, long g, long h, long i) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i;
}

__attribute__((noinline)) static long sum2d(int n, int m, double scale) {
  double grid[n][m];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++)
      grid[i][j] = (i * m + j) * scale;
  double s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++)
      s += grid[i][j];
  return (long)s + ((uintptr_t)grid % _Alignof(double));
}

__attribute__((noinline)) static long loop(int iters, int n) {
  long total = 0;
  for (int k = 0; k < iters; k++) {
    char buf[n + (k & 7)];
    memset(buf, k & 0x7f, sizeof buf);
    total += buf[sizeof buf - 1] + (long)sizeof buf;
    long v[n];
    for (int i = 0; i < n; i++) v[i] = i + k;
    total += many(v[0], v[1], v[2], v[3], v[n - 1], k, n, total & 1, 7) & 0xff;
  }
  return total;
}

__attribute__((noinline)) static int rec(int depth, int n) {
  int a[n];
  for (int i = 0; i < n; i++) a[i] = depth * i;
  if (depth == 0) return a[n - 1];
  return a[n / 2] + rec(depth - 1, n + 1);
}

__attribute__((noinline)) static long withalloca(int n) {
  long s = 0;
  for (int k = 1; k <= n; k++) {
    int *p = alloca(k * sizeof(int));
    for (int i = 0; i < k; i++) p[i] = i * k;
    s += p[k - 1] + (((uintptr_t)p & 15) == 0);
  }
  return s;
}

int main(int argc, char **argv) {
  int n = argc + 7;
  printf("sum2d %ld\n", sum2d(n, n + 3, 0.5));
  printf("loop %ld\n", loop(1000000, n));
  printf("rec %d\n", rec(200, n));
  printf("alloca %ld\n", withalloca(100 + argc));
  return 0;
}
