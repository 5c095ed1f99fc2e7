package main

import (
	"bytes"
	"testing"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// BenchmarkParseSplit measures gorc kaleido -lazy's parse of
// SyntheticProgramCalled(10000, 1) (bodies skipped) as runLazyKaleido
// runs it in this process: parseSplit, one segment per processor, the
// first parsed by the consumer, which takes every item (setting each
// operator's precedence) but defines nothing.
func BenchmarkParseSplit(b *testing.B) {
	src := kaleidoscope.SyntheticProgramCalled(10000, 1)
	ndefs := bytes.Count(src, []byte("def"))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		done := make(chan struct{})
		p := kaleidoscope.NewParser("bench.k", src)
		p.SetLazyBodies(true)
		n := 0
		for batch := range parseSplit(p, src, parseSplitParts(), parseAheadCapacity(ndefs), true, done) {
			for _, it := range batch.items {
				if it.diag != nil {
					b.Fatal(it.diag)
				}
				if def, ok := it.item.(*kaleidoscope.FunctionDef); ok && def.Proto.Kind == kaleidoscope.ProtoBinary {
					batch.p.SetPrecedence(def.Proto.OperatorChar(), def.Proto.Precedence)
				}
				n++
			}
			if batch.ack != nil {
				close(batch.ack)
			}
		}
		close(done)
		if n < 10000 {
			b.Fatalf("%d items", n)
		}
	}
}
