/* Histograms with unsigned char, short and int counters, and a byte
   transform over a buffer. */
#include <stdio.h>

int main(void) {
  static unsigned char data[50000];
  unsigned x = 99;
  for (int i = 0; i < 50000; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    data[i] = x & 0xFF;
  }
  unsigned char h8[256] = {0};
  unsigned short h16[16] = {0};
  int h32[4] = {0};
  for (int i = 0; i < 50000; i++) {
    h8[data[i]]++;
    h16[data[i] >> 4]++;
    h32[data[i] & 3]++;
  }
  unsigned sum = 0;
  for (int i = 0; i < 256; i++) sum = sum * 3 + h8[i];
  printf("h8 %u %d %d %d\n", sum, h8[0], h8[128], h8[255]);
  for (int i = 0; i < 16; i++) printf("%d ", h16[i]);
  printf("\n%d %d %d %d\n", h32[0], h32[1], h32[2], h32[3]);
  static unsigned char out[50000];
  for (int i = 0; i < 50000; i++) out[i] = (unsigned char)(data[i] * 3 + 7) ^ (data[i] >> 2);
  unsigned short s16[1000];
  for (int i = 0; i < 1000; i++) s16[i] = (unsigned short)(out[i] * out[i + 1]);
  long long total = 0;
  for (int i = 0; i < 50000; i++) total += out[i];
  unsigned t16 = 0;
  for (int i = 0; i < 1000; i++) t16 += s16[i];
  signed char sc[64];
  for (int i = 0; i < 64; i++) sc[i] = (signed char)(i * 9 - 100);
  int ssum = 0, amax = 0;
  for (int i = 0; i < 64; i++) {
    ssum += sc[i];
    int a = sc[i] < 0 ? -sc[i] : sc[i];
    amax = a > amax ? a : amax;
  }
  printf("total %lld %u %d %d\n", total, t16, ssum, amax);
  return 0;
}
