package ir

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// roundTrip parses src, verifies it, prints it, re-parses the print and
// checks the second print is identical.
func roundTrip(t *testing.T, name, src string) *Module {
	t.Helper()
	m, err := ParseString(name, src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := Verify(m); err != nil {
		t.Fatalf("verify: %v", err)
	}
	out := m.String()
	m2, err := ParseString(name+".printed", out)
	if err != nil {
		t.Fatalf("re-parse of printed module: %v\n%s", err, out)
	}
	if err := Verify(m2); err != nil {
		t.Fatalf("verify printed: %v", err)
	}
	if out2 := m2.String(); out2 != out {
		t.Fatalf("print is not stable:\n--- first\n%s\n--- second\n%s", out, out2)
	}
	return m
}

func TestRoundTripTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	if len(files) < 3 {
		t.Fatalf("expected .ll files in testdata, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, f, string(src))
		})
	}
}

// TestLLIRunsPrintedIR checks that the printed form of modules LLVM made
// (clang output) and the tutorial's IR still run in lli-19 with the same
// output and exit status as the original text.
func TestLLIRunsPrintedIR(t *testing.T) {
	lli, err := exec.LookPath("lli-19")
	if err != nil {
		t.Fatalf("lli-19 not found (run scripts/deps.sh to install llvm-19): %v", err)
	}
	for _, f := range []string{"testdata/clang_O0.ll", "testdata/clang_O1.ll", "testdata/kaleido_tutorial.ll", "testdata/clang_item1_O0.ll", "testdata/clang_item1_O1.ll", "testdata/structs.ll", "testdata/clang_consts_O0.ll", "testdata/clang_consts_O1.ll", "testdata/clang_structs_O0.ll", "testdata/clang_structs_O1.ll", "testdata/ctors.ll", "testdata/aggregates.ll"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(f, src)
		if err != nil {
			t.Fatal(err)
		}
		run := func(text string) (string, int) {
			p := filepath.Join(t.TempDir(), "m.ll")
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(lli, p).Output()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			return string(out), code
		}
		wantOut, wantCode := run(string(src))
		gotOut, gotCode := run(m.String())
		if gotOut != wantOut || gotCode != wantCode {
			t.Errorf("%s: lli on printed IR gave %q (exit %d), on original %q (exit %d)", f, gotOut, gotCode, wantOut, wantCode)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"undefined value", "define double @f() {\nentry:\n  ret double %x\n}\n", "t.ll:3:14: error: use of undefined value '%x'"},
		{"bad type", "define dbl @f() {\n}\n", "t.ll:1:8: error: expected a type, found 'dbl'"},
		{"unknown instr", "define void @f() {\nentry:\n  frobnicate double 1.0\n  ret void\n}\n", "t.ll:3:3: error: unknown or unsupported instruction 'frobnicate'"},
		{"type mismatch", "define double @f(i32 %a) {\nentry:\n  %x = fadd double %a, 1.0\n  ret double %x\n}\n", "t.ll:3:20: error: '%a' defined with type 'i32' but expected 'double'"},
		{"undefined label", "define void @f() {\nentry:\n  br label %nowhere\n}\n", "t.ll:3:12: error: use of undefined label '%nowhere' in '@f'"},
		{"no terminator", "define void @f() {\nentry:\n  %x = fadd double 1.0, 2.0\n}\n", "error: block 'entry' in '@f' does not end with a terminator"},
		{"redefinition", "declare void @f()\ndeclare void @f()\n", "t.ll:2:14: error: redefinition of '@f'"},
		{"dup value", "define double @f() {\nentry:\n  %x = fadd double 1.0, 2.0\n  %x = fadd double 1.0, 2.0\n  ret double %x\n}\n", "t.ll:4:3: error: multiple definition of local value named 'x'"},
		{"bad numbering", "define double @f(double) {\n  %3 = fadd double %0, 1.0\n  ret double %3\n}\n", "t.ll:2:3: error: instruction expected to be numbered '%2'"},
		{"undefined global", "define void @f() {\nentry:\n  call void @g()\n  ret void\n}\n", "t.ll:3:13: error: use of undefined global '@g'"},
		{"unterminated string", "source_filename = \"abc\n", "t.ll:1:19: error: unterminated string"},
		{"vector type", "define <8 x float> @f() {\n}\n", "t.ll:1:8: error: vector type '<8 x float>' is not supported in a signature (vectors of up to 16 bytes"},
		{"bad char", "define void @f() {\nentry:\n  ret void ^\n}\n", "t.ll:3:12: error: unexpected character '^'"},
		{"missing brace", "define void @f() {\nentry:\n  ret void\n", "t.ll:4:1: error: expected '}' at end of function '@f'"},
		// (As llvm-as; before, read as a declaration, so that ParseLazy,
		// which leaves the body to ParseBody, gave another module:
		// FuzzParseLazy's seed 65c9fecf84c5f02d.)
		{"empty body", "define void @a(){}define i32 @b(){\n}\n", "t.ll:1:18: error: function body requires at least one basic block"},
		{"bad fcmp pred", "define i1 @f(double %a) {\nentry:\n  %c = fcmp slt double %a, %a\n  ret i1 %c\n}\n", "t.ll:3:13: error: invalid fcmp predicate 'slt'"},
		{"atomic load release", "define i32 @f(ptr %p) {\n  %x = load atomic i32, ptr %p release, align 4\n  ret i32 %x\n}\n", "t.ll:2:8: error: atomic load cannot be 'release'"},
		{"atomic load no ordering", "define i32 @f(ptr %p) {\n  %x = load atomic i32, ptr %p, align 4\n  ret i32 %x\n}\n", "t.ll:2:31: error: expected an atomic ordering, found ','"},
		{"atomic store acquire", "define void @f(ptr %p) {\n  store atomic i32 1, ptr %p acquire, align 4\n  ret void\n}\n", "t.ll:2:3: error: atomic store cannot be 'acquire'"},
		{"atomic load i24", "define i32 @f(ptr %p) {\n  %x = load atomic { i32 }, ptr %p seq_cst, align 4\n  ret i32 0\n}\n", "t.ll:2:20: error: atomic load of type '{ i32 }' is not supported"},
		{"atomicrmw fadd int", "define i32 @f(ptr %p) {\n  %x = atomicrmw fadd ptr %p, i32 1 seq_cst\n  ret i32 %x\n}\n", "t.ll:2:31: error: atomicrmw fadd of type 'i32' is not supported"},
		{"atomicrmw bad op", "define i32 @f(ptr %p) {\n  %x = atomicrmw uinc_wrap ptr %p, i32 1 seq_cst\n  ret i32 %x\n}\n", "t.ll:2:18: error: unsupported atomicrmw operation 'uinc_wrap'"},
		{"cmpxchg float", "define float @f(ptr %p) {\n  %x = cmpxchg ptr %p, float 1.0, float 2.0 seq_cst seq_cst\n  %y = extractvalue { float, i1 } %x, 0\n  ret float %y\n}\n", "t.ll:2:24: error: cmpxchg of type 'float' is not supported"},
		{"cmpxchg one ordering", "define i32 @f(ptr %p) {\n  %x = cmpxchg ptr %p, i32 1, i32 2 seq_cst\n  %y = extractvalue { i32, i1 } %x, 0\n  ret i32 %y\n}\n", "t.ll:3:3: error: expected an atomic ordering, found '%y'"},
		{"vector intrinsic", "declare <2 x float> @llvm.experimental.vp.fabs.v2f32(<2 x float>)\ndefine <2 x float> @f(<2 x float> %x) {\n  %y = call <2 x float> @llvm.experimental.vp.fabs.v2f32(<2 x float> %x)\n  ret <2 x float> %y\n}\n", "t.ll:3:8: error: unsupported intrinsic '@llvm.experimental.vp.fabs.f32'"},
		{"vector select", "define void @f() {\n  %v = select <2 x i1> zeroinitializer, <4 x i32> zeroinitializer, <4 x i32> zeroinitializer\n  ret void\n}\n", "t.ll:2:41: error: select of '<4 x i32>' on a condition of type '<2 x i1>'"},
		{"shufflevector range", "define <2 x float> @f(<2 x float> %x) {\n  %c = shufflevector <2 x float> %x, <2 x float> %x, <2 x i32> <i32 0, i32 4>\n  ret <2 x float> %c\n}\n", "t.ll:2:54: error: shufflevector mask element 4 out of range"},
		{"vector length", "define void @f() {\n  %a = alloca <0 x float>\n  ret void\n}\n", "t.ll:2:15: error: vector length 0 is not supported"},
		{"fence monotonic", "define void @f() {\n  fence monotonic\n  ret void\n}\n", "t.ll:2:3: error: fence cannot be 'monotonic'"},
		{"switch on double", "define void @f(double %x) {\n  switch double %x, label %d [ ]\nd:\n  ret void\n}\n", "t.ll:2:3: error: switch on a value of type 'double' (an integer type is required)"},
		{"switch dup case", "define void @f(i32 %x) {\n  switch i32 %x, label %d [ i32 1, label %d\n i32 1, label %d ]\nd:\n  ret void\n}\n", "t.ll:3:6: error: duplicate switch case value 1"},
		{"switch case type", "define void @f(i32 %x) {\n  switch i32 %x, label %d [ i64 1, label %d ]\nd:\n  ret void\n}\n", "t.ll:2:29: error: switch case of type 'i64', expected 'i32'"},
		{"switch undefined label", "define void @f(i32 %x) {\n  switch i32 %x, label %d [ i32 1, label %e ]\nd:\n  ret void\n}\n", "t.ll:2:42: error: use of undefined label '%e' in '@f'"},
		{"unsupported intrinsic", "declare ptr @llvm.frobnicate.p0()\ndefine void @f() {\n  %s = call ptr @llvm.frobnicate.p0()\n  ret void\n}\n", "t.ll:3:3: error: unsupported intrinsic '@llvm.frobnicate.p0'"},
		{"memset wrong types", "declare void @llvm.memset.p0.i64(ptr, i32, i64, i1)\ndefine void @f(ptr %p) {\n  call void @llvm.memset.p0.i64(ptr %p, i32 0, i64 8, i1 false)\n  ret void\n}\n", "t.ll:3:3: error: call of '@llvm.memset.p0.i64' with unexpected operand types"},
		{"const expr", "@p = global i64 mul (i64 2, i64 3)\n", "t.ll:1:17: error: expected a value, found 'mul' (not a supported constant or constant expression)"},
		{"thread_local model", "@t = thread_local(fastest) global i32 0\n", "t.ll:1:19: error: unknown thread-local model 'fastest'"},
		{"threadlocal.address of a global", "@g = global i32 0\ndeclare ptr @llvm.threadlocal.address.p0(ptr)\ndefine ptr @f() {\n  %p = call ptr @llvm.threadlocal.address.p0(ptr @g)\n  ret ptr %p\n}\n", "t.ll:4:3: error: '@llvm.threadlocal.address.p0' of something other than a thread_local global"},
		{"const gep non-constant index", "@g = global i32 0\ndefine ptr @f(i64 %i) {\n  ret ptr getelementptr (i32, ptr @g, i64 %i)\n}\n", "t.ll:3:11: error: getelementptr index 1 is not an integer constant"},
		{"array too short", "@a = global [3 x i32] [i32 1, i32 2]\n", "t.ll:1:23: error: constant of type '[3 x i32]' has 2 elements"},
		{"array elem type", "@a = global [2 x i32] [i32 1, i64 2]\n", "t.ll:1:31: error: element of type 'i64' in a constant of type '[2 x i32]', expected 'i32'"},
		{"struct for array", "@a = global [2 x i32] { i32 1, i32 2 }\n", "t.ll:1:23: error: constant struct for type '[2 x i32]'"},
		{"aggregate argument", "declare void @g([2 x i8])\n", "t.ll:1:17: error: values of aggregate type '[2 x i8]' are not supported as parameters or call arguments"},
		{"bad cast expr", "@p = global i64 ptrtoint (i64 1 to i64)\n", "t.ll:1:17: error: invalid ptrtoint constant expression from 'i64' to 'i64'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString("t.ll", tc.src)
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.src)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestParseErrorsFirstInSource: a body with several undefined values,
// labels or globals reports the one earliest in the source, every time
// (they are kept in maps, whose order varies from run to run).
func TestParseErrorsFirstInSource(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"values", "define double @f() {\nentry:\n  %a = fadd double %u1, %u2\n  %b = fadd double %u3, %u4\n  %c = fadd double %u5, %u6\n  ret double %u7\n}\n", "t.ll:3:20: error: use of undefined value '%u1'"},
		{"labels", "define void @f(i1 %c) {\nentry:\n  br i1 %c, label %l1, label %l2\nx:\n  br label %l3\ny:\n  br label %l4\n}\n", "t.ll:3:19: error: use of undefined label '%l1' in '@f'"},
		{"globals", "define void @f() {\nentry:\n  call void @g1()\n  call void @g2()\n  call void @g3()\n  call void @g4()\n  ret void\n}\n", "t.ll:3:13: error: use of undefined global '@g1'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < 30; i++ {
				_, err := ParseString("t.ll", tc.src)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("try %d: error %v, want it to contain %q", i, err, tc.want)
				}
			}
		})
	}
}

func TestParseAcceptsLLVMExtras(t *testing.T) {
	src := `; ModuleID = 'x'
source_filename = "x.c"
target datalayout = "e-m:e-i64:64-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@g = dso_local local_unnamed_addr global double 0x400921FB54442D18, align 8
@.str = private unnamed_addr constant [3 x i8] c"hi\00", align 1

define dso_local noundef double @f(double noundef %x, ptr nocapture noundef readonly align 8 dereferenceable(8) %p) local_unnamed_addr #0 section ".text" {
entry:
  %v = load double, ptr %p, align 8, !tbaa !3
  %s = fadd reassoc nnan double %x, %v
  %n = fneg fast double %s
  %c = fcmp fast oge double %n, -0.000000e+00
  %r = select i1 %c, double %n, double 1.5e+00
  %q = tail call fast double @llvm.sqrt.f64(double %r) #1, !dbg !9
  %i = fptosi double %q to i32
  %j = add nuw nsw i32 %i, 7
  %k = sext i32 %j to i64
  %e = getelementptr inbounds [3 x i8], ptr @.str, i64 0, i64 %k
  %z = call i32 (ptr, ...) @printf(ptr noundef nonnull @.str, double %q)
  store double %q, ptr @g, align 8
  ret double %q
}

declare double @llvm.sqrt.f64(double) #1
declare noundef i32 @printf(ptr nocapture noundef readonly, ...) local_unnamed_addr #2

attributes #0 = { nounwind uwtable "target-cpu"="x86-64" }
attributes #1 = { nocallback nofree }
!3 = !{!4, !4, i64 0}
!llvm.ident = !{!"clang version 19"}
`
	m := roundTrip(t, "x.ll", src)
	f := m.Func("f")
	if f == nil || len(f.Blocks) != 1 || len(f.Blocks[0].Instrs) != 13 {
		t.Fatalf("unexpected parse: %v", m)
	}
	in := f.Blocks[0].Instrs[1]
	if in.Op != OpFAdd || in.Flags != FlagReassoc|FlagNNan {
		t.Errorf("fadd flags = %b", in.Flags)
	}
	if c := f.Blocks[0].Instrs[3]; c.Pred != FCmpOGE || c.Flags != FlagFast {
		t.Errorf("fcmp = %v", c)
	}
	if g := m.Lookup("g").(*Global); g.Init.(*ConstFloat).V != 3.141592653589793 {
		t.Errorf("hex float = %v", g.Init.Ident())
	}
	if p := m.Func("printf"); !p.Sig.Variadic || len(p.Sig.Params) != 1 {
		t.Errorf("printf sig = %v", p.Sig)
	}
}

func TestAllPredicatesRoundTrip(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("define i1 @f(double %a, double %b, i64 %x, i64 %y) {\nentry:\n")
	for p := FCmpFalse; p <= FCmpTrue; p++ {
		sb.WriteString("  %f" + p.String() + " = fcmp " + p.String() + " double %a, %b\n")
	}
	for p := ICmpEQ; p < numPreds; p++ {
		sb.WriteString("  %i" + p.String() + " = icmp " + p.String() + " i64 %x, %y\n")
	}
	sb.WriteString("  ret i1 %foeq\n}\n")
	m := roundTrip(t, "p.ll", sb.String())
	if n := len(m.Funcs[0].Blocks[0].Instrs); n != 16+10+1 {
		t.Fatalf("%d instructions", n)
	}
}

func TestFormatFloat(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{1, "1.000000e+00"}, {0, "0.000000e+00"}, {-2.5, "-2.500000e+00"}, {0.1, "1.000000e-01"}, {0.123456789, "0x3FBF9ADD3739635F"},
		{1e100, "1.000000e+100"}, {3.141592653589793, "0x400921FB54442D18"},
	}
	for _, tc := range tests {
		if got := FormatFloat(F64, tc.v); got != tc.want {
			t.Errorf("FormatFloat(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestVerifierRejects(t *testing.T) {
	mk := func() (*Module, *Function, *Builder) {
		m := NewModule("v")
		f, _ := m.NewFunction("f", FuncType(F64, []*Type{F64}, false), []string{"x"})
		b := NewBuilder()
		b.SetInsertPoint(f.NewBlock("entry"))
		return m, f, b
	}
	tests := []struct {
		name  string
		build func() *Module
		want  string
	}{
		{"no terminator", func() *Module {
			m, f, b := mk()
			b.FAdd(f.Params[0], f.Params[0], "a")
			return m
		}, "verify: @f, block %entry: block does not end with a terminator: %a = fadd double %x, %x"},
		{"type mismatch", func() *Module {
			m, f, b := mk()
			a := b.FAdd(f.Params[0], NewInt(I32, 1), "a")
			b.Ret(a)
			return m
		}, "fadd needs two floating-point operands of the result type"},
		{"bad ret", func() *Module {
			m, _, b := mk()
			b.Ret(NewInt(I32, 1))
			return m
		}, "ret must return a double"},
		{"dominance", func() *Module {
			m, f, b := mk()
			other := f.NewBlock("other")
			join := f.NewBlock("join")
			c := b.FCmp(FCmpOLT, f.Params[0], NewFloat(1), "c")
			b.CondBr(c, other, join)
			b.SetInsertPoint(other)
			v := b.FAdd(f.Params[0], NewFloat(1), "v")
			b.Br(join)
			b.SetInsertPoint(join)
			b.Ret(v)
			return m
		}, "verify: @f, block %join: operand %v does not dominate its use: ret double %v"},
		{"phi preds", func() *Module {
			m, f, b := mk()
			next := f.NewBlock("next")
			b.Br(next)
			b.SetInsertPoint(next)
			p := b.Phi(F64, "p")
			p.AddIncoming(f.Params[0], f.Blocks[0])
			p.AddIncoming(f.Params[0], next)
			b.Ret(p)
			return m
		}, "phi has 2 entries but the block has 1 predecessors"},
		{"wrong arg count", func() *Module {
			m, f, b := mk()
			r := b.Call(f, nil, "r")
			b.Ret(r)
			return m
		}, "call passes 0 arguments, function takes 1"},
		{"use before def in block", func() *Module {
			m, f, b := mk()
			a := &Instr{Op: OpFAdd, Typ: F64, Name: "a", Ops: []Value{f.Params[0], f.Params[0]}}
			b.FAdd(a, a, "b")
			b.Insert(a)
			b.Ret(a)
			return m
		}, "operand %a does not dominate its use"},
		{"phi after non-phi", func() *Module {
			m, f, b := mk()
			b.FAdd(f.Params[0], f.Params[0], "a")
			p := b.Phi(F64, "p")
			_ = p
			b.Ret(f.Params[0])
			return m
		}, "phi after a non-phi instruction"},
		{"bad cast", func() *Module {
			m, f, b := mk()
			z := b.Cast(OpZExt, f.Params[0], I64, "z")
			_ = z
			b.Ret(f.Params[0])
			return m
		}, "invalid zext from double to i64"},
		{"operand removed from its block", func() *Module {
			m, f, b := mk()
			a := b.FAdd(f.Params[0], f.Params[0], "a")
			b.Ret(a)
			blk := f.Blocks[0]
			blk.Instrs = blk.Instrs[1:] // a still names the block
			return m
		}, "operand is an instruction not in this function"},
		{"operand of another function", func() *Module {
			m, f, b := mk()
			g, _ := m.NewFunction("g", FuncType(F64, []*Type{F64}, false), []string{"y"})
			gb := NewBuilder()
			gb.SetInsertPoint(g.NewBlock("entry"))
			ga := gb.FAdd(g.Params[0], g.Params[0], "ga")
			gb.Ret(ga)
			b.Ret(ga)
			_ = f
			return m
		}, "operand is an instruction not in this function"},
		{"cond not i1", func() *Module {
			m, f, b := mk()
			b.CondBr(f.Params[0], f.Blocks[0], f.Blocks[0])
			return m
		}, "branch condition must be i1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.build())
			if err == nil {
				t.Fatal("Verify accepted bad IR")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, want it to contain %q", err, tc.want)
			}
			// VerifyFunctionScratch finds the same errors.
			m := tc.build()
			for _, f := range m.Funcs {
				e1, e2 := VerifyFunction(f), VerifyFunctionScratch(f)
				if fmt.Sprint(e1) != fmt.Sprint(e2) {
					t.Errorf("@%s: VerifyFunction: %v; VerifyFunctionScratch: %v", f.Name, e1, e2)
				}
			}
		})
	}
}

func TestDomTree(t *testing.T) {
	src := `define void @f(i1 %c) {
s:
  br label %a
a:
  br i1 %c, label %b, label %c1
b:
  br label %d
c1:
  br label %d
d:
  br i1 %c, label %a, label %e
e:
  ret void
dead:
  br label %e
}
`
	m, err := ParseString("d.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	f := m.Funcs[0]
	dt := NewDomTree(f)
	blk := func(n string) *Block {
		for _, b := range f.Blocks {
			if b.Name == n {
				return b
			}
		}
		t.Fatalf("no block %s", n)
		return nil
	}
	if dt.Idom(blk("d")) != blk("a") || dt.Idom(blk("e")) != blk("d") || dt.Idom(blk("b")) != blk("a") {
		t.Errorf("wrong idoms")
	}
	if dt.Reachable(blk("dead")) {
		t.Errorf("dead block reachable")
	}
	if !dt.Dominates(blk("a"), blk("e")) || dt.Dominates(blk("b"), blk("d")) {
		t.Errorf("wrong Dominates")
	}
	df := dt.Frontiers()
	if got := df[blk("b").Index]; len(got) != 1 || got[0] != blk("d") {
		t.Errorf("DF(b) = %v", got)
	}
	if got := df[blk("d").Index]; len(got) != 1 || got[0] != blk("a") {
		t.Errorf("DF(d) = %v", got)
	}
}

// TestPrinterUniquifiesNames checks that repeated names get fresh
// suffixes that avoid names already in use, and that the result parses.
func TestPrinterUniquifiesNames(t *testing.T) {
	m := NewModule("u")
	f, _ := m.NewFunction("f", FuncType(F64, []*Type{F64}, false), []string{"x"})
	b := NewBuilder()
	b.SetInsertPoint(f.NewBlock("x"))
	a := b.FAdd(f.Params[0], NewFloat(1), "x")
	c := b.FAdd(a, NewFloat(2), "x1")
	d := b.FAdd(c, NewFloat(3), "x")
	b.Ret(d)
	out := f.String()
	for _, want := range []string{"x2:", "%x3 = fadd double %x, 1.000000e+00", "%x1 = fadd double %x3, 2.000000e+00", "%x4 = fadd double %x1, 3.000000e+00", "ret double %x4"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	roundTrip(t, "u.ll", m.String())
}

// TestVerifyKeepsIDs: VerifyFunction numbers instructions through their
// scratch IDs while it checks, and gives them back.
func TestVerifyKeepsIDs(t *testing.T) {
	m := NewModule("v")
	f, _ := m.NewFunction("f", FuncType(F64, []*Type{F64}, false), []string{"x"})
	b := NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	a := b.FAdd(f.Params[0], f.Params[0], "a")
	c := b.FMul(a, a, "c")
	next := f.NewBlock("next")
	b.Br(next)
	b.SetInsertPoint(next)
	b.Ret(b.FAdd(c, a, "d"))
	want := map[*Instr]int{}
	for i, blk := range f.Blocks {
		for j, in := range blk.Instrs {
			in.ID = 1000 + 10*i + j
			want[in] = in.ID
		}
	}
	if err := VerifyFunction(f); err != nil {
		t.Fatal(err)
	}
	for in, id := range want {
		if in.ID != id {
			t.Errorf("%s: ID %d after VerifyFunction, want %d", in.Op, in.ID, id)
		}
	}
}

// TestVerifyScratchNumbers: VerifyFunctionScratch leaves each
// instruction's ID at its position in its block.
func TestVerifyScratchNumbers(t *testing.T) {
	m := NewModule("v")
	f, _ := m.NewFunction("f", FuncType(F64, []*Type{F64}, false), []string{"x"})
	b := NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	a := b.FAdd(f.Params[0], f.Params[0], "a")
	next := f.NewBlock("next")
	b.Br(next)
	b.SetInsertPoint(next)
	b.Ret(b.FAdd(a, a, "d"))
	for _, blk := range f.Blocks {
		for _, in := range blk.Instrs {
			in.ID = 1000
		}
	}
	if err := VerifyFunctionScratch(f); err != nil {
		t.Fatal(err)
	}
	for _, blk := range f.Blocks {
		for j, in := range blk.Instrs {
			if in.ID != j {
				t.Errorf("%s: ID %d after VerifyFunctionScratch, want %d", in.Op, in.ID, j)
			}
		}
	}
}
