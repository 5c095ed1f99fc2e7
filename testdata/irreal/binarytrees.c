/* binary-trees (the benchmarks game), depth 12. */
#include <stdio.h>
#include <stdlib.h>

typedef struct node { struct node *l, *r; } node;

static node *make(int d) {
  node *n = malloc(sizeof *n);
  if (d > 0) {
    n->l = make(d - 1);
    n->r = make(d - 1);
  } else {
    n->l = n->r = NULL;
  }
  return n;
}

static int check(const node *n) { return 1 + (n->l ? check(n->l) + check(n->r) : 0); }

static void release(node *n) {
  if (n->l) {
    release(n->l);
    release(n->r);
  }
  free(n);
}

int main(void) {
  int maxd = 12, mind = 4;
  node *s = make(maxd + 1);
  printf("stretch tree of depth %d\t check: %d\n", maxd + 1, check(s));
  release(s);
  node *longlived = make(maxd);
  for (int d = mind; d <= maxd; d += 2) {
    int iters = 1 << (maxd - d + mind), c = 0;
    for (int i = 0; i < iters; i++) {
      node *t = make(d);
      c += check(t);
      release(t);
    }
    printf("%d\t trees of depth %d\t check: %d\n", iters, d, c);
  }
  printf("long lived tree of depth %d\t check: %d\n", maxd, check(longlived));
  release(longlived);
  return 0;
}
