package epc

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

func filled(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*13)
	}
	return b
}

// TestBatchPartsEncoding checks that batchParts sends exactly the bytes of
// encodeSteps (count first), for small and large writes, protections
// and wrapper calls in every order.
func TestBatchPartsEncoding(t *testing.T) {
	prot := MemOp{Kind: MemOpProtect, Range: shared.ExecutorAddrRange{Start: 0x1000, End: 0x3000}, Prot: shared.ProtRead | shared.ProtExec}
	call := MemOp{Kind: MemOpCallWrapper, Call: shared.WrapperCall{Fn: 0x4242, Arg: []byte("arg")}}
	small := MemOp{Kind: MemOpWrite, Addr: 0x1000, Data: filled(100, 1)}
	edge := MemOp{Kind: MemOpWrite, Addr: 0x2000, Data: filled(directWrite, 2)}
	large := MemOp{Kind: MemOpWrite, Addr: 0x9000, Data: filled(300<<10, 3)}
	empty := MemOp{Kind: MemOpWrite, Addr: 0x5000}
	for _, tc := range []struct {
		name string
		ops  []MemOp
	}{
		{"none", nil},
		{"small", []MemOp{small, prot}},
		{"large alone", []MemOp{large}},
		{"large first", []MemOp{large, small, prot, call}},
		{"large last", []MemOp{small, call, large}},
		{"mixed", []MemOp{empty, edge, small, large, prot, large, call, edge}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := new(wire.Encoder).U64(uint64(len(tc.ops)))
			if _, err := encodeSteps(want, tc.ops, maxBatch); err != nil {
				t.Fatal(err)
			}
			parts, n, err := batchParts(tc.ops, maxBatch)
			if err != nil || n != len(tc.ops) {
				t.Fatalf("batchParts: %d, %v", n, err)
			}
			if got := bytes.Join(parts, nil); !bytes.Equal(got, want.Payload()) {
				t.Fatalf("batchParts sends %d bytes, encodeSteps %d, differing", len(got), len(want.Payload()))
			}
			if batchSize(tc.ops) != len(want.Payload()) {
				t.Fatalf("batchSize %d, encoding %d bytes", batchSize(tc.ops), len(want.Payload()))
			}
		})
	}
}

// TestBatchPartsErrors checks the failures: a step that cannot be sent
// names its index, an oversize batch is refused before anything runs.
func TestBatchPartsErrors(t *testing.T) {
	bad := MemOp{Kind: MemOpProtect, Range: shared.ExecutorAddrRange{Start: 0x1000, End: 0x2000}, Prot: shared.ProtWrite | shared.ProtExec}
	ok := MemOp{Kind: MemOpWrite, Addr: 0x1000, Data: filled(20<<10, 1)}
	if _, i, err := batchParts([]MemOp{ok, ok, bad}, maxBatch); err == nil || i != 2 {
		t.Errorf("W^X step: index %d, %v; want index 2 and an error", i, err)
	}
	if _, i, err := batchParts([]MemOp{ok, {Kind: 99}}, maxBatch); err == nil || i != 1 {
		t.Errorf("unknown kind: index %d, %v; want index 1 and an error", i, err)
	}
	if _, i, err := batchParts([]MemOp{ok, ok}, 30<<10); !errors.Is(err, ErrBatchUnsupported) || i != 0 {
		t.Errorf("oversize: index %d, %v; want index 0 and ErrBatchUnsupported", i, err)
	}
}

// TestBatchPartsNoCopy checks that a batch of large code writes is sent
// from the writes' own bytes: encoding 2 MiB of writes allocates a few
// kilobytes, not a copy (the growing copy cost a child executor run of
// the sqlite driver ~600 page faults in the controller).
func TestBatchPartsNoCopy(t *testing.T) {
	ops := []MemOp{
		{Kind: MemOpWrite, Addr: 0x10000, Data: filled(1<<20, 1)},
		{Kind: MemOpWrite, Addr: 0x200000, Data: filled(1<<20, 2)},
		{Kind: MemOpProtect, Range: shared.ExecutorAddrRange{Start: 0x10000, End: 0x300000}, Prot: shared.ProtRead | shared.ProtExec},
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	parts, _, err := batchParts(ops, maxBatch)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("encoding 2 MiB of writes allocated %d bytes; want the writes' bytes sent in place", got)
	}
	if len(parts) < 4 || &parts[1][0] != &ops[0].Data[0] || &parts[3][0] != &ops[1].Data[0] {
		t.Errorf("the large writes' bytes are not sent from their own slices")
	}
}
