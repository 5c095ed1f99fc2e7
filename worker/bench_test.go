package worker

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// benchModule is the 500-function synthetic Kaleidoscope program's IR in
// the form a worker gets it (SSA from the front end, not optimised).
func benchModule(b *testing.B) (*ir.Module, string) {
	b.Helper()
	pm, _ := passes.New("mem2reg")
	m, diags, _, err := kaleidoscope.CompilePipeline(context.Background(), "p.k", []string{"p.k"}, [][]byte{kaleidoscope.SyntheticProgram(500)}, pm, nil)
	if err != nil || len(diags) > 0 {
		b.Fatal(err, diags)
	}
	return m, hostTriple(b)
}

// The three costs of the model in docs/WORKERS.md, per 500 functions:
// printing a part's IR text (the controller's E), a worker compiling it
// (C: parse, verify, optimise, codegen), and the optimise + codegen alone
// that a compile in the controller does (O + G). C / (O + G) is the text
// round trip's price.

func BenchmarkRequestText(b *testing.B) {
	m, triple := benchModule(b)
	parts := Split(m, 1)
	b.ResetTimer()
	for range b.N {
		r := parts[0].Request(m, "p.k", triple, 2)
		b.SetBytes(int64(len(r.IR)))
	}
}

func BenchmarkCompileRequest(b *testing.B) {
	m, triple := benchModule(b)
	req := Split(m, 1)[0].Request(m, "p.k", triple, 2)
	b.SetBytes(int64(len(req.IR)))
	b.ResetTimer()
	for range b.N {
		if _, err := Compile(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOptimizeCodegenInMemory(b *testing.B) {
	tg, err := target.Host()
	if err != nil {
		b.Skip(err)
	}
	_, triple := benchModule(b)
	_ = triple
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		m, _ := benchModule(b)
		b.StartTimer()
		pm := passes.ForLevel(2)
		if err := pm.Run(context.Background(), m); err != nil {
			b.Fatal(err)
		}
		if _, err := tg.Backend.Compile(context.Background(), m, target.Options{SourceName: "p.k"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequestIR(b *testing.B) {
	m, triple := benchModule(b)
	req := Split(m, 1)[0].Request(m, "p.k", triple, 2)
	b.SetBytes(int64(len(req.IR)))
	b.ResetTimer()
	for range b.N {
		if _, err := ir.Parse("p.k", req.IR); err != nil {
			b.Fatal(err)
		}
	}
}
