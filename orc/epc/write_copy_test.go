//go:build cgo

package epc

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// TestWriteDoesNotCopyData: Remote.Write sends the caller's bytes as the
// tail of each message instead of encoding a copy of them (which cost a
// second buffer of fresh memory as large as the code sent, and its page
// faults). The data arrives intact, and the controller allocates a small
// fraction of its size.
func TestWriteDoesNotCopyData(t *testing.T) {
	e := spawnQuick(t)
	ctx := context.Background()
	const size = 4 << 20
	r, err := e.Reserve(ctx, size, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := e.Write(ctx, r.Start, data); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("writing %d bytes allocated %d bytes in the controller, want under %d (the data copied?)", size, alloc, size/4)
	}
	got, err := e.Read(ctx, r.Start, size)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the executor's memory differs from what was written")
	}
}
