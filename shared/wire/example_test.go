package wire_test

import (
	"bytes"
	"fmt"

	"github.com/gorc-jit/gorc/shared/wire"
)

// A batch write sends a step's header from an encoder and the code bytes
// from the caller's own slice; the reader sees one frame.
func ExampleWriteFrameParts() {
	code := bytes.Repeat([]byte{0x90}, 64<<10) // a large write: sent in place
	head := new(wire.Encoder).U64(1).U64(wire.BatchWrite).U64(0x10000).U64(uint64(len(code)))
	var stream bytes.Buffer
	if err := wire.WriteFrameParts(&stream, wire.Frame{Kind: wire.KindCall, Op: wire.OpBatch, Seq: 1}, [][]byte{head.Payload(), code}); err != nil {
		fmt.Println(err)
		return
	}
	f, err := wire.ReadFrame(&stream)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := wire.NewDecoder(f.Payload)
	fmt.Println(f.Op == wire.OpBatch, d.U64(), d.U64() == wire.BatchWrite, d.U64() == 0x10000, len(d.Bytes()))
	// Output: true 1 true true 65536
}
