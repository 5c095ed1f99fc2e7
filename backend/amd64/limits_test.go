package amd64

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestSizeOverflow checks the backend's size arithmetic: an alloca whose
// count times element size wraps around 2^64, and a global of a type
// whose size overflows (built through the API, where the parser's check
// does not run), are errors, not small objects (issue 14, item 7).
func TestSizeOverflow(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"alloca count wraps", "define double @f() {\n  %a = alloca double, i64 2305843009213693953\n  %v = load double, ptr %a\n  ret double %v\n}\n",
			"amd64: function @f: %a: alloca of 2305843009213693953 x double is too large (at most 1 GiB)"},
		{"alloca negative count", "define double @f() {\n  %a = alloca double, i64 -1\n  %v = load double, ptr %a\n  ret double %v\n}\n",
			"amd64: function @f: %a: alloca of -1 x double is too large"},
		{"alloca array count", "define double @f() {\n  %a = alloca [1048576 x double], i64 4398046511104\n  %v = load double, ptr %a\n  ret double %v\n}\n",
			"alloca of 4398046511104 x [1048576 x double] is too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ir.ParseString("t.ll", tc.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Compile(m, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	t.Run("global", func(t *testing.T) {
		m := ir.NewModule("m")
		big := ir.ArrayType(1<<62, ir.I64)
		m.Globals = append(m.Globals, &ir.Global{Name: "g", ValueType: big, Init: &ir.ConstZero{Typ: big}, Module: m},
			&ir.Global{Name: "h", ValueType: ir.I64, Init: ir.NewInt(ir.I64, 1), Module: m})
		_, err := Compile(m, Options{})
		want := "amd64: global @g: type [4611686018427387904 x i64] is too large: its size in bytes overflows 64 bits"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want it to contain %q", err, want)
		}
	})
}

// TestErrorQuotesClippedNames checks that a backend error about a
// function and value with 1 MB names is short (issue 14, item 9).
func TestErrorQuotesClippedNames(t *testing.T) {
	long := strings.Repeat("q", 1<<20)
	src := "define double @" + long + "() {\n  %" + long + " = alloca double, i64 -1\n  %v = load double, ptr %" + long + "\n  ret double %v\n}\n"
	m, err := ir.ParseString("t.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(m, Options{})
	if err == nil {
		t.Fatal("compiled")
	}
	if msg := err.Error(); len(msg) > 400 || !strings.Contains(msg, "alloca of -1 x double is too large") {
		t.Errorf("error of %d bytes: %.400q", len(msg), msg)
	}
}

// TestAllocaOverAlignedIsAnError checks that an alloca asking for more
// than the frame's 16-byte alignment is refused rather than placed at a
// misaligned address (the frame is laid out from a 16-byte aligned rsp).
// The IR reader turns such an alloca in text into a 16-aligned one with
// room to align (ir/overalign.go), so the alignment is set on the parsed
// instruction, as a front end building IR would.
func TestAllocaOverAlignedIsAnError(t *testing.T) {
	for _, tc := range []struct {
		align string
		ok    bool
	}{{"8", true}, {"16", true}, {"32", false}, {"64", false}} {
		src := "define i64 @f() {\n  %a = alloca i8, align 8\n  %p = ptrtoint ptr %a to i64\n  ret i64 %p\n}\n"
		m, err := ir.ParseString("t.ll", src)
		if err != nil {
			t.Fatal(err)
		}
		align, _ := strconv.Atoi(tc.align)
		m.Funcs[0].Blocks[0].Instrs[0].Align = int64(align)
		_, err = Compile(m, Options{})
		if tc.ok && err != nil {
			t.Errorf("align %s: %v", tc.align, err)
		}
		want := "amd64: function @f: %a: alloca alignment " + tc.align + " is not supported (stack objects are at most 16-byte aligned)"
		if !tc.ok && (err == nil || err.Error() != want) {
			t.Errorf("align %s: error %v, want %q", tc.align, err, want)
		}
	}
}
