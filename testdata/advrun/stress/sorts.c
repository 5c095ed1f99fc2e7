#include "st.h"
void sort_and_search(void) {
  int v[200]; struct pt p[50];
  unsigned s = 12345;
  for (int i = 0; i < 200; i++) { s = s * 1103515245 + 12345; v[i] = (s >> 8) % 1000; }
  qsort(v, 200, sizeof v[0], cmp_int);
  int key = v[77], *hit = bsearch(&key, v, 200, sizeof v[0], cmp_int);
  printf("sorted %d %d %d found=%d\n", v[0], v[100], v[199], hit ? *hit : -1);
  for (int i = 0; i < 50; i++) { p[i].x = (i * 37) % 11; p[i].y = (i * 13) % 7; }
  qsort(p, 50, sizeof p[0], cmp_pt);
  struct pt k = {5, 3}; struct pt *q = bsearch(&k, p, 50, sizeof p[0], cmp_pt);
  printf("pts %d,%d %d,%d found=%ld\n", p[0].x, p[0].y, p[49].x, p[49].y, q ? (long)(q - p) >= 0 : -1L);
}
