package worker

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared/wire"
)

// FuzzDecodeRequest: any payload decodes to a request or an error, never
// a panic; a request that decodes encodes back to the same bytes, and
// compiling it (when its IR is small) ends with an object or an error.
func FuzzDecodeRequest(f *testing.F) {
	f.Add((&Request{Name: "a.ll", Triple: "x86_64-unknown-linux-gnu", OptLevel: 2, IR: []byte("define i64 @f(i64 %x) {\nentry:\n  %y = add i64 %x, 1\n  ret i64 %y\n}\n")}).Encode())
	f.Add((&Request{Name: "b.ll", Triple: "x86_64-unknown-linux-gnu", Only: []string{"f"}, OmitGlobals: true, IR: []byte("@g = external global i64\n\ndefine i64 @f() {\nentry:\n  %v = load i64, ptr @g\n  ret i64 %v\n}\n")}).Encode())
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := DecodeRequest(p)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Encode(), p) {
			t.Fatalf("re-encoding a decoded request changed it")
		}
		if len(r.IR) > 4096 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rep, err := Compile(ctx, r)
		if err == nil && len(rep.Object) == 0 {
			t.Fatalf("no error and no object")
		}
	})
}

// FuzzServe: whatever a controller sends after its hello, the worker
// answers or stops with an error; it never panics or hangs.
func FuzzServe(f *testing.F) {
	var seed bytes.Buffer
	wire.WriteFrame(&seed, wire.Frame{Kind: wire.KindCall, Op: opCompile, Seq: 1, Payload: (&Request{Name: "a.ll", Triple: "x86_64-unknown-linux-gnu", IR: []byte("define void @f() {\nentry:\n  ret void\n}\n")}).Encode()})
	f.Add(seed.Bytes())
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		var in bytes.Buffer
		wire.WriteFrame(&in, wire.Frame{Kind: wire.KindHello, Payload: encodeControllerHello()})
		in.Write(stream)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		Serve(ctx, &in, io.Discard)
	})
}

// FuzzSplitSource: cutting any text into parts gives requests, a refusal
// or the parser's error, never a panic; every request of an accepted
// split names at least one function, and the parts together name each
// defined function once.
func FuzzSplitSource(f *testing.F) {
	f.Add([]byte(chainModule(4)), uint8(2))
	f.Add([]byte("define double @\"binary|\"(double %a, double %b) {\nentry:\n  ret double %a\n}\n\ndefine i32 @main() { ; {\nentry:\n  ret i32 0\n}\n"), uint8(3))
	f.Add([]byte("@s = private constant [2 x i8] c\"}\\00\"\ndefine void @f() {\nentry:\n  ret void\n}\n"), uint8(1))
	f.Fuzz(func(t *testing.T, src []byte, k uint8) {
		reqs, ok, err := SplitSource("f.ll", src, int(k%8), "x86_64-unknown-linux-gnu", 2, k&8 != 0)
		if err != nil || !ok {
			return
		}
		seen := map[string]bool{}
		for _, r := range reqs {
			if len(reqs) > 1 && len(r.Only) == 0 {
				t.Fatalf("a part with no function among %d", len(reqs))
			}
			for _, n := range r.Only {
				if seen[n] {
					t.Fatalf("@%s is in two parts", n)
				}
				seen[n] = true
			}
		}
	})
}
