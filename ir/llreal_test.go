package ir

import (
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
	}
	for _, tt := range tests {
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
			if strings.Contains(out, "freeze") {
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
