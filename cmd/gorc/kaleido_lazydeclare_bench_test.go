package main

import (
	"context"
	"io"
	"testing"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// BenchmarkLazyDeclare measures what gorc kaleido -lazy's start-up does
// per definition after the parse: each of the 10,003 definitions of
// SyntheticProgramCalled(10000, 1) (parsed once, bodies skipped) checked,
// declared and recorded in a fresh in-process lazy session, as
// runLazyKaleido's consumer does item by item (repl.run). The session's
// open is not timed.
func BenchmarkLazyDeclare(b *testing.B) {
	src := kaleidoscope.SyntheticProgramCalled(10000, 1)
	p := kaleidoscope.NewParser("bench.k", src)
	p.SetLazyBodies(true)
	var defs []kaleidoscope.Item
	for {
		item, d := p.Next()
		if d != nil {
			b.Fatal(d)
		}
		if item == nil {
			break
		}
		def, ok := item.(*kaleidoscope.FunctionDef)
		if !ok || def.TopLevel {
			continue
		}
		if def.Proto.Kind == kaleidoscope.ProtoBinary {
			p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
		}
		defs = append(defs, def)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := &repl{ctx: ctx, pm: passes.ForLevel(2), stdout: io.Discard, stderr: io.Discard, file: "bench.k", level: 2, lazyMode: true}
		if code := r.open(execOptions{mode: "local"}); code != 0 {
			b.Fatalf("opening the session: status %d", code)
		}
		b.StartTimer()
		r.lazy.reserve(len(defs))
		r.defs = make([]replDef, 0, len(defs))
		for _, it := range defs {
			r.run(it, nil)
		}
		b.StopTimer()
		if r.errors != 0 {
			b.Fatalf("%d errors", r.errors)
		}
		r.j.Close(ctx)
	}
}
