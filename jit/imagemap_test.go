//go:build cgo

package jit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// fileImage is an encoded image lying in a file at codecache.PayloadOffset,
// as in a cache entry: FileRange finds a part of data in the file (skew
// moves the offsets it reports, to break the content's page alignment).
type fileImage struct {
	f    *os.File
	data []byte
	skew int64
}

func (fi *fileImage) FileRange(b []byte) (uintptr, int64, bool) {
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(fi.data)))
	if at > uintptr(len(fi.data)) {
		return 0, 0, false
	}
	return fi.f.Fd(), codecache.PayloadOffset + int64(at) + fi.skew, true
}

// writeImageFile writes data to a file in dir after PayloadOffset bytes
// of header, as codecache does.
func writeImageFile(t *testing.T, dir string, data []byte) (*os.File, []byte) {
	t.Helper()
	file := append(make([]byte, codecache.PayloadOffset), data...)
	p := filepath.Join(dir, "entry")
	if err := os.WriteFile(p, file, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	// A read lease, as codecache.Map takes on an entry (a replay maps a
	// file only under one).
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETOWN, uintptr(syscall.Getpid()))
	if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETLEASE, syscall.F_RDLCK); e != 0 {
		t.Skipf("no read lease on %s: %v", p, e)
	}
	return f, file
}

// mappedFrom reports whether addr lies in a mapping of the file named
// path in this process (/proc/self/maps).
func mappedFrom(t *testing.T, addr uint64, path string) bool {
	t.Helper()
	return mappingOf(t, addr) == path
}

// mappingOf returns the file the mapping holding addr maps ("" for
// anonymous memory).
func mappingOf(t *testing.T, addr uint64) string {
	t.Helper()
	m, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Skipf("no /proc/self/maps: %v", err)
	}
	defer m.Close()
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		a, _ := strconv.ParseUint(lo, 16, 64)
		b, _ := strconv.ParseUint(hi, 16, 64)
		if a <= addr && addr < b {
			if len(f) >= 6 {
				return f[5]
			}
			return ""
		}
	}
	return ""
}

// TestImageContentAligned: the encoding puts the content on a page of
// the cache entry's file (counting codecache.PayloadOffset before it),
// whatever the length of the fields before it.
func TestImageContentAligned(t *testing.T) {
	for _, names := range []int{0, 1, 7, 300} {
		img := testImage()
		for i := range names {
			img.Names = append(img.Names, strings.Repeat("x", i%50))
			img.Weak = append(img.Weak, false)
		}
		data := img.encode()
		got, err := decodeImage(data)
		if err != nil {
			t.Fatalf("%d names: %v", names, err)
		}
		at := uintptr(unsafe.Pointer(unsafe.SliceData(got.Content))) - uintptr(unsafe.Pointer(unsafe.SliceData(data)))
		if (codecache.PayloadOffset+at)%imagePage != 0 || !bytes.Equal(got.Content, img.Content) {
			t.Errorf("%d names: content at %d of the payload (file offset %d), not on a page; equal %v", names, at, codecache.PayloadOffset+at, bytes.Equal(got.Content, img.Content))
		}
	}
}

// TestLoadImageFileMaps: replayed in this process from a file, the
// image's pages are the file's (mapped copy on write, not copied), the
// program computes the same, and the file is unchanged (the fixups'
// writes went to private copies). With the content off a page of the
// file, the replay copies it as before.
func TestLoadImageFileMaps(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	f, want := writeImageFile(t, t.TempDir(), data)
	for _, skew := range []int64{0, 1} {
		t.Run(fmt.Sprint("skew=", skew), func(t *testing.T) {
			j, err := New(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.LoadDylib(ctx, "-lm"); err != nil {
				t.Fatal(err)
			}
			p, err := j.LoadImageFile(ctx, data, &fileImage{f: f, data: data, skew: skew}, "answer", []string{"answer"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
				t.Errorf("answer() = %d, %v; want 42", r, err)
			}
			mapped := mappedFrom(t, uint64(p.Main), f.Name())
			if mapped != (skew == 0) {
				t.Errorf("code at %v mapped from %s: %v, want %v", p.Main, f.Name(), mapped, skew == 0)
			}
			if got, err := os.ReadFile(f.Name()); err != nil || !bytes.Equal(got, want) {
				t.Errorf("the image's file changed under the replay (%v)", err)
			}
		})
	}
}

// TestLoadImageFileFreed: memory a mapped image occupied is fresh,
// anonymous memory once the JIT frees it, so that the slab never hands
// the file's bytes out again as zeroed pages.
func TestLoadImageFileFreed(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	f, _ := writeImageFile(t, t.TempDir(), data)
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	p, err := j.LoadImageFile(ctx, data, &fileImage{f: f, data: data}, "answer", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !mappedFrom(t, uint64(p.Main), f.Name()) {
		t.Fatalf("the image is not mapped from %s", f.Name())
	}
	mm, err := j.memory()
	if err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	fas := j.imageAllocs
	j.imageAllocs = nil
	j.mu.Unlock()
	if err := mm.Deallocate(ctx, fas); err != nil {
		t.Fatal(err)
	}
	if mappedFrom(t, uint64(p.Main), f.Name()) {
		t.Errorf("%v still mapped from %s after the image was freed", p.Main, f.Name())
	}
}

// TestLoadImageFileCodecache: a replay from an entry codecache.Map mapped
// maps the content from the entry's file.
func TestLoadImageFileCodecache(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	// Grow the image past the size codecache maps (it reads smaller
	// entries): a zero page-aligned tail on the last piece.
	img, err := decodeWhole(data)
	if err != nil {
		t.Fatal(err)
	}
	pad := 512 << 10
	img.Content = append(img.Content, make([]byte, pad)...)
	img.Pieces[len(img.Pieces)-1].Size += uint64(pad)
	data = img.encode()
	c, err := codecache.Open(t.TempDir(), codecache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := codecache.NewKey("image test").String("t", t.Name()).Sum()
	if err := c.Put(k, data); err != nil {
		t.Fatal(err)
	}
	m, err := c.Map(k)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, _, ok := m.FileRange(m.Payload); !ok {
		if leaseWorks(t, c.Dir()) {
			t.Fatal("the entry was read, not mapped")
		}
		t.Skip("the entry was read, not mapped: no read lease on this file system")
	}
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	p, err := j.LoadImageFile(ctx, m.Payload, m, "answer", []string{"answer"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Close() // the mapping keeps the file's pages
	if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
		t.Errorf("answer() = %d, %v; want 42", r, err)
	}
	// The code table was left in the file, read when first needed (the
	// entry closed and even removed meanwhile).
	j.syms.mu.Lock()
	fromFile := len(j.syms.lazy) == 1 && j.syms.lazy[0].fd >= 0 && j.syms.lazy[0].raw == ""
	j.syms.mu.Unlock()
	if !fromFile {
		t.Error("the code table was copied at the replay, not left in the entry's file")
	}
	if err := c.Remove(k); err != nil {
		t.Fatal(err)
	}
	if loc, ok := j.SymbolAt(p.Main); !ok || loc.Symbol != "answer" {
		t.Errorf("SymbolAt(answer) = %v, %v; want answer+0", loc, ok)
	}
	if got := mappingOf(t, uint64(p.Main)); !strings.HasPrefix(got, c.Dir()) {
		t.Errorf("code at %v mapped from %q, want the entry's file in %s", p.Main, got, c.Dir())
	}
}

// TestLoadImageCodeTableLazy: a replay keeps the image's code table
// encoded until an address must be named; the first SymbolAt decodes it
// and names the replayed functions as a fresh link's table would.
func TestLoadImageCodeTableLazy(t *testing.T) {
	ctx := context.Background()
	data := recordAnswer(t)
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		t.Fatal(err)
	}
	p, err := j.LoadImage(ctx, data, "answer", nil)
	if err != nil {
		t.Fatal(err)
	}
	j.syms.mu.Lock()
	lazy, blocks := len(j.syms.lazy), len(j.syms.blocks)
	j.syms.mu.Unlock()
	if lazy != 1 || blocks != 0 {
		t.Errorf("after the replay: %d code tables pending, %d blocks decoded; want 1 and 0", lazy, blocks)
	}
	loc, ok := j.SymbolAt(p.Main)
	if !ok || loc.Symbol != "answer" || loc.Offset != 0 {
		t.Errorf("SymbolAt(answer) = %v, %v; want answer+0", loc, ok)
	}
	j.syms.mu.Lock()
	lazy, blocks = len(j.syms.lazy), len(j.syms.blocks)
	j.syms.mu.Unlock()
	if lazy != 0 || blocks == 0 {
		t.Errorf("after SymbolAt: %d code tables pending, %d blocks; want 0 and some", lazy, blocks)
	}
}

// fixupImage is an image of 64 KiB with n fixups (absolute pointers
// into the span, as most of a replayed image's are), and memory to
// re-apply them in.
func fixupImage(tb testing.TB, n int) (jitlink.Arch, *image, []jitlink.Segment, uint64) {
	tb.Helper()
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	arch := j.Target.Arch
	j.Close(ctx)
	ptr64 := jitlink.KindInvalid
	for k := jitlink.FirstArchKind; k < jitlink.FirstArchKind+64; k++ {
		if arch.EdgeKindName(k) == "Pointer64" {
			ptr64 = k
		}
	}
	if ptr64 == jitlink.KindInvalid {
		tb.Skip("no Pointer64 kind")
	}
	img := &image{Pieces: []imagePiece{{0, 16 * imagePage, shared.ProtRead}}}
	for i := range n {
		img.Fixups = append(img.Fixups, imageFixup{Off: uint64(i) * 16, Kind: ptr64, Name: -1, Target: int64(i)})
	}
	mem := make([]byte, 16*imagePage)
	base := uint64(uintptr(unsafe.Pointer(&mem[0])))
	return arch, img, []jitlink.Segment{{Addr: shared.ExecutorAddr(base), Mem: mem}}, base
}

// TestImageFixupAllocs: re-applying an image's fixups allocates a few
// objects, not one per fixup (the sqlite driver's image has 1,761).
func TestImageFixupAllocs(t *testing.T) {
	arch, img, segs, base := fixupImage(t, 4096)
	allocs := testing.AllocsPerRun(5, func() {
		if err := img.fixup(arch, segs, base, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 64 {
		t.Errorf("%v allocations for %d fixups", allocs, len(img.Fixups))
	}
	for i := range 4096 {
		if got := binary.LittleEndian.Uint64(segs[0].Mem[i*16:]); got != base+uint64(i) {
			t.Fatalf("fixup %d wrote %#x, want %#x", i, got, base+uint64(i))
		}
	}
}

// BenchmarkImageFixup re-applies 4,096 fixups to a 64 KiB image.
func BenchmarkImageFixup(b *testing.B) {
	arch, img, segs, base := fixupImage(b, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if err := img.fixup(arch, segs, base, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadImageFileEntryChanged: another process truncating or rewriting
// a cache entry while a program runs from its mapped pages. The entry's
// read lease makes the writer wait until the replay has moved anonymous
// copies over the mapped pages and read the code table (on SIGIO): the
// program keeps running the verified bytes and its functions are still
// named. Before, the truncation killed the program with SIGBUS (the
// next fault on a mapped page) and a rewrite changed its code.
func TestLoadImageFileEntryChanged(t *testing.T) {
	for _, change := range []string{"truncate", "rewrite", "broken before the replay", "truncate, SIGIO ignored"} {
		t.Run(change, func(t *testing.T) {
			if change == "truncate, SIGIO ignored" {
				// As a JIT'd C program that ignores SIGIO (or handles it
				// itself: sigaction replaces Go's handler): before, the
				// lease's break went unanswered and the writer waited
				// /proc/sys/fs/lease-break-time (45 s), then truncated the
				// mapped pages under the program.
				defer ignoreSignal(t, syscall.SIGIO)()
			}
			ctx := context.Background()
			c, k, data := putLargeAnswer(t)
			m, err := c.Map(k)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if _, _, ok := m.FileRange(m.Payload); !ok {
				if leaseWorks(t, c.Dir()) {
					t.Fatal("the entry was read, not mapped")
				}
				t.Skip("the entry was read, not mapped: no read lease on this file system")
			}
			if change == "broken before the replay" {
				// A writer that will not wait breaks the lease before the
				// replay holds it: the replay must not keep the mapping.
				if _, err := os.OpenFile(entryPath(t, c), os.O_WRONLY|syscall.O_NONBLOCK, 0); !errors.Is(err, syscall.EWOULDBLOCK) {
					t.Fatalf("a non-blocking writer: %v, want EWOULDBLOCK", err)
				}
			}
			j, err := New(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.LoadDylib(ctx, "-lm"); err != nil {
				t.Fatal(err)
			}
			p, err := j.LoadImageFile(ctx, m.Payload, m, "answer", []string{"answer"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			m.Close()
			if change == "broken before the replay" {
				if got := mappingOf(t, uint64(p.Main)); got != "" {
					t.Errorf("code at %v mapped from %q though the lease was broken", p.Main, got)
				}
				if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
					t.Errorf("answer() = %d, %v; want 42", r, err)
				}
				return
			}
			path := mappingOf(t, uint64(p.Main))
			if !strings.HasPrefix(path, c.Dir()) {
				t.Fatalf("code at %v mapped from %q, want the entry's file in %s", p.Main, path, c.Dir())
			}
			done := make(chan error, 1)
			go func() {
				if change == "truncate" {
					done <- os.Truncate(path, 0)
					return
				}
				f, err := os.OpenFile(path, os.O_WRONLY, 0)
				if err != nil {
					done <- err
					return
				}
				_, err = f.WriteAt(bytes.Repeat([]byte{0xcc}, len(data)), 0)
				done <- errors.Join(err, f.Close())
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the writer still waits for the lease after 20 s")
			}
			if got := mappingOf(t, uint64(p.Main)); got != "" {
				t.Errorf("code at %v still mapped from %q", p.Main, got)
			}
			if r, err := j.EPC.RunAsMain(ctx, p.Main, []string{"answer"}); r != 42 || err != nil {
				t.Errorf("answer() = %d, %v; want 42", r, err)
			}
			if loc, ok := j.SymbolAt(p.Main); !ok || loc.Symbol != "answer" {
				t.Errorf("SymbolAt(answer) = %v, %v; want answer+0", loc, ok)
			}
		})
	}
}

// putLargeAnswer stores recordAnswer's image, grown past the size
// codecache maps, in a fresh cache.
func putLargeAnswer(t *testing.T) (*codecache.Cache, codecache.Key, []byte) {
	t.Helper()
	img, err := decodeWhole(recordAnswer(t))
	if err != nil {
		t.Fatal(err)
	}
	pad := 512 << 10
	img.Content = append(img.Content, make([]byte, pad)...)
	img.Pieces[len(img.Pieces)-1].Size += uint64(pad)
	data := img.encode()
	c, err := codecache.Open(t.TempDir(), codecache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k := codecache.NewKey("image test").String("t", t.Name()).Sum()
	if err := c.Put(k, data); err != nil {
		t.Fatal(err)
	}
	return c, k, data
}

// entryPath returns the path of the one entry in cache c.
func entryPath(t *testing.T, c *codecache.Cache) string {
	t.Helper()
	var found string
	filepath.WalkDir(c.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no entry in %s", c.Dir())
	}
	return found
}

// leaseWorks reports whether a read lease can be taken on a file in dir.
func leaseWorks(t *testing.T, dir string) bool {
	t.Helper()
	p := filepath.Join(dir, "lease-probe")
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, _, e := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETLEASE, syscall.F_RDLCK)
	return e == 0
}

// ignoreSignal sets sig's action to SIG_IGN with rt_sigaction, as C code
// calling sigaction does (behind Go's back), and returns the function
// restoring the action it replaced.
func ignoreSignal(t *testing.T, sig syscall.Signal) func() {
	t.Helper()
	type sigaction struct {
		handler, flags, restorer, mask uint64
	}
	var old sigaction
	ign := sigaction{handler: 1} // SIG_IGN
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&ign)), uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
		t.Fatalf("rt_sigaction(%v): %v", sig, e)
	}
	return func() {
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
	}
}
