//go:build cgo

package executor

import (
	"io"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

var (
	fuzzResOnce sync.Once
	fuzzRes     shared.ExecutorAddrRange
)

// FuzzServeMemoryCalls sends the executor's request handler memory calls
// with hostile arguments — addresses in and around a real reservation,
// any protection, any sizes, and raw undecodable payloads — and checks
// that every one is answered (result or error) without a fault. Calls
// that run code are left out: an executor runs whatever it is sent.
func FuzzServeMemoryCalls(f *testing.F) {
	f.Add(uint8(wire.OpWrite), uint64(0), uint64(16), uint8(3), []byte("abc"), false)
	f.Add(uint8(wire.OpProtect), uint64(0), uint64(8192), uint8(7), []byte(nil), false)
	f.Add(uint8(wire.OpRead), uint64(4096), uint64(1<<40), uint8(1), []byte(nil), false)
	f.Add(uint8(wire.OpRelease), uint64(0), uint64(1<<20), uint8(0), []byte(nil), false)
	f.Add(uint8(wire.OpLookup), uint64(0), uint64(0), uint8(0), []byte{1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 'f', 'o', 'o'}, true)
	f.Add(uint8(wire.OpLookup), uint64(0), uint64(0), uint8(0), []byte{0x90, 0x0c, 0, 0x10, 0xa5, 0x7f, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 'f'}, true) // bogus handle
	f.Fuzz(func(t *testing.T, op uint8, off, size uint64, prot uint8, data []byte, raw bool) {
		fuzzResOnce.Do(func() {
			r, err := Reserve(1<<20, false)
			if err != nil {
				t.Fatal(err)
			}
			fuzzRes = r
		})
		s := &server{w: io.Discard}
		o := wire.Op(op%uint8(wire.OpAllocateTLS)) + 1
		switch o {
		case wire.OpRunMain, wire.OpRunVoid, wire.OpCallWrapper, wire.OpRunProgram, wire.OpLoadDylib, wire.OpAllocateTLS, wire.OpReserve, wire.OpReserveShared:
			return
		}
		if o == wire.OpRelease && !raw {
			return // releasing the shared reservation would end the game
		}
		var payload []byte
		if raw {
			payload = data
		} else {
			start := uint64(fuzzRes.Start) + off%(3<<20) - 1<<20 // before, in and after the reservation
			e := new(wire.Encoder)
			switch o {
			case wire.OpProtect:
				e.U64(start).U64(start + size%(2<<20)).U64(uint64(prot))
			case wire.OpDecommit:
				e.U64(start).U64(start + size%(2<<20))
			case wire.OpWrite:
				e.U64(start).Bytes(data)
			case wire.OpRead:
				e.U64(start).U64(size % (2 << 20))
			case wire.OpLookup:
				e.U64(0).Strings([]string{string(data)})
			}
			payload = e.Payload()
		}
		s.dispatch(wire.Frame{Kind: wire.KindCall, Op: o, Seq: 1, Payload: payload})
	})
}
