/* qsort of structs by several keys, bsearch, and an insertion sort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec { int id; short group; char name[10]; double score; };

static int by_score(const void *a, const void *b) {
  const struct rec *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? -1 : 1;
  return x->id - y->id;
}

static int by_group_name(const void *a, const void *b) {
  const struct rec *x = a, *y = b;
  if (x->group != y->group) return x->group - y->group;
  int c = strcmp(x->name, y->name);
  return c ? c : x->id - y->id;
}

static int by_id(const void *a, const void *b) { return ((const struct rec *)a)->id - ((const struct rec *)b)->id; }

static void isort(struct rec *r, int n) {
  for (int i = 1; i < n; i++) {
    struct rec t = r[i];
    int j = i - 1;
    while (j >= 0 && r[j].id > t.id) {
      r[j + 1] = r[j];
      j--;
    }
    r[j + 1] = t;
  }
}

int main(void) {
  enum { N = 200 };
  static struct rec r[N];
  unsigned x = 7;
  for (int i = 0; i < N; i++) {
    x = x * 1664525 + 1013904223;
    r[i].id = i;
    r[i].group = x >> 28;
    for (int k = 0; k < 5; k++) r[i].name[k] = 'a' + (x >> (3 * k)) % 26;
    r[i].name[5] = 0;
    r[i].score = (x >> 8) % 1000 / 10.0;
  }
  qsort(r, N, sizeof r[0], by_score);
  for (int i = 0; i < 5; i++) printf("%d %s %.1f\n", r[i].id, r[i].name, r[i].score);
  qsort(r, N, sizeof r[0], by_group_name);
  for (int i = 0; i < 5; i++) printf("%d %d %s\n", r[i].group, r[i].id, r[i].name);
  isort(r, N);
  int ok = 1;
  for (int i = 0; i < N; i++) ok &= r[i].id == i;
  struct rec key = {.id = 123};
  struct rec *f = bsearch(&key, r, N, sizeof r[0], by_id);
  printf("sorted %d found %d %s\n", ok, f ? f->id : -1, f ? f->name : "-");
  return 0;
}
