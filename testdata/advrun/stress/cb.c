#include "st.h"
int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
int cmp_pt(const void *a, const void *b) { const struct pt *p = a, *q = b; return p->x != q->x ? p->x - q->x : p->y - q->y; }
