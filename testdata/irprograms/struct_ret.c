/* Structs returned (and passed) by value in every psABI class: INTEGER
   in one or two registers, SSE in one or two, mixed INTEGER+SSE and
   SSE+INTEGER, and MEMORY (through a hidden pointer). */
#include <stdio.h>

struct i1 { int a, b; };            /* INTEGER, one eightbyte */
struct i2 { long a; long b; };      /* INTEGER, INTEGER */
struct i3 { int k; long v; };       /* { i32, i64 } */
struct s1 { double x; };            /* SSE */
struct s2 { double x, y; };         /* SSE, SSE */
struct m1 { long n; double d; };    /* INTEGER, SSE */
struct m2 { double d; int n; };     /* SSE, INTEGER */
struct m3 { float f; int n; double d; }; /* INTEGER (float+int), SSE */
struct mem { long a, b, c; };       /* MEMORY */
struct ch { char c; short s; };     /* small INTEGER */

static struct i1 mk_i1(int a, int b) { struct i1 r = {a, b}; return r; }
static struct i2 mk_i2(long a, long b) { return (struct i2){a * 2, b * 3}; }
static struct i3 mk_i3(int k, long v) { return (struct i3){k, v << 20}; }
static struct s1 mk_s1(double x) { return (struct s1){x / 4}; }
static struct s2 mk_s2(double x, double y) { return (struct s2){y, x}; }
static struct m1 mk_m1(long n) { return (struct m1){n, n * 0.5}; }
static struct m2 mk_m2(int n) { return (struct m2){n + 0.25, -n}; }
static struct m3 mk_m3(int n) { return (struct m3){n * 1.5f, n, n / 8.0}; }
static struct mem mk_mem(long a) { return (struct mem){a, a + 1, a + 2}; }
static struct ch mk_ch(int c) { return (struct ch){(char)c, (short)(c * 300)}; }

static struct s2 add_s2(struct s2 a, struct s2 b) { return (struct s2){a.x + b.x, a.y + b.y}; }
static struct m1 scale_m1(struct m1 a, int k) { return (struct m1){a.n * k, a.d * k}; }
static struct mem sum_mem(struct mem a, struct mem b) { return (struct mem){a.a + b.a, a.b + b.b, a.c + b.c}; }
static struct i2 swap_i2(struct i2 v) { return (struct i2){v.b, v.a}; }

/* A struct chosen in a branch: phi (or select) of the struct at -O1+. */
static struct m1 pick(int c, struct m1 a, struct m1 b) { return c ? a : b; }
static struct s2 accumulate(int n) {
	struct s2 acc = {0, 0};
	for (int i = 1; i <= n; i++)
		acc = add_s2(acc, mk_s2(i, 1.0 / i));
	return acc;
}

int main(void) {
	struct i1 a = mk_i1(3, -4);
	struct i2 b = swap_i2(mk_i2(5, 6));
	struct i3 c = mk_i3(-9, 3);
	struct s1 d = mk_s1(10);
	struct s2 e = add_s2(mk_s2(1.5, 2.5), mk_s2(0.25, 0.75));
	struct m1 f = scale_m1(mk_m1(7), 3);
	struct m2 g = mk_m2(11);
	struct m3 h = mk_m3(12);
	struct mem i = sum_mem(mk_mem(1), mk_mem(10));
	struct ch j = mk_ch(65);
	printf("i1 %d %d\n", a.a, a.b);
	printf("i2 %ld %ld\n", b.a, b.b);
	printf("i3 %d %ld\n", c.k, c.v);
	printf("s1 %g\n", d.x);
	printf("s2 %g %g\n", e.x, e.y);
	printf("m1 %ld %g\n", f.n, f.d);
	printf("m2 %g %d\n", g.d, g.n);
	printf("m3 %g %d %g\n", h.f, h.n, h.d);
	printf("mem %ld %ld %ld\n", i.a, i.b, i.c);
	printf("ch %c %d\n", j.c, j.s);
	long s = 0;
	for (int k = 0; k < 10; k++) {
		struct m1 p = pick(k & 1, mk_m1(k), scale_m1(mk_m1(k), -1));
		s += p.n + (long)p.d;
	}
	struct s2 acc = accumulate(20);
	printf("pick %ld acc %.6f %.6f\n", s, acc.x, acc.y);
	return (int)(s & 0x7f);
}
