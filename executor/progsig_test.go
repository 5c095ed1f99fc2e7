//go:build cgo

package executor

import (
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// TestLeaveDropsDirectRegistrations checks that __cxa_at_quick_exit and
// __register_atfork called by JIT'd code itself, with a DSO handle in a
// controller's memory, are the executor's (they note the handle), so that
// the controller's departure from a shared executor finalizes that handle
// (__cxa_finalize drops both) instead of leaving the handlers registered
// over freed memory (session 30: neither was interposed, and
// finalizeRange found nothing).
func TestLeaveDropsDirectRegistrations(t *testing.T) {
	getpid := Dlsym(0, "getpid") // a harmless handler: never called here
	if getpid == 0 {
		t.Fatal("no getpid")
	}
	r, err := Reserve(1<<16, false)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(r)
	tests := []struct {
		name string
		args []uint64
	}{
		{"__cxa_at_quick_exit", []uint64{uint64(getpid), uint64(r.Start) + 0x10}},
		{"__register_atfork", []uint64{uint64(getpid), 0, 0, uint64(r.Start) + 0x20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := interposed(tt.name)
			if fn == 0 {
				t.Fatalf("%s is not interposed", tt.name)
			}
			if fn == Dlsym(0, tt.name) {
				t.Fatalf("%s is libc's", tt.name)
			}
			res, err := Call(fn, tt.args, nil, nil)
			if err != nil || res.Int != 0 {
				t.Fatalf("%s: %v, returned %d", tt.name, err, res.Int)
			}
			if n := finalizeRange(shared.ExecutorAddrRange{Start: r.Start, End: r.End}); n != 1 {
				t.Errorf("finalizeRange after %s: %d handles finalized, want 1", tt.name, n)
			}
			if n := finalizeRange(shared.ExecutorAddrRange{Start: r.Start, End: r.End}); n != 0 {
				t.Errorf("second finalizeRange: %d, want 0", n)
			}
		})
	}
}
