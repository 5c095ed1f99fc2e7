/* 2-D and 3-D vectors by value: { double, double } in XMM0:XMM1,
   3-vectors in memory (sret and byval), a convex hull and areas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { double x, y; } vec2;
typedef struct { double x, y, z; } vec3;
typedef struct { vec2 lo, hi; } box;

static vec2 v2(double x, double y) { return (vec2){x, y}; }
static vec2 sub2(vec2 a, vec2 b) { return v2(a.x - b.x, a.y - b.y); }
static double cross2(vec2 a, vec2 b) { return a.x * b.y - a.y * b.x; }
static vec3 v3(double x, double y, double z) { return (vec3){x, y, z}; }
static vec3 cross3(vec3 a, vec3 b) { return v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x); }
static double dot3(vec3 a, vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static vec2 rot(vec2 p, double t) { return v2(p.x * cos(t) - p.y * sin(t), p.x * sin(t) + p.y * cos(t)); }
static box grow(box b, vec2 p) {
	if (p.x < b.lo.x) b.lo.x = p.x;
	if (p.y < b.lo.y) b.lo.y = p.y;
	if (p.x > b.hi.x) b.hi.x = p.x;
	if (p.y > b.hi.y) b.hi.y = p.y;
	return b;
}

static int cmp(const void *a, const void *b) {
	const vec2 *p = a, *q = b;
	return p->x < q->x ? -1 : p->x > q->x ? 1 : p->y < q->y ? -1 : p->y > q->y;
}

static int hull(vec2 *pts, int n, vec2 *out) {
	qsort(pts, n, sizeof *pts, cmp);
	int k = 0;
	for (int i = 0; i < n; i++) {
		while (k >= 2 && cross2(sub2(out[k - 1], out[k - 2]), sub2(pts[i], out[k - 2])) <= 0) k--;
		out[k++] = pts[i];
	}
	for (int i = n - 2, t = k + 1; i >= 0; i--) {
		while (k >= t && cross2(sub2(out[k - 1], out[k - 2]), sub2(pts[i], out[k - 2])) <= 0) k--;
		out[k++] = pts[i];
	}
	return k - 1;
}

int main(void) {
	vec2 pts[40], h[81];
	unsigned s = 12345;
	box b = {{1e9, 1e9}, {-1e9, -1e9}};
	for (int i = 0; i < 40; i++) {
		s = s * 1103515245 + 12345;
		double x = (s >> 16) % 1000 / 10.0;
		s = s * 1103515245 + 12345;
		double y = (s >> 16) % 1000 / 10.0;
		pts[i] = rot(v2(x, y), 0.1);
		b = grow(b, pts[i]);
	}
	int n = hull(pts, 40, h);
	double area = 0;
	for (int i = 0; i < n; i++)
		area += cross2(h[i], h[(i + 1) % n]);
	printf("hull %d points, area %.3f\n", n, area / 2);
	printf("box %.3f %.3f %.3f %.3f\n", b.lo.x, b.lo.y, b.hi.x, b.hi.y);
	vec3 a = v3(1, 2, 3), c = v3(-2, 0.5, 4), x = cross3(a, c);
	printf("cross %.2f %.2f %.2f dot %.2f %.2f\n", x.x, x.y, x.z, dot3(x, a), dot3(a, c));
	return n;
}
