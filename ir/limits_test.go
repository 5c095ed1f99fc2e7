package ir

import (
	"strings"
	"testing"
)

// TestLongTokenDiagnostics checks that a parse error about a 50 MB name
// quotes a bounded prefix of it (issue 14, item 9).
func TestLongTokenDiagnostics(t *testing.T) {
	huge := strings.Repeat("a", 50<<20)
	tests := []struct {
		name, src, prefix string
	}{
		{"undefined local", "define double @f() {\nentry:\n  ret double %" + huge + "\n}\n", "t.ll:3:14: error: use of undefined value '%aaaa"},
		{"bad type", "define " + huge + " @f() {\n}\n", "t.ll:1:8: error: expected a type, found 'aaaa"},
		{"unknown instruction", "define void @f() {\nentry:\n  " + huge + " double 1.0\n  ret void\n}\n", "t.ll:3:3: error: unknown or unsupported instruction 'aaaa"},
		{"redefinition", "declare void @" + huge + "()\ndeclare void @" + huge + "()\n", "t.ll:2:14: error: redefinition of '@aaaa"},
		{"integer out of range", "@g = global [" + strings.Repeat("9", 50<<20) + " x i8] zeroinitializer\n", "t.ll:1:14: error: integer 9999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString("t.ll", tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if len(msg) > 200 {
				t.Fatalf("error is %d bytes long: %.200q", len(msg), msg)
			}
			if !strings.HasPrefix(msg, tc.prefix) || !strings.Contains(msg, "bytes)") {
				t.Errorf("error %q, want prefix %q and the name's length", msg, tc.prefix)
			}
		})
	}
}

// TestSizeAndNestingLimits checks the parser's checks on type sizes,
// alignments and type nesting (issue 14, items 6 and 7).
func TestSizeAndNestingLimits(t *testing.T) {
	deep := strings.Repeat("[1 x ", 100000) + "i8" + strings.Repeat("]", 100000)
	tests := []struct{ name, src, want string }{
		{"global size overflows", "@g = global [4611686018427387904 x i64] zeroinitializer\n",
			"t.ll:1:13: error: type [4611686018427387904 x i64] is too large: its size in bytes overflows 64 bits"},
		{"nested size overflows", "@g = global [65536 x [65536 x [65536 x [65536 x i8]]]] zeroinitializer\n",
			"t.ll:1:13: error: type [65536 x [65536 x [65536 x [65536 x i8]]]] is too large"},
		{"size beyond int64", "@g = external global [9223372036854775807 x i16]\n",
			"t.ll:1:22: error: type [9223372036854775807 x i16] is too large"},
		{"alloca size overflows", "define void @f() {\n  %a = alloca [2305843009213693952 x double]\n  ret void\n}\n",
			"t.ll:2:15: error: type [2305843009213693952 x double] is too large"},
		{"global align", "@g = global i32 0, align 3\n", "t.ll:1:26: error: alignment 3 is not a power of two between 1 and 2^32"},
		{"alloca align", "define void @f() {\n  %a = alloca i32, align 9223372036854775807\n  ret void\n}\n", "t.ll:2:26: error: alignment 9223372036854775807 is not a power of two"},
		{"load align", "define i32 @f(ptr %p) {\n  %v = load i32, ptr %p, align 0\n  ret i32 %v\n}\n", "t.ll:2:32: error: alignment 0 is not a power of two"},
		{"deep array type", "@g = external global " + deep + "\n", "error: type nests too deeply (limit 256)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseString("t.ll", tc.src)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestVerifyRejectsOverflowingSizes checks the verifier on modules built
// through the API, where the parser's checks do not run.
func TestVerifyRejectsOverflowingSizes(t *testing.T) {
	huge := ArrayType(1<<62, I64)
	m := NewModule("m")
	m.Globals = append(m.Globals, &Global{Name: "g", ValueType: huge, Init: &ConstZero{Typ: huge}, Module: m})
	f, err := m.NewFunction("f", FuncType(Void, nil, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	b.SetInsertPoint(f.NewBlock("entry"))
	f.Blocks[0].Insert(0, &Instr{Op: OpAlloca, Typ: Ptr, Name: "a", ElemType: ArrayType(1<<61, F64)})
	b.RetVoid()
	err = Verify(m)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"global: type [4611686018427387904 x i64] is too large", "alloca: type [2305843009213693952 x double] is too large"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to contain %q", err, want)
		}
	}
	if s := huge.Size(); s != 1<<63-1 {
		t.Errorf("Size of an overflowing type = %d, want MaxInt64", s)
	}
}

// TestVerifyErrorIsShort checks that a verifier error about a function
// and block with 1 MB names is short (found by internal/mutate).
func TestVerifyErrorIsShort(t *testing.T) {
	long := strings.Repeat("n", 1<<20)
	m := NewModule("m")
	f, err := m.NewFunction(long, FuncType(Void, nil, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder()
	b.SetInsertPoint(f.NewBlock(long))
	b.Call(f, nil, long)
	err = Verify(m)
	if err == nil {
		t.Fatal("no error")
	}
	if msg := err.Error(); len(msg) > 1000 || !strings.HasPrefix(msg, "verify: @nnnn") || !strings.Contains(msg, "bytes)") {
		t.Errorf("error of %d bytes: %.400q", len(msg), msg)
	}
}
