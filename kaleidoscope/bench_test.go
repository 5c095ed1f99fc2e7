package kaleidoscope

import (
	"context"
	"testing"

	"gorc/ir/passes"
)

func benchCompile(b *testing.B, n, level int) {
	src := SyntheticProgram(n)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		m, diags, err := Compile(context.Background(), "bench", []string{"bench.k"}, [][]byte{src})
		if err != nil || len(diags) != 0 {
			b.Fatalf("%v %v", err, diags)
		}
		if err := passes.ForLevel(level).Run(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "functions/s")
}

// BenchmarkCompile2000 measures parse + IR generation + -O2 of a program
// of 2,000 non-trivial functions (the compile-speed workload).
func BenchmarkCompile2000(b *testing.B) { benchCompile(b, 2000, 2) }

// BenchmarkCompile2000O0 is the same without optimisation.
func BenchmarkCompile2000O0(b *testing.B) { benchCompile(b, 2000, 0) }

// BenchmarkCompileScaling shows how cost grows from 500 to 4,000
// functions.
func BenchmarkCompileScaling(b *testing.B) {
	for _, n := range []int{500, 1000, 2000, 4000} {
		b.Run(itoa(n), func(b *testing.B) { benchCompile(b, n, 2) })
	}
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestSyntheticProgramCompiles keeps the benchmark input valid.
func TestSyntheticProgramCompiles(t *testing.T) {
	m, diags, err := Compile(context.Background(), "s", []string{"s.k"}, [][]byte{SyntheticProgram(50)})
	if err != nil || len(diags) != 0 {
		t.Fatalf("%v %v", err, diags)
	}
	if got := len(m.Funcs); got < 50 {
		t.Fatalf("%d functions", got)
	}
}
