package ir

import (
	"bytes"
	"math/rand"
	"testing"
)

// bracesBalancedRef is bracesBalanced as a byte-by-byte walk.
func bracesBalancedRef(span []byte) bool {
	depth := 0
	for _, c := range span {
		switch c {
		case '{':
			depth++
		case '}':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// TestBracesBalanced: bracesBalanced agrees with a byte-by-byte walk on
// hand-written spans (none, nested, a '}' before its '{', one closing the
// body early) and on random spans of braces and other bytes.
func TestBracesBalanced(t *testing.T) {
	cases := []struct {
		span string
		want bool
	}{
		{"", true},
		{"  %1 = add i32 %0, 1\n  ret i32 %1", true},
		{"{ i32, i32 } %x", true},
		{"{ { i8 }, { i16 } }", true},
		{"{{}}{}", true},
		{"}{", false},
		{"  ret void}\ndefine void @g() {", false},
		{"{", false},
		{"}", false},
		{"{}}{", false},
		{"{{}", false},
		{"{}}", false},
	}
	for _, c := range cases {
		if got := bracesBalanced([]byte(c.span)); got != c.want || got != bracesBalancedRef([]byte(c.span)) {
			t.Errorf("bracesBalanced(%q) = %v, want %v", c.span, got, c.want)
		}
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		b := make([]byte, r.Intn(40))
		for j := range b {
			b[j] = "{}  xy"[r.Intn(6)]
		}
		if got, want := bracesBalanced(b), bracesBalancedRef(b); got != want {
			t.Fatalf("bracesBalanced(%q) = %v, want %v", b, got, want)
		}
	}
}

// BenchmarkBracesBalanced: a function body of printed IR without braces
// (the common case) and one with a struct type in it.
func BenchmarkBracesBalanced(b *testing.B) {
	line := []byte("  %v1 = fmul double %x, 1.500000e+00\n  %v2 = fadd double %v1, 1.000000e+00\n")
	plain := bytes.Repeat(line, 25)
	withStruct := append(bytes.Repeat(line, 12), []byte("  %s = insertvalue { i32, i32 } undef, i32 1, 0\n")...)
	withStruct = append(withStruct, bytes.Repeat(line, 12)...)
	for _, c := range []struct {
		name string
		span []byte
	}{{"plain", plain}, {"struct", withStruct}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.span)))
			for b.Loop() {
				if !bracesBalanced(c.span) {
					b.Fatal("not balanced")
				}
			}
		})
	}
}
