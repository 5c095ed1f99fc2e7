//go:build cgo

package jit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// bigDataIR returns a program whose linked image holds n bytes of
// initialized data (so the content dominates the image): byte(i) is
// element i, and @probe, run as main with argc arguments, returns
// element argc*262143.
func bigDataIR(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "@big = global [%d x i8] c\"", n)
	for i := range n {
		fmt.Fprintf(&b, "\\%02X", byte(i*7+1))
	}
	fmt.Fprintf(&b, "\"\n\ndefine i32 @probe(i32 %%argc, ptr %%argv) {\nentry:\n  %%a = sext i32 %%argc to i64\n  %%i = mul i64 %%a, 262143\n  %%p = getelementptr [%d x i8], ptr @big, i64 0, i64 %%i\n  %%v = load i8, ptr %%p\n  %%r = zext i8 %%v to i32\n  ret i32 %%r\n}\n", n)
	return b.String()
}

// TestImageWriteTo: the image streamed by WriteTo is the one Bytes
// builds, it decodes and replays, and streaming it allocates a small
// buffer, not copies of the content (the first run of gorc run pays for
// every fresh page: docs/RATIONALE.md, "Code cache: what recording costs the first run").
func TestImageWriteTo(t *testing.T) {
	const n = 1 << 20
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	rec := j.RecordImage()
	if err := j.AddIR(ctx, "big.ll", []byte(bigDataIR(n)), 0); err != nil {
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
	if img.Size() < n {
		t.Fatalf("image spans %d bytes, want at least %d", img.Size(), n)
	}
	want := img.Bytes()
	var buf bytes.Buffer
	buf.Grow(len(want))
	// The least of three tries: the JIT's own goroutines may allocate
	// meanwhile.
	alloc := ^uint64(0)
	for range 3 {
		buf.Reset()
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		w, err := img.WriteTo(&buf)
		runtime.ReadMemStats(&m1)
		if err != nil || w != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("WriteTo wrote %d bytes (%v), differing from Bytes' %d", w, err, len(want))
		}
		alloc = min(alloc, m1.TotalAlloc-m0.TotalAlloc)
	}
	if alloc > n/8 {
		t.Errorf("WriteTo of a %d-byte image allocated %d bytes, want at most %d (no copy of the content)", len(want), alloc, n/8)
	}

	j2, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close(ctx)
	p2, err := j2.LoadImage(ctx, buf.Bytes(), "probe", nil)
	if err != nil {
		t.Fatal(err)
	}
	for argc := 1; argc <= 4; argc++ {
		r, err := j2.EPC.RunAsMain(ctx, p2.Main, make([]string, argc))
		if want := int(byte(argc*262143*7 + 1)); r != want || err != nil {
			t.Errorf("replayed probe with argc %d = %d, %v; want %d", argc, r, err, want)
		}
	}
}

// BenchmarkImageWriteTo: streaming a 1 MiB image to io.Discard.
func BenchmarkImageWriteTo(b *testing.B) {
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(ctx)
	rec := j.RecordImage()
	if err := j.AddIR(ctx, "big.ll", []byte(bigDataIR(1<<20)), 0); err != nil {
		b.Fatal(err)
	}
	p, err := j.Program(ctx, "probe", nil)
	if err != nil {
		b.Fatal(err)
	}
	img, err := rec.Image(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(img.Size()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := img.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
