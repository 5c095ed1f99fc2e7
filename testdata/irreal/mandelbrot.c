/* mandelbrot (the benchmarks game): a 64x64 bitmap, printed as hex with a
   checksum instead of raw PBM bytes. */
#include <stdio.h>

int main(void) {
  enum { W = 64, H = 64 };
  unsigned char bits[H][W / 8] = {{0}};
  unsigned sum = 0;
  for (int y = 0; y < H; y++) {
    double ci = 2.0 * y / H - 1.0;
    for (int x = 0; x < W; x++) {
      double cr = 2.0 * x / W - 1.5, zr = 0, zi = 0, tr = 0, ti = 0;
      int i;
      for (i = 0; i < 50 && tr + ti <= 4.0; i++) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
      }
      if (tr + ti <= 4.0) bits[y][x / 8] |= 0x80 >> (x % 8);
    }
  }
  for (int y = 0; y < H; y++) {
    for (int b = 0; b < W / 8; b++) {
      printf("%02x", bits[y][b]);
      sum = sum * 31 + bits[y][b];
    }
    putchar('\n');
  }
  printf("sum %u\n", sum);
  return 0;
}
