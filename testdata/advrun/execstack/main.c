#include <stdio.h>
#include <stdlib.h>
static void apply(int *v, int n, void (*f)(int *)) { for (int i = 0; i < n; i++) f(&v[i]); }
int main(void) { int k = 3; void add(int *p) { *p += k; } int v[4] = {1, 2, 3, 4}; apply(v, 4, add); printf("%d %d %d %d\n", v[0], v[1], v[2], v[3]); return 0; }
