//go:build cgo

package executor

import (
	"testing"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// TestDecodeCrash: the crash frame's payload (what the signal handler
// writes) decodes to the report; a truncated or padded one is refused.
func TestDecodeCrash(t *testing.T) {
	good := new(wire.Encoder).U64(11).U64(0x1000).U64(0x10).U64s([]uint64{0x2000, 0x3000}).Payload()
	cases := []struct {
		name string
		p    []byte
		ok   bool
	}{
		{"good", good, true},
		{"empty", nil, false},
		{"truncated", good[:len(good)-4], false},
		{"padded", append(append([]byte(nil), good...), 0), false},
		{"no frames", new(wire.Encoder).U64(6).U64(0x1000).U64(0).U64s(nil).Payload(), true},
	}
	for _, c := range cases {
		r, ok := decodeCrash(c.p)
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v (%+v)", c.name, ok, c.ok, r)
		}
	}
	r, _ := decodeCrash(good)
	if r.Signal != 11 || r.PC != 0x1000 || r.FaultAddr != 0x10 || len(r.Frames) != 2 || r.Frames[1] != shared.ExecutorAddr(0x3000) {
		t.Errorf("decoded %+v", r)
	}
}
