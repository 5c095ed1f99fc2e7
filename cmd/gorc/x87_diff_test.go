//go:build cgo

package main

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestX87AgainstLLI runs every x86_fp80 operation gorc compiles on a few
// thousand random inputs (special values, random encodings of every
// exponent range, integers at the conversion edges) under gorc run (-O0
// and -O2, eager and lazy) and under lli-19, which compiles the same IR
// with LLVM's own x87 code, and compares the results bit for bit: the 80
// bits of each x86_fp80 result, the integer results, and a 16-bit mask of
// the sixteen fcmp predicates.
func TestX87AgainstLLI(t *testing.T) {
	lli := toolPath(t, "lli-19")
	bin := gorcBinary(t)
	seed := int64(26)
	if s := os.Getenv("GORC_X87_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	n := 1500
	if testing.Short() {
		n = 300
	}
	src := x87DiffModule(rand.New(rand.NewSource(seed)), n)
	lines := diffAgainstLLI(t, lli, bin, "x87", src, "GORC_X87_LL", seed, func(lines int) bool { return lines >= 35*n },
		func(i int) string { return fmt.Sprintf("line %d", i+1) })
	t.Logf("%d inputs, %d results compared bitwise, seed %d", n, lines, seed)
}

type fp80 struct {
	se   uint16
	mant uint64
}

func (f fp80) String() string { return fmt.Sprintf("0xK%04X%016X", f.se, f.mant) }

// scaled is u * 2^e (exact), negated if neg; u != 0.
func scaled(u uint64, e int, neg bool) fp80 {
	lz := bits.LeadingZeros64(u)
	f := fp80{uint16(e + 63 - lz + 16383), u << uint(lz)}
	if neg {
		f.se |= 0x8000
	}
	return f
}

func fromDouble(v float64) fp80 {
	b := math.Float64bits(v)
	sign := uint16(b>>63) << 15
	exp := int(b>>52) & 0x7ff
	frac := b & (1<<52 - 1)
	switch {
	case exp == 0 && frac == 0:
		return fp80{sign, 0}
	case exp == 0x7ff:
		return fp80{sign | 0x7fff, 1<<63 | frac<<11}
	case exp == 0:
		return scaled(frac, -1074, sign != 0)
	}
	return fp80{sign | uint16(exp-1023+16383), 1<<63 | frac<<11}
}

// randFP80 returns a random valid x86_fp80 encoding: special values,
// doubles, and random significands over every exponent range
// (denormals included).
func randFP80(r *rand.Rand) fp80 {
	specials := []fp80{{0, 0}, {0x8000, 0}, {0x7fff, 1 << 63}, {0xffff, 1 << 63}, {0x7fff, 3 << 62}, {0xffff, 0xc000000000001234},
		{0x7fff, 1<<63 | 1}, {0x3fff, 1 << 63}, {0xbfff, 1 << 63}, {0x403e, 1 << 63}, {0x403f, 1 << 63}, {0x403e, ^uint64(0)},
		{0x7ffe, ^uint64(0)}, {0x0001, 1 << 63}, {0, 1}, {0, 1<<63 - 1}, {0x8000, 12345}, {0x3ffe, ^uint64(0)}}
	neg := r.Intn(2) == 0
	switch k := r.Intn(10); {
	case k == 0:
		return specials[r.Intn(len(specials))]
	case k == 1:
		return fromDouble(math.Float64frombits(r.Uint64()))
	case k == 2:
		return fromDouble(r.NormFloat64() * 1e3)
	case k == 3: // denormal
		f := fp80{0, r.Uint64() >> uint(1+r.Intn(63))} // integer bit clear: not a pseudo-denormal, which LLVM copies through the x87 stack (normalising it) and gorc bit for bit
		if neg {
			f.se |= 0x8000
		}
		return f
	case k < 7: // moderate exponents, where results are ordinary
		return scaled(r.Uint64()|1<<63, r.Intn(200)-100, neg)
	}
	f := fp80{uint16(1 + r.Intn(0x7ffe)), r.Uint64() | 1<<63}
	if neg {
		f.se |= 0x8000
	}
	return f
}

// randIntFP80 returns a value whose conversion to an integer of the
// given width and signedness is defined (in range once truncated).
func randIntFP80(r *rand.Rand, width int, signed bool) fp80 {
	lim := width // magnitude below 2^lim
	if signed {
		lim--
	}
	switch r.Intn(8) {
	case 0:
		return fp80{0, 0}
	case 1:
		return fp80{0x8000, 0}
	case 2: // the largest in range, just below 2^lim
		return scaled(^uint64(0), lim-64, false)
	case 3:
		if signed { // -2^lim
			return scaled(1, lim, true)
		}
	case 4: // fractions
		return scaled(r.Uint64()|1, -(64 + r.Intn(8)), signed && r.Intn(2) == 0) // below 1
	}
	u := r.Uint64() | 1
	e := -r.Intn(64+8) + lim - 64
	return scaled(u, e, signed && r.Intn(2) == 0)
}

var x87Preds = []string{"false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "uno", "ueq", "ugt", "uge", "ult", "ule", "une", "true"}

// x87DiffModule builds the module: arrays of inputs and a main that
// prints, for each index, every operation's result on them.
func x87DiffModule(r *rand.Rand, n int) string {
	var b strings.Builder
	arr := func(name, typ string, val func(i int) string) {
		fmt.Fprintf(&b, "@%s = global [%d x %s] [", name, n, typ)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %s", typ, val(i))
		}
		b.WriteString("], align 16\n")
	}
	arr("A", "x86_fp80", func(int) string { return randFP80(r).String() })
	arr("B", "x86_fp80", func(i int) string {
		if i%7 == 0 {
			return randFP80(r).String()
		}
		return randFP80(r).String()
	})
	arr("I", "i64", func(int) string {
		switch r.Intn(4) {
		case 0:
			return fmt.Sprint([]int64{0, -1, 1, math.MinInt64, math.MaxInt64, 1 << 53, 1<<53 + 1, -(1 << 63) + 1}[r.Intn(8)])
		case 1:
			return fmt.Sprint(int64(r.Uint64() >> uint(r.Intn(64))))
		}
		return fmt.Sprint(int64(r.Uint64()))
	})
	arr("D", "double", func(int) string {
		v := math.Float64frombits(r.Uint64())
		if r.Intn(3) == 0 {
			v = r.NormFloat64()
		}
		return fmt.Sprintf("0x%016X", math.Float64bits(v))
	})
	type conv struct {
		width  int
		signed bool
	}
	convs := []conv{{8, true}, {16, true}, {32, true}, {64, true}, {8, false}, {16, false}, {32, false}, {64, false}}
	for _, c := range convs {
		c := c
		arr(fmt.Sprintf("C%d%v", c.width, c.signed), "x86_fp80", func(int) string { return randIntFP80(r, c.width, c.signed).String() })
	}
	b.WriteString(`@.f80 = private constant [17 x i8] c"%d %016llx %04x\0A\00"
@.int = private constant [12 x i8] c"%d %016llx\0A\00"
declare i32 @printf(ptr, ...)

define void @p80(i32 %op, x86_fp80 %v) {
  %s = alloca x86_fp80, align 16
  store x86_fp80 %v, ptr %s, align 16
  %lo = load i64, ptr %s, align 16
  %hp = getelementptr i8, ptr %s, i64 8
  %hi = load i16, ptr %hp, align 8
  %h = zext i16 %hi to i32
  call i32 (ptr, ...) @printf(ptr @.f80, i32 %op, i64 %lo, i32 %h)
  ret void
}

define void @pint(i32 %op, i64 %v) {
  call i32 (ptr, ...) @printf(ptr @.int, i32 %op, i64 %v)
  ret void
}

define x86_fp80 @pass(x86_fp80 %a, i32 %k, x86_fp80 %b) {
  %c = icmp sgt i32 %k, 3
  %r = select i1 %c, x86_fp80 %a, x86_fp80 %b
  ret x86_fp80 %r
}

define i32 @main() {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %pa = getelementptr [` + fmt.Sprint(n) + ` x x86_fp80], ptr @A, i64 0, i64 %i
  %a = load x86_fp80, ptr %pa, align 16
  %pb = getelementptr [` + fmt.Sprint(n) + ` x x86_fp80], ptr @B, i64 0, i64 %i
  %b = load x86_fp80, ptr %pb, align 16
  %pi = getelementptr [` + fmt.Sprint(n) + ` x i64], ptr @I, i64 0, i64 %i
  %n = load i64, ptr %pi, align 8
  %pd = getelementptr [` + fmt.Sprint(n) + ` x double], ptr @D, i64 0, i64 %i
  %d = load double, ptr %pd, align 8
`)
	op := 0
	emit80 := func(expr string) {
		fmt.Fprintf(&b, "  %%r%d = %s\n  call void @p80(i32 %d, x86_fp80 %%r%d)\n", op, expr, op, op)
		op++
	}
	emitInt := func(expr, typ string, signed bool) {
		ext := "zext"
		if signed {
			ext = "sext"
		}
		if typ == "i64" {
			fmt.Fprintf(&b, "  %%r%d = %s\n  call void @pint(i32 %d, i64 %%r%d)\n", op, expr, op, op)
		} else {
			fmt.Fprintf(&b, "  %%t%d = %s\n  %%r%d = %s %s %%t%d to i64\n  call void @pint(i32 %d, i64 %%r%d)\n", op, expr, op, ext, typ, op, op, op)
		}
		op++
	}
	for _, o := range []string{"fadd", "fsub", "fmul", "fdiv", "frem"} {
		emit80(fmt.Sprintf("%s x86_fp80 %%a, %%b", o))
		emit80(fmt.Sprintf("%s x86_fp80 %%b, %%a", o))
	}
	emit80("fadd x86_fp80 %a, 0xK3FFF8000000000000000")
	emit80("fmul x86_fp80 0xKC00AFA00000000000000, %b")
	emit80("fneg x86_fp80 %a")
	emit80("fpext double %d to x86_fp80")
	b.WriteString("  %fl = fptrunc double %d to float\n")
	emit80("fpext float %fl to x86_fp80")
	fmt.Fprintf(&b, "  %%td = fptrunc x86_fp80 %%a to double\n  %%tdb = bitcast double %%td to i64\n  call void @pint(i32 %d, i64 %%tdb)\n", op)
	op++
	fmt.Fprintf(&b, "  %%tf = fptrunc x86_fp80 %%b to float\n  %%tfb = bitcast float %%tf to i32\n  %%tfz = zext i32 %%tfb to i64\n  call void @pint(i32 %d, i64 %%tfz)\n", op)
	op++
	for _, w := range []string{"i8", "i16", "i32", "i64"} {
		src := "%n"
		if w != "i64" {
			fmt.Fprintf(&b, "  %%n%s = trunc i64 %%n to %s\n", w, w)
			src = "%n" + w
		}
		emit80(fmt.Sprintf("sitofp %s %s to x86_fp80", w, src))
		emit80(fmt.Sprintf("uitofp %s %s to x86_fp80", w, src))
	}
	for _, c := range convs {
		name := fmt.Sprintf("C%d%v", c.width, c.signed)
		fmt.Fprintf(&b, "  %%p%s = getelementptr [%d x x86_fp80], ptr @%s, i64 0, i64 %%i\n  %%v%s = load x86_fp80, ptr %%p%s, align 16\n", name, n, name, name, name)
		o := "fptoui"
		if c.signed {
			o = "fptosi"
		}
		emitInt(fmt.Sprintf("%s x86_fp80 %%v%s to i%d", o, name, c.width), fmt.Sprintf("i%d", c.width), c.signed)
	}
	// The sixteen predicates, as a mask, on (a, b) and (a, a).
	for _, pair := range [][2]string{{"%a", "%b"}, {"%a", "%a"}, {"%b", "0xK00000000000000000000"}} {
		prev := "0"
		for k, p := range x87Preds {
			fmt.Fprintf(&b, "  %%c%d_%d = fcmp %s x86_fp80 %s, %s\n  %%z%d_%d = zext i1 %%c%d_%d to i64\n  %%s%d_%d = shl i64 %%z%d_%d, %d\n  %%m%d_%d = or i64 %s, %%s%d_%d\n",
				op, k, p, pair[0], pair[1], op, k, op, k, op, k, op, k, k, op, k, prev, op, k)
			prev = fmt.Sprintf("%%m%d_%d", op, k)
		}
		fmt.Fprintf(&b, "  call void @pint(i32 %d, i64 %s)\n", op, prev)
		op++
	}
	// A chain in which each result is the next instruction's first
	// operand (gorc keeps it in st(0) instead of reloading it). Its NaNs
	// are printed as one value: they come from the same NaN with either
	// sign, and which of two such operands an x87 operation returns
	// depends on their order on the stack, which LLVM does not fix (nor
	// does IR: a NaN result's sign is unspecified).
	b.WriteString("  %k1 = fmul x86_fp80 %a, %b\n  %k2 = fsub x86_fp80 %k1, %a\n  %k3 = fneg x86_fp80 %k2\n  %k4 = frem x86_fp80 %b, %k3\n  %k5 = fdiv x86_fp80 %k4, %b\n  %ks = alloca x86_fp80, align 16\n  store x86_fp80 %k5, ptr %ks, align 16\n  %k6 = load x86_fp80, ptr %ks, align 16\n  %k7 = fadd x86_fp80 %k6, %k3\n")
	fmt.Fprintf(&b, "  %%k8 = fptrunc x86_fp80 %%k7 to double\n  %%k9 = bitcast double %%k8 to i64\n  %%kn = fcmp uno double %%k8, %%k8\n  %%kc = select i1 %%kn, i64 1, i64 %%k9\n  call void @pint(i32 %d, i64 %%kc)\n", op)
	op++
	fmt.Fprintf(&b, "  %%kf = fadd x86_fp80 %%k5, %%k4\n  %%kg = fcmp uno x86_fp80 %%kf, %%kf\n  %%kh = select i1 %%kg, x86_fp80 0xK7FFFC000000000000000, x86_fp80 %%kf\n  call void @p80(i32 %d, x86_fp80 %%kh)\n", op)
	op++
	fmt.Fprintf(&b, "  %%k = trunc i64 %%n to i32\n")
	emit80("call x86_fp80 @pass(x86_fp80 %a, i32 %k, x86_fp80 %b)")
	emit80("select i1 true, x86_fp80 %b, x86_fp80 %a")
	fmt.Fprintf(&b, `  %%next = add i64 %%i, 1
  %%done = icmp eq i64 %%next, %d
  br i1 %%done, label %%exit, label %%loop
exit:
  ret i32 0
}
`, n)
	return b.String()
}

// diffAgainstLLI writes src as NAME.ll and runs it under lli-19 (whose
// line count linesOK must accept) and under gorc run -O0, -O2 and -O2
// -lazy; every line gorc prints differently is an error (the first ten
// named by where). keepEnv names the variable that keeps the module for
// a look at a failure. It returns lli's line count.
func diffAgainstLLI(t *testing.T, lli, bin, name, src, keepEnv string, seed int64, linesOK func(int) bool, where func(i int) string) int {
	t.Helper()
	dir := t.TempDir()
	ll := filepath.Join(dir, name+".ll")
	if err := os.WriteFile(ll, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv(keepEnv); keep != "" {
		os.WriteFile(keep, []byte(src), 0o644)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	want, err := runProcess(ctx, dir, []string{lli, ll}, "")
	if err != nil || want.status != 0 {
		t.Fatalf("lli-19: %v\n%v", err, want)
	}
	lines := strings.Count(want.stdout, "\n")
	if !linesOK(lines) {
		t.Fatalf("lli-19 printed %d lines, not what the module prints", lines)
	}
	for _, flags := range [][]string{{"-O0"}, {"-O2"}, {"-O2", "-lazy"}} {
		got, err := runProcess(ctx, dir, append(append([]string{bin, "run"}, flags...), ll), "")
		if err != nil {
			t.Fatal(err)
		}
		if got.status != 0 {
			t.Fatalf("gorc run %s: %v", strings.Join(flags, " "), got)
		}
		if got.stdout == want.stdout {
			continue
		}
		wl, gl := strings.Split(want.stdout, "\n"), strings.Split(got.stdout, "\n")
		bad := 0
		for i := 0; i < len(wl) && i < len(gl); i++ {
			if wl[i] != gl[i] {
				if bad < 10 {
					t.Errorf("gorc run %s: %s: lli-19 %q, gorc %q", strings.Join(flags, " "), where(i), wl[i], gl[i])
				}
				bad++
			}
		}
		t.Errorf("gorc run %s: %d of %d lines differ (seed %d; %s=FILE keeps the module)", strings.Join(flags, " "), bad, len(wl), seed, keepEnv)
	}
	return lines
}
