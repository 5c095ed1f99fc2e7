//go:build cgo

package jit_test

import (
	"context"
	"testing"
)

// BenchmarkAddRemoveModule measures one unloading cycle of the C++ module
// of the unloading tests: parse, link (EH frames registered), run its
// constructors (Tracker.Initialize), then Tracker.Remove (destructors,
// EH frames deregistered, memory freed and decommitted), in this process
// and in a child executor (code copied over the pipe).
func BenchmarkAddRemoveModule(b *testing.B) {
	mod, host := unloadObjects(b)
	for _, m := range unloadModes[:2] {
		b.Run(m.name, func(b *testing.B) {
			ctx := context.Background()
			u := newUnloadJIT(b, ctx, m.opts(), mod, host)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr, err := u.NewTracker()
				if err != nil {
					b.Fatal(err)
				}
				if err := tr.AddObject("mod.o", u.mod); err != nil {
					b.Fatal(err)
				}
				if err := tr.Initialize(ctx); err != nil {
					b.Fatal(err)
				}
				if err := tr.Remove(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
