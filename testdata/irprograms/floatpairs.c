/* Structs of two, three and four floats and float _Complex, returned and
 * passed by value: clang-19 gives them the types <2 x float>,
 * { <2 x float>, float } and { <2 x float>, <2 x float> }, and at -O1
 * and above computes on the pairs with vector fadd/fmul, insertelement,
 * extractelement and shufflevector. */
#include <complex.h>
#include <stdio.h>
#include <stdlib.h>

struct v2 { float x, y; };
struct v3 { float x, y, z; };
struct v4 { float a, b, c, d; };
struct tagged { float w; int n; };

static struct v2 v2(float x, float y) { return (struct v2){x, y}; }
__attribute__((noinline)) struct v2 add2(struct v2 a, struct v2 b) { return v2(a.x + b.x, a.y + b.y); }
__attribute__((noinline)) struct v2 scale2(struct v2 a, float k) { return v2(a.x * k, a.y * k); }
__attribute__((noinline)) struct v2 swap2(struct v2 a) { return v2(a.y, a.x); }
__attribute__((noinline)) float dot2(struct v2 a, struct v2 b) { return a.x * b.x + a.y * b.y; }
__attribute__((noinline)) struct v3 cross(struct v3 a, struct v3 b) {
	return (struct v3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
__attribute__((noinline)) struct v4 mix4(struct v4 a, struct v4 b, float t) {
	return (struct v4){a.a + (b.a - a.a) * t, a.b + (b.b - a.b) * t, a.c + (b.c - a.c) * t, a.d + (b.d - a.d) * t};
}
__attribute__((noinline)) struct tagged tag(float w, int n) { return (struct tagged){w * 2, n + 1}; }
__attribute__((noinline)) float _Complex cmul(float _Complex a, float _Complex b) { return a * b; }
__attribute__((noinline)) float _Complex cdiv(float _Complex a, float _Complex b) { return a / b; }
__attribute__((noinline)) float _Complex cpolyval(float _Complex z, int n) {
	float _Complex acc = 1;
	for (int i = 0; i < n; i++)
		acc = acc * z + (float)i;
	return acc;
}

typedef struct v2 (*binop)(struct v2, struct v2);
__attribute__((noinline)) struct v2 fold(binop f, const struct v2 *xs, int n) {
	struct v2 acc = v2(0, 0);
	for (int i = 0; i < n; i++)
		acc = f(acc, xs[i]);
	return acc;
}
static struct v2 maxv(struct v2 a, struct v2 b) { return v2(a.x > b.x ? a.x : b.x, a.y > b.y ? a.y : b.y); }

static int bylen(const void *p, const void *q) {
	const struct v2 *a = p, *b = q;
	float la = dot2(*a, *a), lb = dot2(*b, *b);
	return (la > lb) - (la < lb);
}

int main(void) {
	struct v2 a = v2(1.5f, -2.0f), b = v2(0.25f, 4.0f);
	struct v2 s = add2(a, b), k = scale2(s, 3.0f), w = swap2(k);
	printf("v2 %g %g | %g %g | %g %g | dot %g\n", s.x, s.y, k.x, k.y, w.x, w.y, dot2(a, b));
	struct v3 c = cross((struct v3){1, 0, 0}, (struct v3){0, 1, 0});
	struct v3 d = cross((struct v3){1.5f, 2, -3}, (struct v3){4, -0.5f, 2});
	printf("v3 %g %g %g | %g %g %g\n", c.x, c.y, c.z, d.x, d.y, d.z);
	struct v4 m = mix4((struct v4){0, 1, 2, 3}, (struct v4){10, 20, 30, 40}, 0.25f);
	printf("v4 %g %g %g %g\n", m.a, m.b, m.c, m.d);
	struct tagged t = tag(1.25f, 41);
	printf("tag %g %d\n", t.w, t.n);
	float _Complex z = cmul(1.0f + 2.0f * I, 3.0f - 1.0f * I);
	float _Complex q = cdiv(z, 2.0f + 1.0f * I);
	float _Complex p = cpolyval(0.5f + 0.25f * I, 6);
	printf("complex %g %g | %g %g | %g %g\n", crealf(z), cimagf(z), crealf(q), cimagf(q), crealf(p), cimagf(p));
	struct v2 xs[8];
	for (int i = 0; i < 8; i++)
		xs[i] = v2((float)(i * 3 % 7) - 3, (float)(i * 5 % 8) * 0.5f);
	struct v2 sum = fold(add2, xs, 8), mx = fold(maxv, xs, 8);
	printf("fold %g %g | %g %g\n", sum.x, sum.y, mx.x, mx.y);
	qsort(xs, 8, sizeof xs[0], bylen);
	for (int i = 0; i < 8; i++)
		printf("%g,%g%c", xs[i].x, xs[i].y, i == 7 ? '\n' : ' ');
	return 0;
}
