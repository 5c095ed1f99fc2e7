//go:build cgo

package main

import (
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"strings"
	"testing"
)

// TestI128AgainstLLI runs every i128 (and i96) operation gorc lowers to
// pairs of i64 (ir/wideint.go) on random inputs (special values, random
// 128-bit, 64-bit and small values) under gorc run (-O0 and -O2, eager
// and lazy) and under lli-19, and compares the printed results: the
// arithmetic, logic, shifts by a variable and by constants, division and
// remainder (libgcc), the ten compares, casts, conversions to double,
// select and phi.
func TestI128AgainstLLI(t *testing.T) {
	lli := toolPath(t, "lli-19")
	bin := gorcBinary(t)
	seed := int64(27)
	if s := os.Getenv("GORC_I128_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	n := 600
	if testing.Short() {
		n = 150
	}
	src, perInput := i128DiffModule(rand.New(rand.NewSource(seed)), n)
	lines := diffAgainstLLI(t, lli, bin, "i128", src, "GORC_I128_LL", seed, func(lines int) bool { return lines == perInput*n },
		func(i int) string { return fmt.Sprintf("line %d (input %d, result %d)", i+1, i/perInput, i%perInput) })
	t.Logf("%d inputs, %d results compared, seed %d", n, lines, seed)
}

// randI128 returns a random 128-bit value as a signed decimal literal.
func randI128(r *rand.Rand) string {
	one := big.NewInt(1)
	pow := func(k uint) *big.Int { return new(big.Int).Lsh(one, k) }
	var v *big.Int
	switch k := r.Intn(8); k {
	case 0:
		specials := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(-1), big.NewInt(2), pow(64), new(big.Int).Sub(pow(64), one),
			pow(63), new(big.Int).Neg(pow(127)), new(big.Int).Sub(pow(127), one), new(big.Int).Neg(pow(64)), big.NewInt(10)}
		v = specials[r.Intn(len(specials))]
	case 1:
		v = big.NewInt(r.Int63n(1000) - 500)
	case 2:
		v = big.NewInt(int64(r.Uint64()))
	case 3:
		v = new(big.Int).SetUint64(r.Uint64())
	default:
		v = new(big.Int).SetUint64(r.Uint64())
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(r.Uint64()))
		v.Rsh(v, uint(r.Intn(100)))
		if r.Intn(2) == 0 {
			v.Neg(v)
		}
		v.Mod(v, pow(128))
		if v.Cmp(pow(127)) >= 0 {
			v.Sub(v, pow(128))
		}
	}
	return v.String()
}

// i128DiffModule is a module that applies each operation to n inputs
// (a, b, a shift count) from a global table and prints each result as
// hex; it returns the module and the results printed per input.
func i128DiffModule(r *rand.Rand, n int) (string, int) {
	var b strings.Builder
	b.WriteString("@fmt = private constant [11 x i8] c\"%llx %llx\\0A\\00\"\n")
	fmt.Fprintf(&b, "@in = global [%d x i128] [", 2*n)
	for i := 0; i < 2*n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "i128 %s", randI128(r))
	}
	b.WriteString("], align 16\n")
	fmt.Fprintf(&b, "@sh = global [%d x i32] [", n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "i32 %d", r.Intn(128))
	}
	b.WriteString("]\n")
	b.WriteString("declare i32 @printf(ptr, ...)\n")
	b.WriteString("define void @pr(i64 %hi, i64 %lo) {\n  call i32 (ptr, ...) @printf(ptr @fmt, i64 %hi, i64 %lo)\n  ret void\n}\n")
	// i128 in signatures: a function of the module and libgcc's __multi3
	// (native), both with the psABI's two eightbytes.
	b.WriteString("declare i128 @__multi3(i128, i128)\n")
	b.WriteString("define i128 @mix(i128 %x, i64 %y, i128 %z) {\n  %m = mul i128 %x, %z\n  %e = sext i64 %y to i128\n  %r = add i128 %m, %e\n  ret i128 %r\n}\n")
	b.WriteString("define void @ops(ptr %pa, ptr %pb, i32 %s32) {\nentry:\n")
	b.WriteString("  %a = load i128, ptr %pa, align 16\n  %b0 = load i128, ptr %pb, align 16\n")
	b.WriteString("  %s = zext i32 %s32 to i128\n")
	// A divisor that cannot trap: 1 for 0, and for -1 when a is MIN.
	b.WriteString("  %bz = icmp eq i128 %b0, 0\n  %amin = icmp eq i128 %a, -170141183460469231731687303715884105728\n")
	b.WriteString("  %bm1 = icmp eq i128 %b0, -1\n  %ov = and i1 %amin, %bm1\n  %bad = or i1 %bz, %ov\n")
	b.WriteString("  %b = select i1 %bad, i128 1, i128 %b0\n")
	k := 0
	pr := func(v string) {
		fmt.Fprintf(&b, "  %%h%d = lshr i128 %s, 64\n  %%ht%d = trunc i128 %%h%d to i64\n  %%lt%d = trunc i128 %s to i64\n", k, v, k, k, k, v)
		fmt.Fprintf(&b, "  call void @pr(i64 %%ht%d, i64 %%lt%d)\n", k, k)
		k++
	}
	res := 0
	op := func(expr string) {
		fmt.Fprintf(&b, "  %%r%d = %s\n", res, expr)
		pr(fmt.Sprintf("%%r%d", res))
		res++
	}
	for _, o := range []string{"add", "sub", "mul", "and", "or", "xor", "udiv", "sdiv", "urem", "srem"} {
		op(o + " i128 %a, %b")
	}
	for _, o := range []string{"shl", "lshr", "ashr"} {
		op(o + " i128 %a, %s")
		for _, c := range []int{1, 17, 63, 64, 65, 100, 127} {
			op(fmt.Sprintf("%s i128 %%a, %d", o, c))
		}
	}
	op("mul i128 %a, 3")
	op("call i128 @mix(i128 %a, i64 -7, i128 %b)")
	op("call i128 @__multi3(i128 %a, i128 %b0)")
	op("add i128 %a, 18446744073709551615")
	op("sub i128 0, %a")
	for i, p := range []string{"eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge"} {
		fmt.Fprintf(&b, "  %%c%d = icmp %s i128 %%a, %%b0\n", i, p)
		op(fmt.Sprintf("zext i1 %%c%d to i128", i))
	}
	op("select i1 %c2, i128 %a, i128 %b")
	b.WriteString("  %t64 = trunc i128 %a to i64\n  %t32 = trunc i128 %b to i32\n  %t8 = trunc i128 %a to i8\n")
	op("zext i64 %t64 to i128")
	op("sext i64 %t64 to i128")
	op("sext i32 %t32 to i128")
	op("zext i8 %t8 to i128")
	// i96: the upper half holds 32 bits.
	b.WriteString("  %a96 = trunc i128 %a to i96\n  %b96 = trunc i128 %b to i96\n")
	for _, e := range []string{"add i96 %a96, %b96", "mul i96 %a96, %b96", "lshr i96 %a96, 40", "ashr i96 %a96, 70"} {
		fmt.Fprintf(&b, "  %%w%d = %s\n", res, e)
		op(fmt.Sprintf("sext i96 %%w%d to i128", res))
	}
	b.WriteString("  %c96 = icmp slt i96 %a96, %b96\n")
	op("zext i1 %c96 to i128")
	b.WriteString("  %fa = sitofp i128 %a to double\n  %fb = uitofp i128 %b to double\n")
	b.WriteString("  %ia = bitcast double %fa to i64\n  %ib = bitcast double %fb to i64\n")
	op("zext i64 %ia to i128")
	op("zext i64 %ib to i128")
	b.WriteString("  %big = fcmp olt double %fa, 1.0e30\n  %small = fcmp ogt double %fa, -1.0e30\n  %inr = and i1 %big, %small\n")
	b.WriteString("  %fc = select i1 %inr, double %fa, double 0.0\n")
	op("fptosi double %fc to i128")
	b.WriteString("  br i1 %c2, label %x, label %y\nx:\n  %px = add i128 %a, 5\n  br label %j\ny:\n  %py = xor i128 %b, -1\n  br label %j\nj:\n")
	op("phi i128 [ %px, %x ], [ %py, %y ]")
	b.WriteString("  ret void\n}\n")
	fmt.Fprintf(&b, "define i32 @main() {\nentry:\n  br label %%loop\nloop:\n  %%i = phi i64 [ 0, %%entry ], [ %%i1, %%loop ]\n")
	b.WriteString("  %ia2 = shl i64 %i, 1\n  %ib2 = or i64 %ia2, 1\n")
	b.WriteString("  %pa = getelementptr [0 x i128], ptr @in, i64 0, i64 %ia2\n  %pb = getelementptr [0 x i128], ptr @in, i64 0, i64 %ib2\n")
	b.WriteString("  %ps = getelementptr i32, ptr @sh, i64 %i\n  %s = load i32, ptr %ps\n")
	b.WriteString("  call void @ops(ptr %pa, ptr %pb, i32 %s)\n  %i1 = add i64 %i, 1\n")
	fmt.Fprintf(&b, "  %%done = icmp eq i64 %%i1, %d\n  br i1 %%done, label %%end, label %%loop\nend:\n  ret i32 0\n}\n", n)
	return b.String(), res
}
