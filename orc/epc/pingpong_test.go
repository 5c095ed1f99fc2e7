//go:build cgo

package epc

import (
	"os"
	"os/exec"
	"testing"
)

// pingPongChild echoes bytes from fd 3 to fd 4: the floor a protocol round
// trip over pipes between two processes can reach.
func pingPongChild() {
	in, out := os.NewFile(3, "in"), os.NewFile(4, "out")
	b := make([]byte, 64)
	for {
		n, err := in.Read(b)
		if err != nil {
			os.Exit(0)
		}
		out.Write(b[:n])
	}
}

// BenchmarkPipePingPong measures a raw 32-byte round trip between this
// process and a child over two pipes (no protocol): compare with
// BenchmarkRemoteWrapperCall.
func BenchmarkPipePingPong(b *testing.B) {
	toR, toW, _ := os.Pipe()
	fromR, fromW, _ := os.Pipe()
	cmd := exec.Command(os.Args[0])
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Env = append(os.Environ(), "GORC_PINGPONG=1")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	toR.Close()
	fromW.Close()
	defer func() { toW.Close(); cmd.Wait(); fromR.Close() }()
	msg := make([]byte, 32)
	buf := make([]byte, 64)
	for b.Loop() {
		toW.Write(msg)
		n := 0
		for n < len(msg) {
			k, err := fromR.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
	}
}
