//go:build cgo

package epc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

func newInProcess(t testing.TB) *InProcess {
	t.Helper()
	e, err := NewInProcess()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

func TestEncodeArgs(t *testing.T) {
	tests := [][]uint64{nil, {0}, {1, 2, 3}, {^uint64(0), 1 << 63}}
	for _, v := range tests {
		b := EncodeArgs(v...)
		if len(b) != 8*len(v) {
			t.Fatalf("EncodeArgs(%v): %d bytes", v, len(b))
		}
		got, err := DecodeArgs(b)
		if err != nil || len(got) != len(v) {
			t.Fatalf("DecodeArgs: %v, %v", got, err)
		}
		for i := range v {
			if got[i] != v[i] {
				t.Fatalf("round trip of %v gave %v", v, got)
			}
		}
	}
	if _, err := DecodeArgs([]byte{1, 2, 3}); err == nil {
		t.Fatal("DecodeArgs accepted 3 bytes")
	}
}

func TestInProcessBasics(t *testing.T) {
	ctx := context.Background()
	e := newInProcess(t)
	if e.TargetTriple() != "x86_64-unknown-linux-gnu" {
		t.Errorf("triple %q", e.TargetTriple())
	}
	if ps := e.PageSize(); ps == 0 || ps&(ps-1) != 0 {
		t.Errorf("page size %d", ps)
	}
	syms := e.BootstrapSymbols()
	for _, n := range append([]string{EHFrameRegisterName, EHFrameDeregisterName, RunInitializersName, TLSSetImageName, EchoName, TLSGetAddrName}, RuntimeHelperNames...) {
		if syms[n] == 0 {
			t.Errorf("bootstrap symbol %s missing", n)
		}
	}
	out, err := e.CallWrapper(ctx, shared.WrapperCall{Fn: syms[EchoName], Arg: []byte("ping")})
	if err != nil || string(out) != "ping" {
		t.Errorf("echo: %q, %v", out, err)
	}
	addrs, err := e.LookupSymbols(ctx, 0, []string{"printf", "atexit", "__dso_handle", "gorc_no_such_symbol"})
	if err != nil {
		t.Fatal(err)
	}
	if addrs[0] == 0 || addrs[1] != syms["atexit"] || addrs[2] != syms["__dso_handle"] || addrs[3] != 0 {
		t.Errorf("process lookup: %v", addrs)
	}
	h, err := e.LoadDylib(ctx, "-lm", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := e.LookupSymbols(ctx, h, []string{"cbrt"}); a[0] == 0 {
		t.Error("cbrt not found in -lm")
	}
	if _, err := e.LoadDylib(ctx, "-lgorc_missing_lib", []string{t.TempDir()}); err == nil {
		t.Error("missing library loaded")
	}
}

func TestInProcessRunAndMemory(t *testing.T) {
	ctx := context.Background()
	e := newInProcess(t)
	r, err := e.Reserve(ctx, 2*e.PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	page := shared.ExecutorAddrRange{Start: r.Start, End: r.Start.Add(e.PageSize())}
	if err := e.Protect(ctx, page, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	mem, err := e.LocalMemory(page)
	if err != nil {
		t.Fatal(err)
	}
	copy(mem, []byte{0xb8, 9, 0, 0, 0, 0xc3}) // mov eax, 9; ret
	if b, err := e.Read(ctx, page.Start, 6); err != nil || b[1] != 9 {
		t.Fatalf("read back %v, %v", b, err)
	}
	if err := e.Protect(ctx, page, shared.ProtRead|shared.ProtExec); err != nil {
		t.Fatal(err)
	}
	if got, err := e.RunAsMain(ctx, page.Start, []string{"x"}); err != nil || got != 9 {
		t.Fatalf("RunAsMain: %d, %v", got, err)
	}
	if err := e.RunVoid(ctx, page.Start); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(ctx, page.Start, []byte{1}); err == nil {
		t.Error("write to read-execute memory accepted")
	}
	if err := e.Write(ctx, r.End.Add(1<<30), []byte{1}); err == nil {
		t.Error("write outside every reservation accepted")
	}
	if err := e.Decommit(ctx, page); err != nil {
		t.Fatal(err)
	}
	if err := e.Release(ctx, r); err != nil {
		t.Fatal(err)
	}
}

func TestInProcessContextAndClose(t *testing.T) {
	e := newInProcess(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Reserve(ctx, 4096, false); !errors.Is(err, context.Canceled) {
		t.Errorf("reserve with cancelled context: %v", err)
	}
	if _, err := e.RunAsMain(ctx, 0x1000, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("run with cancelled context: %v", err)
	}
	bg := context.Background()
	r, err := e.Reserve(bg, 4096, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(bg); err != nil {
		t.Fatal(err)
	}
	if err := e.Protect(bg, r, shared.ProtRead); !errors.Is(err, ErrClosed) {
		t.Errorf("protect after close: %v", err)
	}
	if err := e.Close(bg); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestServiceCalls(t *testing.T) {
	ctx := context.Background()
	e := newInProcess(t)
	rng := shared.ExecutorAddrRange{Start: 0x1000, End: 0x1040}
	act, err := EHFrameActions(e, rng)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := DecodeArgs(act.Finalize.Arg); len(v) != 2 || v[0] != 0x1000 || v[1] != 0x40 || act.Dealloc.Fn == 0 {
		t.Errorf("EH-frame actions %+v", act)
	}
	call, err := RunInitializersCall(e, []shared.ExecutorAddr{1, 2}, []shared.ExecutorAddr{3})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := DecodeArgs(call.Arg); len(v) != 5 || v[0] != 2 || v[3] != 1 || v[4] != 3 {
		t.Errorf("initializer call args %v", v)
	}
	// The empty initializer list is a valid call.
	empty, _ := RunInitializersCall(e, nil, nil)
	if _, err := e.CallWrapper(ctx, empty); err != nil {
		t.Errorf("empty initializer call: %v", err)
	}
	b, err := e.AllocateTLS(ctx, TLSRequest{Size: 32, Align: 8, ImageSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TLSImageAction(e, b, 8, 0x1000, 16); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("TLS image action past the image: %v", err)
	}
	if _, err := TLSImageAction(e, b, 0, 0x1000, 16); err != nil {
		t.Error(err)
	}
}

func BenchmarkWrapperCall(b *testing.B) {
	e := newInProcess(b)
	ctx := context.Background()
	call := shared.WrapperCall{Fn: e.BootstrapSymbols()[EchoName], Arg: make([]byte, 16)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.CallWrapper(ctx, call); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunAsMain(b *testing.B) {
	e := newInProcess(b)
	ctx := context.Background()
	r, _ := e.Reserve(ctx, e.PageSize(), false)
	e.Protect(ctx, r, shared.ProtRead|shared.ProtWrite)
	e.Write(ctx, r.Start, []byte{0xb8, 1, 0, 0, 0, 0xc3})
	e.Protect(ctx, r, shared.ProtRead|shared.ProtExec)
	for b.Loop() {
		if _, err := e.RunAsMain(ctx, r.Start, []string{"p"}); err != nil {
			b.Fatal(err)
		}
	}
}
