/* String routines written as loops (what the vectorizers like): strlen,
   memchr, to-upper, counting, reversing, comparing. */
#include <stddef.h>
#include <stdio.h>

static size_t my_strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static const void *my_memchr(const void *p, int c, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++)
    if (s[i] == (unsigned char)c) return s + i;
  return NULL;
}

static void to_upper(char *dst, const char *src, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = src[i];
    dst[i] = c >= 'a' && c <= 'z' ? c - 32 : c;
  }
}

static size_t count_char(const char *s, size_t n, char c) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += s[i] == c;
  return k;
}

static void reverse(char *s, size_t n) {
  for (size_t i = 0, j = n - 1; i < j; i++, j--) {
    char t = s[i];
    s[i] = s[j];
    s[j] = t;
  }
}

static int my_memcmp(const unsigned char *a, const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

static unsigned char maxbyte(const unsigned char *s, size_t n) {
  unsigned char m = 0;
  for (size_t i = 0; i < n; i++) m = s[i] > m ? s[i] : m;
  return m;
}

static int minint(const int *s, size_t n) {
  int m = s[0];
  for (size_t i = 1; i < n; i++) m = s[i] < m ? s[i] : m;
  return m;
}

static int allpositive(const int *s, size_t n) {
  int ok = 1;
  for (size_t i = 0; i < n; i++) ok &= s[i] > 0;
  return ok;
}

int main(void) {
  static char text[4000], up[4000];
  const char *words = "the quick brown fox jumps over the lazy dog; ";
  size_t wl = my_strlen(words), n = 0;
  while (n + wl < sizeof text) {
    for (size_t i = 0; i < wl; i++) text[n + i] = words[i];
    n += wl;
  }
  text[n] = 0;
  printf("len %zu\n", my_strlen(text));
  const char *q = my_memchr(text, 'z', n);
  printf("z at %td, x at %td, missing %d\n", q - text, (const char *)my_memchr(text, 'x', n) - text, my_memchr(text, '#', n) == NULL);
  to_upper(up, text, n + 1);
  printf("%.44s\n", up + 1);
  printf("o %zu e %zu space %zu\n", count_char(text, n, 'o'), count_char(text, n, 'e'), count_char(text, n, ' '));
  reverse(up, n);
  printf("%.30s\n", up);
  printf("cmp %d %d %d\n", my_memcmp((unsigned char *)text, (unsigned char *)text, n), my_memcmp((unsigned char *)"abcd", (unsigned char *)"abce", 4), my_memcmp((unsigned char *)up, (unsigned char *)text, n));
  printf("max %d\n", maxbyte((unsigned char *)text, n));
  int ints[333];
  for (int i = 0; i < 333; i++) ints[i] = (i * 37) % 101 - 3;
  printf("min %d all %d\n", minint(ints, 333), allpositive(ints, 333));
  for (int i = 0; i < 333; i++) ints[i] = i + 1;
  printf("min %d all %d\n", minint(ints, 333), allpositive(ints, 333));
  return 0;
}
