/* SSE intrinsics with vector-typed helper functions, GCC vector_size
   types and saturating arithmetic (helpers kept out of line, so that
   vectors cross calls at every level), self-checking. */
#include <stdio.h>
#include <stdint.h>
#include <emmintrin.h>

typedef int v4si __attribute__((vector_size(16)));
typedef float v4sf __attribute__((vector_size(16)));
typedef short v8hi __attribute__((vector_size(16)));

static __m128 axpy(__m128 a, __m128 x, __m128 y) { return _mm_add_ps(_mm_mul_ps(a, x), y); }
__attribute__((noinline)) static __m128i sat16(__m128i a, __m128i b) { return _mm_adds_epi16(a, b); }
__attribute__((noinline)) static __m128i satsub16(__m128i a, __m128i b) { return _mm_subs_epi16(a, b); }
__attribute__((noinline)) static __m128i satu8(__m128i a, __m128i b) { return _mm_adds_epu8(a, b); }
static __m128d dmix(__m128d a, __m128d b) { return _mm_add_pd(_mm_mul_pd(a, b), _mm_set1_pd(0.5)); }
__attribute__((noinline)) static v4si vmix(v4si a, v4si b) { return a * b + (a >> 1) - (b & 7); }
static v4sf vscale(v4sf a, float s) { return a * s + 1.0f; }
static v8hi vneg(v8hi a) { return -a; }

__attribute__((noinline)) static int sadd_i32(int a, int b) { return __builtin_elementwise_add_sat(a, b); }
__attribute__((noinline)) static short ssub_i16(short a, short b) { return __builtin_elementwise_sub_sat(a, b); }

int main(void) {
	float out[4];
	__m128 acc = _mm_setzero_ps();
	for (int i = 0; i < 100; i++)
		acc = axpy(_mm_set1_ps(0.5f), _mm_setr_ps(i, i + 1, i * 0.25f, -i), acc);
	_mm_storeu_ps(out, acc);
	printf("axpy %.3f %.3f %.3f %.3f\n", out[0], out[1], out[2], out[3]);

	short s[8];
	__m128i a = _mm_setr_epi16(30000, -30000, 100, -100, 32767, -32768, 1, 0);
	__m128i b = _mm_setr_epi16(10000, -10000, 200, -200, 1, -1, -1, 0);
	_mm_storeu_si128((__m128i *)s, sat16(a, b));
	printf("adds");
	for (int i = 0; i < 8; i++)
		printf(" %d", s[i]);
	_mm_storeu_si128((__m128i *)s, satsub16(a, b));
	printf("\nsubs");
	for (int i = 0; i < 8; i++)
		printf(" %d", s[i]);
	unsigned char u[16];
	__m128i c = _mm_set1_epi8((char)200);
	_mm_storeu_si128((__m128i *)u, satu8(c, _mm_setr_epi8(0, 10, 55, 56, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)));
	printf("\naddu8");
	for (int i = 0; i < 16; i++)
		printf(" %d", u[i]);
	double d[2];
	_mm_storeu_pd(d, dmix(_mm_setr_pd(1.5, -2.25), _mm_setr_pd(4.0, 8.0)));
	printf("\ndmix %g %g\n", d[0], d[1]);

	v4si x = {1, -7, 100, 123456}, y = {3, 5, -9, 77};
	for (int i = 0; i < 5; i++)
		x = vmix(x, y);
	printf("vmix %d %d %d %d\n", x[0], x[1], x[2], x[3]);
	v4sf f = {1, 2, 3, 4};
	for (int i = 0; i < 10; i++)
		f = vscale(f, 0.5f);
	printf("vscale %g %g %g %g\n", f[0], f[1], f[2], f[3]);
	v8hi h = {1, -2, 3, -4, 5, -6, 7, -32768};
	h = vneg(h);
	printf("vneg %d %d %d %d\n", h[0], h[1], h[6], h[7]);
	long sum = 0;
	for (int i = -5; i < 5; i++) {
		sum += sadd_i32(0x7ffffff0 + i, i * 10) + sadd_i32(-0x7ffffff0 - i, -i * 10);
		sum += ssub_i16((short)(32760 + i), (short)(-i * 3)) + ssub_i16((short)(-32760 - i), (short)(i * 3));
	}
	printf("sat %ld\n", sum);
	return 0;
}
