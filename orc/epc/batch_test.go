//go:build cgo

package epc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

func TestRemoteBatch(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	pg := e.PageSize()
	r, err := e.Reserve(ctx, 2*pg, false)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Release(ctx, r)
	page := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(pg)}
	rw, ro := shared.ProtRead|shared.ProtWrite, shared.ProtRead
	echo := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: []byte("x")}
	tests := []struct {
		name       string
		ops        []MemOp
		wantN      int
		wantErr    string // "" = success
		wantMemory byte   // the first byte of page afterwards
	}{
		{"write then protect", []MemOp{
			{Kind: MemOpProtect, Range: page, Prot: rw},
			{Kind: MemOpWrite, Addr: page.Start, Data: []byte{7, 8}},
			{Kind: MemOpProtect, Range: page, Prot: ro},
			{Kind: MemOpCallWrapper, Call: echo},
		}, 4, "", 7},
		{"stops at the failing step", []MemOp{
			{Kind: MemOpProtect, Range: page, Prot: rw},
			{Kind: MemOpWrite, Addr: page.Start, Data: []byte{9}},
			{Kind: MemOpProtect, Range: shared.ExecutorAddrRange{Start: r.End, End: r.End.Add(pg)}, Prot: ro}, // outside the reservation
			{Kind: MemOpWrite, Addr: page.Start, Data: []byte{10}},
		}, 2, "batch step 2 (protect", 9},
		{"null wrapper", []MemOp{
			{Kind: MemOpWrite, Addr: page.Start, Data: []byte{11}},
			{Kind: MemOpCallWrapper, Call: shared.WrapperCall{}},
			{Kind: MemOpWrite, Addr: page.Start, Data: []byte{12}},
		}, 1, "batch step 1 (call-wrapper", 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Calls()
			n, err := e.Batch(ctx, tc.ops)
			if calls := e.Calls() - before; calls != 1 {
				t.Errorf("%d calls, want 1", calls)
			}
			if n != tc.wantN || (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Batch = %d, %v; want %d, %q", n, err, tc.wantN, tc.wantErr)
			}
			if errors.Is(err, ErrBatchUnsupported) {
				t.Fatalf("a failing step reported as unsupported: %v", err)
			}
			if b, err := e.Read(ctx, page.Start, 1); err != nil || b[0] != tc.wantMemory {
				t.Fatalf("memory afterwards: %v %v, want %d", b, err, tc.wantMemory)
			}
		})
	}
	// W^X is refused before anything is sent.
	before := e.Calls()
	if _, err := e.Batch(ctx, []MemOp{{Kind: MemOpProtect, Range: page, Prot: rw | shared.ProtExec}}); err == nil || !strings.Contains(err.Error(), "W^X") || e.Calls() != before {
		t.Fatalf("rwx batch: %v (%d calls)", err, e.Calls()-before)
	}
}

// BenchmarkRemoteFinalize: what a small allocation's finalization costs
// in a child executor, as one batch and as one call per step (protect
// read-write, write a page, protect read-only, an echo wrapper call).
func BenchmarkRemoteFinalize(b *testing.B) {
	ctx := context.Background()
	e := spawn(b, nil)
	pg := e.PageSize()
	r, err := e.Reserve(ctx, pg, false)
	if err != nil {
		b.Fatal(err)
	}
	ops := []MemOp{
		{Kind: MemOpProtect, Range: r, Prot: shared.ProtRead | shared.ProtWrite},
		{Kind: MemOpWrite, Addr: r.Start, Data: make([]byte, pg)},
		{Kind: MemOpProtect, Range: r, Prot: shared.ProtRead},
		{Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: []byte("x")}},
	}
	b.Run("batch", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := e.Batch(ctx, ops); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("calls", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := e.Protect(ctx, ops[0].Range, ops[0].Prot); err != nil {
				b.Fatal(err)
			}
			if err := e.Write(ctx, ops[1].Addr, ops[1].Data); err != nil {
				b.Fatal(err)
			}
			if err := e.Protect(ctx, ops[2].Range, ops[2].Prot); err != nil {
				b.Fatal(err)
			}
			if _, err := e.CallWrapper(ctx, ops[3].Call); err != nil {
				b.Fatal(err)
			}
		}
	})
}
