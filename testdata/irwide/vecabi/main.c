// main.c and lib.c pass 16-byte vectors across a call (TestVectorABIBoundary).
#include <stdio.h>
#include <xmmintrin.h>
#include <emmintrin.h>

__m128 vadd(__m128 a, __m128 b);
__m128i vmix(__m128i a, int k);

int main(void) {
	float f[4];
	int i[4];
	_mm_storeu_ps(f, vadd(_mm_setr_ps(1, 2, 3, 4), _mm_set1_ps(0.5f)));
	_mm_storeu_si128((__m128i *)i, vmix(_mm_setr_epi32(10, 20, 30, 40), 3));
	printf("%g %g %g %g\n", f[0], f[1], f[2], f[3]);
	printf("%d %d %d %d\n", i[0], i[1], i[2], i[3]);
	return 0;
}
