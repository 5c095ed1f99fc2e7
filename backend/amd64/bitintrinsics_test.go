package amd64

import "testing"

// TestBitIntrinsics runs the lowering of llvm.fshl/fshr, bswap, ctpop,
// ctlz and cttz (ir/intrinsics.go: shifts, masks and a SWAR population
// count) at every width against C's own (gcc's builtins and plain C):
// rotations and funnel shifts by 0 to 127 (taken modulo the width), and
// ctlz/cttz of 0 (the width). clang-19 emits them for rotations, struct
// swaps (-O2), __builtin_popcount/clz/ctz/bswap.
func TestBitIntrinsics(t *testing.T) {
	m := parse(t, `
declare i8 @llvm.fshl.i8(i8, i8, i8)
declare i8 @llvm.fshr.i8(i8, i8, i8)
declare i8 @llvm.ctpop.i8(i8)
declare i8 @llvm.ctlz.i8(i8, i1)
declare i8 @llvm.cttz.i8(i8, i1)
declare i16 @llvm.fshl.i16(i16, i16, i16)
declare i16 @llvm.fshr.i16(i16, i16, i16)
declare i16 @llvm.ctpop.i16(i16)
declare i16 @llvm.ctlz.i16(i16, i1)
declare i16 @llvm.cttz.i16(i16, i1)
declare i16 @llvm.bswap.i16(i16)
declare i32 @llvm.fshl.i32(i32, i32, i32)
declare i32 @llvm.fshr.i32(i32, i32, i32)
declare i32 @llvm.ctpop.i32(i32)
declare i32 @llvm.ctlz.i32(i32, i1)
declare i32 @llvm.cttz.i32(i32, i1)
declare i32 @llvm.bswap.i32(i32)
declare i64 @llvm.fshl.i64(i64, i64, i64)
declare i64 @llvm.fshr.i64(i64, i64, i64)
declare i64 @llvm.ctpop.i64(i64)
declare i64 @llvm.ctlz.i64(i64, i1)
declare i64 @llvm.cttz.i64(i64, i1)
declare i64 @llvm.bswap.i64(i64)

define i64 @fshl_8(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i8
  %t1 = trunc i64 %a1 to i8
  %t2 = trunc i64 %a2 to i8
  %r = call i8 @llvm.fshl.i8(i8 %t0, i8 %t1, i8 %t2)
  %z = zext i8 %r to i64
  ret i64 %z
}

define i64 @fshr_8(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i8
  %t1 = trunc i64 %a1 to i8
  %t2 = trunc i64 %a2 to i8
  %r = call i8 @llvm.fshr.i8(i8 %t0, i8 %t1, i8 %t2)
  %z = zext i8 %r to i64
  ret i64 %z
}

define i64 @ctpop_8(i64 %a0) {
  %t0 = trunc i64 %a0 to i8
  %r = call i8 @llvm.ctpop.i8(i8 %t0)
  %z = zext i8 %r to i64
  ret i64 %z
}

define i64 @ctlz_8(i64 %a0) {
  %t0 = trunc i64 %a0 to i8
  %r = call i8 @llvm.ctlz.i8(i8 %t0, i1 false)
  %z = zext i8 %r to i64
  ret i64 %z
}

define i64 @cttz_8(i64 %a0) {
  %t0 = trunc i64 %a0 to i8
  %r = call i8 @llvm.cttz.i8(i8 %t0, i1 true)
  %z = zext i8 %r to i64
  ret i64 %z
}

define i64 @fshl_16(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i16
  %t1 = trunc i64 %a1 to i16
  %t2 = trunc i64 %a2 to i16
  %r = call i16 @llvm.fshl.i16(i16 %t0, i16 %t1, i16 %t2)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @fshr_16(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i16
  %t1 = trunc i64 %a1 to i16
  %t2 = trunc i64 %a2 to i16
  %r = call i16 @llvm.fshr.i16(i16 %t0, i16 %t1, i16 %t2)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @ctpop_16(i64 %a0) {
  %t0 = trunc i64 %a0 to i16
  %r = call i16 @llvm.ctpop.i16(i16 %t0)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @ctlz_16(i64 %a0) {
  %t0 = trunc i64 %a0 to i16
  %r = call i16 @llvm.ctlz.i16(i16 %t0, i1 false)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @cttz_16(i64 %a0) {
  %t0 = trunc i64 %a0 to i16
  %r = call i16 @llvm.cttz.i16(i16 %t0, i1 true)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @bswap_16(i64 %a0) {
  %t0 = trunc i64 %a0 to i16
  %r = call i16 @llvm.bswap.i16(i16 %t0)
  %z = zext i16 %r to i64
  ret i64 %z
}

define i64 @fshl_32(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i32
  %t1 = trunc i64 %a1 to i32
  %t2 = trunc i64 %a2 to i32
  %r = call i32 @llvm.fshl.i32(i32 %t0, i32 %t1, i32 %t2)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @fshr_32(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = trunc i64 %a0 to i32
  %t1 = trunc i64 %a1 to i32
  %t2 = trunc i64 %a2 to i32
  %r = call i32 @llvm.fshr.i32(i32 %t0, i32 %t1, i32 %t2)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @ctpop_32(i64 %a0) {
  %t0 = trunc i64 %a0 to i32
  %r = call i32 @llvm.ctpop.i32(i32 %t0)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @ctlz_32(i64 %a0) {
  %t0 = trunc i64 %a0 to i32
  %r = call i32 @llvm.ctlz.i32(i32 %t0, i1 false)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @cttz_32(i64 %a0) {
  %t0 = trunc i64 %a0 to i32
  %r = call i32 @llvm.cttz.i32(i32 %t0, i1 true)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @bswap_32(i64 %a0) {
  %t0 = trunc i64 %a0 to i32
  %r = call i32 @llvm.bswap.i32(i32 %t0)
  %z = zext i32 %r to i64
  ret i64 %z
}

define i64 @fshl_64(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = add i64 %a0, 0
  %t1 = add i64 %a1, 0
  %t2 = add i64 %a2, 0
  %r = call i64 @llvm.fshl.i64(i64 %t0, i64 %t1, i64 %t2)
  ret i64 %r
}

define i64 @fshr_64(i64 %a0, i64 %a1, i64 %a2) {
  %t0 = add i64 %a0, 0
  %t1 = add i64 %a1, 0
  %t2 = add i64 %a2, 0
  %r = call i64 @llvm.fshr.i64(i64 %t0, i64 %t1, i64 %t2)
  ret i64 %r
}

define i64 @ctpop_64(i64 %a0) {
  %t0 = add i64 %a0, 0
  %r = call i64 @llvm.ctpop.i64(i64 %t0)
  ret i64 %r
}

define i64 @ctlz_64(i64 %a0) {
  %t0 = add i64 %a0, 0
  %r = call i64 @llvm.ctlz.i64(i64 %t0, i1 false)
  ret i64 %r
}

define i64 @cttz_64(i64 %a0) {
  %t0 = add i64 %a0, 0
  %r = call i64 @llvm.cttz.i64(i64 %t0, i1 true)
  ret i64 %r
}

define i64 @bswap_64(i64 %a0) {
  %t0 = add i64 %a0, 0
  %r = call i64 @llvm.bswap.i64(i64 %t0)
  ret i64 %r
}
`)
	out := runC(t, m, `#include <stdint.h>
unsigned long long fshl_8(unsigned long long, unsigned long long, unsigned long long);
unsigned long long fshr_8(unsigned long long, unsigned long long, unsigned long long);
unsigned long long ctpop_8(unsigned long long);
unsigned long long ctlz_8(unsigned long long);
unsigned long long cttz_8(unsigned long long);
unsigned long long fshl_16(unsigned long long, unsigned long long, unsigned long long);
unsigned long long fshr_16(unsigned long long, unsigned long long, unsigned long long);
unsigned long long ctpop_16(unsigned long long);
unsigned long long ctlz_16(unsigned long long);
unsigned long long cttz_16(unsigned long long);
unsigned long long bswap_16(unsigned long long);
unsigned long long fshl_32(unsigned long long, unsigned long long, unsigned long long);
unsigned long long fshr_32(unsigned long long, unsigned long long, unsigned long long);
unsigned long long ctpop_32(unsigned long long);
unsigned long long ctlz_32(unsigned long long);
unsigned long long cttz_32(unsigned long long);
unsigned long long bswap_32(unsigned long long);
unsigned long long fshl_64(unsigned long long, unsigned long long, unsigned long long);
unsigned long long fshr_64(unsigned long long, unsigned long long, unsigned long long);
unsigned long long ctpop_64(unsigned long long);
unsigned long long ctlz_64(unsigned long long);
unsigned long long cttz_64(unsigned long long);
unsigned long long bswap_64(unsigned long long);
typedef unsigned long long u64;
static u64 mask(int w) { return w == 64 ? ~0ULL : (1ULL << w) - 1; }
static u64 ref_fshl(int w, u64 a, u64 b, u64 c) { a &= mask(w); b &= mask(w); int s = (int)(c % (u64)w); return s == 0 ? a : ((a << s) | (b >> (w - s))) & mask(w); }
static u64 ref_fshr(int w, u64 a, u64 b, u64 c) { a &= mask(w); b &= mask(w); int s = (int)(c % (u64)w); return s == 0 ? b : ((a << (w - s)) | (b >> s)) & mask(w); }
static u64 ref_pop(int w, u64 x) { return __builtin_popcountll(x & mask(w)); }
static u64 ref_clz(int w, u64 x) { x &= mask(w); return x == 0 ? (u64)w : (u64)(__builtin_clzll(x) - (64 - w)); }
static u64 ref_ctz(int w, u64 x) { x &= mask(w); return x == 0 ? (u64)w : (u64)__builtin_ctzll(x); }
static u64 ref_bswap(int w, u64 x) { u64 r = 0; for (int k = 0; k < w / 8; k++) r = r << 8 | ((x >> (8 * k)) & 0xff); return r; }
static const u64 vals[] = {0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x8000, 0xffff, 0x12345678, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x0123456789abcdefULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, 0xdeadbeefcafebabeULL, 0x5555555555555555ULL, 0xf0f0f0f0f0f0f0f0ULL};
#define NV (sizeof vals / sizeof vals[0])
int main(void) {
	long bad = 0, n = 0;
#define CHECK(got, want) do { n++; if ((got) != (want)) { bad++; if (bad < 10) printf("%s w=%d: got %llx want %llx\n", #got, w, (u64)(got), (u64)(want)); } } while (0)
	static u64 (*const fl[])(u64, u64, u64) = {fshl_8, fshl_16, fshl_32, fshl_64};
	static u64 (*const fr[])(u64, u64, u64) = {fshr_8, fshr_16, fshr_32, fshr_64};
	static u64 (*const pop[])(u64) = {ctpop_8, ctpop_16, ctpop_32, ctpop_64};
	static u64 (*const clz[])(u64) = {ctlz_8, ctlz_16, ctlz_32, ctlz_64};
	static u64 (*const ctz[])(u64) = {cttz_8, cttz_16, cttz_32, cttz_64};
	static u64 (*const bsw[])(u64) = {0, bswap_16, bswap_32, bswap_64};
	for (int wi = 0; wi < 4; wi++) {
		int w = 8 << wi;
		for (unsigned i = 0; i < NV; i++) {
			u64 x = vals[i];
			CHECK(pop[wi](x), ref_pop(w, x));
			CHECK(clz[wi](x), ref_clz(w, x));
			if ((x & mask(w)) != 0) CHECK(ctz[wi](x), ref_ctz(w, x));
			CHECK(ctz[wi](0), (u64)w);
			if (bsw[wi]) CHECK(bsw[wi](x), ref_bswap(w, x & mask(w)));
			for (unsigned j = 0; j < NV; j += 3)
				for (u64 s = 0; s < 130; s += 7) {
					CHECK(fl[wi](x, vals[j], s), ref_fshl(w, x, vals[j], s));
					CHECK(fr[wi](x, vals[j], s), ref_fshr(w, x, vals[j], s));
				}
		}
	}
	pi(bad);
	pi(n > 1000);
	return 0;
}
`)
	expectLines(t, out, []string{"0", "1"})
}
