/* fasta (the benchmarks game), n = 2000, with the linear congruential
   generator and cumulative probability tables. */
#include <stdio.h>
#include <string.h>

#define IM 139968
#define IA 3877
#define IC 29573
static unsigned last = 42;
static float rnd(float max) {
  last = (last * IA + IC) % IM;
  return max * last / IM;
}

struct aminoacid { char c; float p; };

static void cumulative(struct aminoacid *a, int n) {
  float cp = 0;
  for (int i = 0; i < n; i++) {
    cp += a[i].p;
    a[i].p = cp;
  }
}

static const char alu[] =
    "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGGGAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGACCAGCCTGGCCAACATGGTGAAACCCCGTCTCTACTAAAAATACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCAGCTACTCGGGAGGCTGAGGCAGGAGAATCGCTTGAACCCGGGAGGCGG";

static void repeat(const char *s, int n) {
  int len = strlen(s), pos = 0;
  char line[61];
  while (n > 0) {
    int l = n < 60 ? n : 60;
    for (int i = 0; i < l; i++) {
      line[i] = s[pos++];
      if (pos == len) pos = 0;
    }
    line[l] = '\n';
    fwrite(line, 1, l + 1, stdout);
    n -= l;
  }
}

static void random_fasta(struct aminoacid *a, int na, int n) {
  char line[61];
  while (n > 0) {
    int l = n < 60 ? n : 60;
    for (int i = 0; i < l; i++) {
      float r = rnd(1.0f);
      int j = 0;
      while (j < na - 1 && a[j].p < r) j++;
      line[i] = a[j].c;
    }
    line[l] = '\n';
    fwrite(line, 1, l + 1, stdout);
    n -= l;
  }
}

int main(void) {
  struct aminoacid iub[] = {{'a', 0.27}, {'c', 0.12}, {'g', 0.12}, {'t', 0.27}, {'B', 0.02}, {'D', 0.02}, {'H', 0.02}, {'K', 0.02}, {'M', 0.02}, {'N', 0.02}, {'R', 0.02}, {'S', 0.02}, {'V', 0.02}, {'W', 0.02}, {'Y', 0.02}};
  struct aminoacid homo[] = {{'a', 0.3029549426680}, {'c', 0.1979883004921}, {'g', 0.1975473066391}, {'t', 0.3015094502008}};
  int n = 2000;
  cumulative(iub, 15);
  cumulative(homo, 4);
  puts(">ONE Homo sapiens alu");
  repeat(alu, n * 2);
  puts(">TWO IUB ambiguity codes");
  random_fasta(iub, 15, n * 3);
  puts(">THREE Homo sapiens frequency");
  random_fasta(homo, 4, n * 5);
  return 0;
}
