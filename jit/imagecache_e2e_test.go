//go:build cgo

package jit

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
)

// imageIR computes fib(12) - 102 = 42 through libm's floor (an external
// the replay must look up again).
var imageIR = func() string {
	b, err := os.ReadFile("testdata/answer.ll")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// recordAnswer links imageIR in a fresh JIT, recording it, and returns
// the encoded image.
func recordAnswer(t *testing.T) []byte {
	t.Helper()
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	rec := j.RecordImage()
	if err := j.AddIR(ctx, "answer.ll", []byte(imageIR), 2); err != nil {
		t.Fatal(err)
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	p, err := j.Program(ctx, "answer", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := rec.EncodeImage(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestLoadImage: a recorded link replays in another JIT (another slab
// address) and computes the same; its external (floor) is looked up
// again.
func TestLoadImage(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	for i := range 2 {
		j, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := j.LoadDylib(ctx, "-lm"); err != nil {
			t.Fatal(err)
		}
		p, err := j.LoadImage(ctx, data, "answer", []string{"answer"})
		if err != nil {
			t.Fatalf("replay %d: %v", i, err)
		}
		if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
			t.Errorf("replay %d: answer() = %d, %v; want 42", i, r, err)
		}
		if j.Linked() != 1 {
			t.Errorf("replay %d: Linked() = %d, want 1", i, j.Linked())
		}
		j.Close(ctx)
	}
}

// TestLoadImageStale: a reference to an external that no longer fits
// its field (here made a 32-bit absolute one, which libm's floor, mapped
// above 4 GiB, overflows — as a PC-relative one would when ASLR moves
// libc out of reach) makes the replay fail with ErrImageStale, leaving
// nothing defined.
func TestLoadImageStale(t *testing.T) {
	ctx := context.Background()
	img, err := decodeWhole(recordAnswer(t))
	if err != nil {
		t.Fatal(err)
	}
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	ptr32 := jitlink.KindInvalid
	for k := jitlink.FirstArchKind; k < jitlink.FirstArchKind+64; k++ {
		if j.Target.Arch.EdgeKindName(k) == "Pointer32" {
			ptr32 = k
		}
	}
	changed := false
	for i, f := range img.Fixups {
		if f.Name >= 0 && img.Names[f.Name] == "floor" {
			img.Fixups[i].Kind, changed = ptr32, true
		}
	}
	if ptr32 == jitlink.KindInvalid || !changed {
		t.Fatalf("no Pointer32 kind (%d) or no fixup to floor in %+v", ptr32, img.Fixups)
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	_, err = j.LoadImage(ctx, img.encode(), "answer", nil)
	if !errors.Is(err, ErrImageStale) {
		t.Fatalf("LoadImage = %v, want ErrImageStale", err)
	}
	if syms := j.Main.Symbols(); len(syms) != 0 {
		for _, s := range syms {
			if s.Name.String() == "answer" {
				t.Errorf("answer defined after a failed replay")
			}
		}
	}
}

// TestRecordedImageIsCompact: a small module (which the slab's code heap
// would carve from a shared 4 MiB block) and a large one recorded
// together span little more than their own bytes: recording keeps the
// code heap out of the JIT (an image spanning a heap block and the
// slab's pages beyond it was 9.8 MB for the sqlite driver's 1.5 MB).
func TestRecordedImageIsCompact(t *testing.T) {
	const n = 256 << 10
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	rec := j.RecordImage()
	if err := j.AddIR(ctx, "answer.ll", []byte(imageIR), 2); err != nil {
		t.Fatal(err)
	}
	if err := j.AddIR(ctx, "big.ll", []byte(bigDataIR(n)), 0); err != nil {
		t.Fatal(err)
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Lookup(ctx, "answer"); err != nil {
		t.Fatal(err)
	}
	p, err := j.Program(ctx, "probe", nil)
	if err != nil {
		t.Fatal(err)
	}
	img, err := rec.Image(p)
	if err != nil {
		t.Fatal(err)
	}
	if img.Size() > n+1<<20 {
		t.Fatalf("image of %d bytes of data and a small function spans %d bytes", n, img.Size())
	}
}

// TestLoadImageDefineOnly: an image recorded with DefineOnly defines
// only the names given when replayed (answer, not fib), runs the same,
// and its code table still names every function (fib's address).
func TestLoadImageDefineOnly(t *testing.T) {
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := j.RecordImage()
	rec.DefineOnly("answer", "no-such-symbol")
	if err := j.AddIR(ctx, "answer.ll", []byte(imageIR), 2); err != nil {
		t.Fatal(err)
	}
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	p, err := j.Program(ctx, "answer", nil)
	if err != nil {
		t.Fatal(err)
	}
	fib, err := j.Lookup(ctx, "fib")
	if err != nil {
		t.Fatal(err)
	}
	fibOff := fib - p.Main // fib's place relative to answer's
	data, err := rec.EncodeImage(p)
	j.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}

	r, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	if err := r.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	q, err := r.LoadImage(ctx, data, "answer", nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := r.EPC.RunAsMain(ctx, q.Main, []string{"answer"}); v != 42 || err != nil {
		t.Errorf("answer() = %d, %v; want 42", v, err)
	}
	for _, s := range r.Main.Symbols() {
		if n := s.Name.String(); n == "fib" || n == "no-such-symbol" {
			t.Errorf("%s defined by an image limited to answer", n)
		}
	}
	if loc, ok := r.SymbolAt(q.Main + fibOff); !ok || !strings.Contains(loc.String(), "fib") {
		t.Errorf("SymbolAt(fib's address) = %v, %v; want fib", loc, ok)
	}
}

// TestLoadImageAfter: the libraries an image's externals come from may
// still be loading when the replay starts (gorc run loads them on
// another goroutine): LoadImageAfter calls libsReady once, before it
// looks the externals up, and replays; an error from libsReady ends the
// replay with that error (not ErrImageStale: the image is fine), leaving
// nothing defined.
func TestLoadImageAfter(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	t.Run("loaded meanwhile", func(t *testing.T) {
		j, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close(ctx)
		done := make(chan error, 1)
		go func() { done <- j.LoadDylib(ctx, "-lm") }()
		calls := 0
		p, err := j.LoadImageAfter(ctx, data, "answer", []string{"answer"}, func() error { calls++; return <-done })
		if err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("libsReady called %d times, want 1", calls)
		}
		if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
			t.Errorf("answer() = %d, %v; want 42", r, err)
		}
	})
	t.Run("failed", func(t *testing.T) {
		j, err := New(ctx, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close(ctx)
		errLib := errors.New("no such library")
		_, err = j.LoadImageAfter(ctx, data, "answer", nil, func() error { return errLib })
		if !errors.Is(err, errLib) || errors.Is(err, ErrImageStale) {
			t.Fatalf("LoadImageAfter = %v, want the library's error, not ErrImageStale", err)
		}
		if _, err := j.Lookup(ctx, "answer"); err == nil {
			t.Errorf("answer defined after a failed replay")
		}
	})
}
