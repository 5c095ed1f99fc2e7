package amd64

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

func x87Seeds(tb testing.TB) []string {
	src, err := os.ReadFile(filepath.Join("..", "..", "ir", "testdata", "fp80.ll"))
	if err != nil {
		tb.Fatal(err)
	}
	return []string{string(src),
		"define x86_fp80 @f(x86_fp80 %a, i1 %c, x86_fp80 %b) {\nentry:\n  br i1 %c, label %l, label %r\nl:\n  %x = fadd x86_fp80 %a, 0xK3FFF8000000000000000\n  br label %r\nr:\n  %p = phi x86_fp80 [ %x, %l ], [ %b, %entry ]\n  %q = phi x86_fp80 [ %b, %l ], [ %a, %entry ]\n  %s = select i1 %c, x86_fp80 %p, x86_fp80 %q\n  %k = fcmp une x86_fp80 %s, %q\n  br i1 %k, label %l, label %e\ne:\n  ret x86_fp80 %s\n}\n",
		"declare x86_fp80 @g(x86_fp80, ...)\ndefine i64 @f(double %d, i64 %n) {\n  %x = fpext double %d to x86_fp80\n  %u = uitofp i64 %n to x86_fp80\n  %r = call x86_fp80 (x86_fp80, ...) @g(x86_fp80 %x, i32 1, x86_fp80 %u, double %d)\n  %i = fptoui x86_fp80 %r to i64\n  ret i64 %i\n}\n",
		// Session 27: long double _Complex results (ST0, ST1), i80 and i128.
		"declare { x86_fp80, x86_fp80 } @cexpl(x86_fp80, x86_fp80)\ndefine { x86_fp80, x86_fp80 } @f(x86_fp80 %a, i128 %w) {\n  %c = call { x86_fp80, x86_fp80 } @cexpl(x86_fp80 %a, x86_fp80 %a)\n  %r = extractvalue { x86_fp80, x86_fp80 } %c, 0\n  %i = extractvalue { x86_fp80, x86_fp80 } %c, 1\n  %b = bitcast x86_fp80 %r to i80\n  %s = icmp slt i80 %b, 0\n  %m = mul i128 %w, %w\n  %t = trunc i128 %m to i64\n  %u = uitofp i64 %t to x86_fp80\n  %n = select i1 %s, x86_fp80 %u, x86_fp80 %i\n  %x = insertvalue { x86_fp80, x86_fp80 } poison, x86_fp80 %n, 0\n  %y = insertvalue { x86_fp80, x86_fp80 } %x, x86_fp80 %r, 1\n  ret { x86_fp80, x86_fp80 } %y\n}\n",
	}
}

// FuzzCompileX87 is FuzzCompile seeded with x86_fp80 code: the backend
// must compile what the reader accepts or return an error, never panic.
func FuzzCompileX87(f *testing.F) {
	for _, s := range x87Seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<14 {
			return
		}
		m, err := ir.ParseString("fuzz.ll", src)
		if err != nil || ir.Verify(m) != nil {
			return
		}
		_, err = Compile(m, Options{})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("%v\n%s", err, src)
		}
	})
}

// TestX87Compiles compiles the seeds and checks the x87 code is there.
func TestX87Compiles(t *testing.T) {
	for i, src := range x87Seeds(t) {
		m, err := ir.ParseString("t.ll", src)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Compile(m, Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		l, err := Listing(obj, SyntaxIntel)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"fld", "fstp"} {
			if !strings.Contains(strings.ToLower(l), want) {
				t.Errorf("seed %d: no %s in\n%s", i, want, l)
			}
		}
	}
}

// TestX87Refused checks the x86_fp80 constructs the backend refuses
// name what and where.
func TestX87Refused(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"mixed struct return", "define { x86_fp80, double } @f(x86_fp80 %a) {\n  %r = insertvalue { x86_fp80, double } poison, x86_fp80 %a, 0\n  %s = insertvalue { x86_fp80, double } %r, double 1.0, 1\n  ret { x86_fp80, double } %s\n}\n",
			"function @f: returning a struct with a field of type x86_fp80 is not supported"},
		{"atomic", "define void @f(ptr %p, x86_fp80 %a) {\n  store atomic x86_fp80 %a, ptr %p seq_cst, align 16\n  ret void\n}\n", "x86_fp80"},
	}
	for _, tt := range tests {
		m, err := ir.ParseString("t.ll", tt.src)
		if err == nil {
			_, err = Compile(m, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// BenchmarkCompileX87 compiles ir/testdata/fp80.ll (every x86_fp80
// operation, phis, calls).
func BenchmarkCompileX87(b *testing.B) {
	src := x87Seeds(b)[0]
	m, err := ir.ParseString("t.ll", src)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(m, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
