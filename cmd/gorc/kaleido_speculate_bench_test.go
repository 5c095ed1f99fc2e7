//go:build cgo

package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// BenchmarkKaleidoSpeculateChain measures a whole gorc kaleido -lazy
// -speculate run, in this process, of an all-called chain of n functions
// (specChainSource, as kgen's all-called programs): start-up, the
// speculator's batches (plan, compile, link, the session's work for
// each) and the first calls, per op one run. -speculate=false beside
// it is plain -lazy on the same program.
func BenchmarkKaleidoSpeculateChain(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		src := []byte(specChainSource(n))
		for _, speculate := range []bool{true, false} {
			b.Run(fmt.Sprintf("n=%d/speculate=%v", n, speculate), func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					var out, errb bytes.Buffer
					if code := runLazyKaleido(ctx, 2, execOptions{mode: "local"}, []string{"chain.k"}, [][]byte{src}, false, speculate, false, &out, &errb); code != 0 {
						b.Fatalf("exit %d: %s", code, errb.String())
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/fn")
			})
		}
	}
}
