#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <complex.h>
struct pt { int x, y; };
struct big { long a, b, c, d; double e; };
struct bits { unsigned a:3, b:5; signed c:7; unsigned long long d:40; };
int cmp_int(const void *, const void *);
int cmp_pt(const void *, const void *);
void sort_and_search(void);
void sig_tests(void);
void jmp_tests(void);
extern const int table[16];
extern const char *const names[];
int common_counter;                    /* -fcommon tentative */
int weak_hook(int) __attribute__((weak));
int weakfn(int);
void misc_tests(void);
void late_tests(void);
struct big make_big(long);
struct pt add_pt(struct pt, struct pt);
long double ld_poly(long double);
double _Complex cmul(double _Complex, double _Complex);
int vsum(int n, ...);
char *vfmt(char *buf, const char *fmt, ...);
int arch_only(int);                    /* in libst.a, called only from late.c */
