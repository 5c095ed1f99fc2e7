/* Matrix multiply of ints, floats and doubles (vectorizable inner loops). */
#include <stdio.h>

#define N 48
static int ai[N][N], bi[N][N], ci[N][N];
static float af[N][N], bf[N][N], cf[N][N];
static double ad[N][N], bd[N][N], cd[N][N];

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      ai[i][j] = (i * 7 + j * 3) % 17 - 8;
      bi[i][j] = (i * 5 + j * 11) % 13 - 6;
      af[i][j] = ai[i][j] * 0.5f;
      bf[i][j] = bi[i][j] * 0.25f;
      ad[i][j] = ai[i][j] / 3.0;
      bd[i][j] = bi[i][j] / 7.0;
    }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < N; k++) {
      int a = ai[i][k];
      float f = af[i][k];
      double d = ad[i][k];
      for (int j = 0; j < N; j++) {
        ci[i][j] += a * bi[k][j];
        cf[i][j] += f * bf[k][j];
        cd[i][j] += d * bd[k][j];
      }
    }
  long long si = 0;
  double sf = 0, sd = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      si += ci[i][j] * (long long)(i + j);
      sf += cf[i][j];
      sd += cd[i][j];
    }
  printf("%lld %.3f %.6f\n", si, sf, sd);
  printf("%d %d %g %g\n", ci[3][5], ci[N - 1][N - 2], cf[7][9], cd[11][13]);
  return 0;
}
