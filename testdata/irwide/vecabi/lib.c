#include <xmmintrin.h>
#include <emmintrin.h>

__m128 vadd(__m128 a, __m128 b) { return _mm_add_ps(a, b); }

__m128i vmix(__m128i a, int k) { return _mm_add_epi32(a, _mm_set1_epi32(k)); }
