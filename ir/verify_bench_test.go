package ir

import (
	"os"
	"testing"
)

// BenchmarkVerifyFunction verifies the functions of the generated
// compile-speed program (passes/testdata/bench/kgen8.ll, `kgen 8` at
// -O0), putting the instructions' IDs back (VerifyFunction) or not
// (VerifyFunctionScratch, as before code generation).
func BenchmarkVerifyFunction(b *testing.B) {
	src, err := os.ReadFile("passes/testdata/bench/kgen8.ll")
	if err != nil {
		b.Fatal(err)
	}
	m, err := Parse("kgen8.ll", src)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name   string
		verify func(*Function) error
	}{
		{"restore", VerifyFunction},
		{"scratch", VerifyFunctionScratch},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, f := range m.Funcs {
					if err := bc.verify(f); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
