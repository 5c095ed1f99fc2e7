/* fannkuch-redux (the benchmarks game), n = 8. */
#include <stdio.h>

static int fannkuch(int n, int *checksum) {
  int perm[16], perm1[16], count[16];
  int maxflips = 0, permcount = 0, r = n;
  *checksum = 0;
  for (int i = 0; i < n; i++) perm1[i] = i;
  for (;;) {
    while (r != 1) {
      count[r - 1] = r;
      r--;
    }
    for (int i = 0; i < n; i++) perm[i] = perm1[i];
    int flips = 0, k;
    while ((k = perm[0]) != 0) {
      for (int i = 0, j = k; i < j; i++, j--) {
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      flips++;
    }
    if (flips > maxflips) maxflips = flips;
    *checksum += permcount % 2 == 0 ? flips : -flips;
    for (;;) {
      if (r == n) return maxflips;
      int p0 = perm1[0];
      for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
      perm1[r] = p0;
      count[r]--;
      if (count[r] > 0) break;
      r++;
    }
    permcount++;
  }
}

int main(void) {
  int sum;
  int flips = fannkuch(8, &sum);
  printf("%d\nPfannkuchen(8) = %d\n", sum, flips);
  return 0;
}
