/* Vectors of pointers: the vectorizers compute the addresses a loop stores
   (&tab[idx[i]], &ps[i].b) with getelementptr on vectors of indices, at
   -O3 -march=x86-64-v3 as constant expressions too; self-checking. */
#include <stdio.h>
int tab[1024];
int *ptrs[256];
long idx[256];
struct P { int a, b; } ps[256];
int *pb[256];
int main(void) {
	for (int i = 0; i < 1024; i++) tab[i] = i * 7 + 3;
	for (int i = 0; i < 256; i++) idx[i] = (i * 37) % 1024;
	for (int i = 0; i < 256; i++) ptrs[i] = &tab[idx[i]];
	for (int i = 0; i < 256; i++) pb[i] = &ps[i].b;
	long s = 0;
	for (int i = 0; i < 256; i++) s += *ptrs[i] + (pb[i] - &ps[0].b);
	printf("%ld\n", s);
	return 0;
}
