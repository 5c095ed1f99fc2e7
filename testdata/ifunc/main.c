#include <stdio.h>

extern int add(int, int);
extern double sumv(int n, ...);
extern long mix(long, double, long, float, long, long, long, double);
extern int call_twice(int);
extern int triple(int);
extern int (*def_padd)(int, int);
extern int (*def_ptriple)(int);
extern int resolver_calls;

int (*main_padd)(int, int) = add;

int main(void) {
  printf("add %d %d %d\n", add(1, 2), def_padd(3, 4), main_padd(5, 6));
  printf("sumv %g %g\n", sumv(4, 1.5, 2.5, 3.0, 4.0), sumv(0));
  printf("mix %ld\n", mix(1, 2.5, 3, 0.25f, 5, 6, 7, 0.125));
  printf("twice %d triple %d %d\n", call_twice(21), triple(14), def_ptriple(5));
  printf("same pointer in both objects %d\n", def_padd == main_padd);
  printf("resolver ran %s\n", resolver_calls > 0 ? "yes" : "no");
  return add(20, 22) == 1042 ? 0 : 1;
}
