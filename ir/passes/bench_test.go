package passes

import (
	"os"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// BenchmarkInstCombine times InstCombine on the functions of the
// generated compile-speed program (testdata/bench/kgen8.ll: `kgen 8` at -O0,
// after mem2reg), the first instcombine of the -O2 pipeline. Parsing and
// mem2reg are outside the timer.
func BenchmarkInstCombine(b *testing.B) {
	src, err := os.ReadFile("testdata/bench/kgen8.ll")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		b.StopTimer()
		m, err := ir.Parse("kgen8.ll", src)
		if err != nil {
			b.Fatal(err)
		}
		var fs []*ir.Function
		for _, f := range m.Funcs {
			if !f.IsDeclaration() {
				Mem2Reg(f)
				fs = append(fs, f)
			}
		}
		n = len(fs)
		b.StartTimer()
		for _, f := range fs {
			InstCombine(f)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/func")
}
