package amd64

import (
	"fmt"
	"strings"
	"testing"
)

// TestAtomic128 compiles atomics of i128 (lowered by the IR parser to
// inline asm around lock cmpxchg16b, ir/wideatomic.go) and checks every
// atomicrmw operation, cmpxchg (success and failure), load and store
// against gcc's unsigned __int128 arithmetic on edge values (carries and
// borrows between the halves, signed and unsigned order).
func TestAtomic128(t *testing.T) {
	ops := []struct{ op, c string }{
		{"xchg", "v"},
		{"add", "o + v"},
		{"sub", "o - v"},
		{"and", "o & v"},
		{"or", "o | v"},
		{"xor", "o ^ v"},
		{"nand", "~(o & v)"},
		{"max", "((s128)o > (s128)v ? o : v)"},
		{"min", "((s128)o < (s128)v ? o : v)"},
		{"umax", "(o > v ? o : v)"},
		{"umin", "(o < v ? o : v)"},
	}
	var src strings.Builder
	widen := func(lo, hi string) string {
		return fmt.Sprintf("  %%zl = zext i64 %s to i128\n  %%zh = zext i64 %s to i128\n  %%sh = shl i128 %%zh, 64\n  %%v = or i128 %%zl, %%sh\n", lo, hi)
	}
	store := func(v string) string {
		return fmt.Sprintf("  %%rl = trunc i128 %s to i64\n  %%rs = lshr i128 %s, 64\n  %%rh = trunc i128 %%rs to i64\n  store i64 %%rl, ptr %%out, align 8\n  %%o8 = getelementptr i8, ptr %%out, i64 8\n  store i64 %%rh, ptr %%o8, align 8\n", v, v)
	}
	for _, o := range ops {
		fmt.Fprintf(&src, "define void @rmw_%s(ptr %%p, i64 %%lo, i64 %%hi, ptr %%out) {\n%s  %%old = atomicrmw %s ptr %%p, i128 %%v seq_cst, align 16\n%s  ret void\n}\n",
			o.op, widen("%lo", "%hi"), o.op, store("%old"))
	}
	fmt.Fprintf(&src, "define i32 @cas(ptr %%p, i64 %%lo, i64 %%hi, i64 %%nlo, i64 %%nhi, ptr %%out) {\n%s  %%nl = zext i64 %%nlo to i128\n  %%nh = zext i64 %%nhi to i128\n  %%ns = shl i128 %%nh, 64\n  %%n = or i128 %%nl, %%ns\n  %%r = cmpxchg ptr %%p, i128 %%v, i128 %%n acq_rel monotonic, align 16\n  %%old = extractvalue { i128, i1 } %%r, 0\n  %%ok = extractvalue { i128, i1 } %%r, 1\n%s  %%z = zext i1 %%ok to i32\n  ret i32 %%z\n}\n",
		widen("%lo", "%hi"), store("%old"))
	fmt.Fprintf(&src, "define void @ld(ptr %%p, ptr %%out) {\n  %%v = load atomic i128, ptr %%p acquire, align 16\n%s  ret void\n}\n", store("%v"))
	fmt.Fprintf(&src, "define void @st(ptr %%p, i64 %%lo, i64 %%hi) {\n%s  store atomic i128 %%v, ptr %%p release, align 16\n  ret void\n}\n", widen("%lo", "%hi"))
	m := parse(t, src.String())

	var drv strings.Builder
	drv.WriteString("typedef unsigned __int128 u128;\ntypedef __int128 s128;\nstatic u128 cell __attribute__((aligned(16)));\nstatic int bad;\n")
	drv.WriteString("static void chk(const char *what, u128 got, u128 want) { if (got != want) { bad++; printf(\"%s: got %016llx%016llx want %016llx%016llx\\n\", what, (unsigned long long)(got >> 64), (unsigned long long)got, (unsigned long long)(want >> 64), (unsigned long long)want); } }\n")
	for _, o := range ops {
		fmt.Fprintf(&drv, "void rmw_%s(u128 *, unsigned long long, unsigned long long, u128 *);\n", o.op)
	}
	drv.WriteString("int cas(u128 *, unsigned long long, unsigned long long, unsigned long long, unsigned long long, u128 *);\nvoid ld(u128 *, u128 *);\nvoid st(u128 *, unsigned long long, unsigned long long);\n")
	drv.WriteString("int main(void) {\n  static const u128 vals[] = {0, 1, ~(u128)0, (u128)1 << 63, ((u128)1 << 64) - 1, (u128)1 << 64, (u128)1 << 127, ((u128)1 << 127) - 1, ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull, (u128)(s128)-5};\n  int n = sizeof vals / sizeof vals[0];\n  u128 got;\n")
	drv.WriteString("  for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {\n    u128 o = vals[i], v = vals[j];\n    (void)o;\n")
	for _, o := range ops {
		fmt.Fprintf(&drv, "    cell = o; rmw_%s(&cell, (unsigned long long)v, (unsigned long long)(v >> 64), &got); chk(\"%s old\", got, o); chk(\"%s new\", cell, %s);\n", o.op, o.op, o.op, o.c)
	}
	drv.WriteString("    cell = o; { int ok = cas(&cell, (unsigned long long)v, (unsigned long long)(v >> 64), 7, 9, &got); chk(\"cas old\", got, o); chk(\"cas ok\", ok, o == v); chk(\"cas new\", cell, o == v ? ((u128)9 << 64) | 7 : o); }\n")
	drv.WriteString("    cell = o; ld(&cell, &got); chk(\"load\", got, o); st(&cell, (unsigned long long)v, (unsigned long long)(v >> 64)); chk(\"store\", cell, v);\n  }\n  printf(\"bad %d\\n\", bad);\n  return 0;\n}\n")
	expectLines(t, runC(t, m, drv.String()), []string{"bad 0"})
}
