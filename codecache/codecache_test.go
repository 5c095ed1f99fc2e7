package codecache

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func openTest(t testing.TB, dir string, max int64) *Cache {
	t.Helper()
	c, err := Open(dir, Options{MaxBytes: max})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func key(s string) Key { return NewKey("test").String("input", s).Sum() }

func TestHitAndMiss(t *testing.T) {
	c := openTest(t, t.TempDir(), 0)
	k := key("a")
	if _, err := c.Get(k); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get on an empty cache: %v, want ErrNotFound", err)
	}
	want := []byte("\x7fELF object bytes")
	if err := c.Put(k, want); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(k)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get after Put = %q, %v; want %q", got, err, want)
	}
	if _, err := c.Get(key("b")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of another key: %v, want ErrNotFound", err)
	}
	// Empty payloads are entries too.
	if err := c.Put(key("empty"), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(key("empty")); err != nil || len(got) != 0 {
		t.Fatalf("empty entry: %q, %v", got, err)
	}
}

func TestKeysSeparateFields(t *testing.T) {
	// Length prefixes: moving bytes between fields changes the key.
	a := NewKey("k").String("x", "ab").String("y", "c").Sum()
	b := NewKey("k").String("x", "a").String("y", "bc").Sum()
	if a == b {
		t.Error("fields ab|c and a|bc give the same key")
	}
	if NewKey("k").Int("O", 1).Sum() == NewKey("k").Int("O", 2).Sum() {
		t.Error("options do not change the key")
	}
	if NewKey("k").Sum() == NewKey("j").Sum() {
		t.Error("kinds do not change the key")
	}
	// Another build of gorc: another key for the same input.
	if newKey("build 1", "k").Sum() == newKey("build 2", "k").Sum() {
		t.Error("the build identity does not change the key")
	}
	if BuildIdentity() == "" {
		t.Error("empty build identity")
	}
}

// TestCorruptEntries damages an entry in each way a cache file can go bad;
// Get must detect it, delete it and report a miss, and a new Put must
// bring back a good entry.
func TestCorruptEntries(t *testing.T) {
	payload := bytes.Repeat([]byte("code"), 100)
	other := key("other")
	cases := []struct {
		name   string
		damage func(entry []byte, c *Cache) []byte
		reason string
	}{
		{"flipped payload byte", func(e []byte, _ *Cache) []byte { e[len(e)-7] ^= 0x20; return e }, "checksum"},
		{"flipped checksum byte", func(e []byte, _ *Cache) []byte { e[57] ^= 1; return e }, "checksum"},
		{"truncated payload", func(e []byte, _ *Cache) []byte { return e[:len(e)-10] }, "header says"},
		{"truncated header", func(e []byte, _ *Cache) []byte { return e[:20] }, "shorter than"},
		{"empty file", func(e []byte, _ *Cache) []byte { return nil }, "shorter than"},
		{"wrong magic", func(e []byte, _ *Cache) []byte { copy(e, "\x7fELF\x02\x01\x01\x00"); return e }, "magic"},
		{"future format", func(e []byte, _ *Cache) []byte { e[8] = 9; return e }, "format version"},
		{"entry of another key", func(e []byte, _ *Cache) []byte { return encode(other, []byte("someone else's code")) }, "stored under key"},
		{"appended bytes", func(e []byte, _ *Cache) []byte { return append(e, 0) }, "header says"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := openTest(t, t.TempDir(), 0)
			k := key("victim")
			if err := c.Put(k, payload); err != nil {
				t.Fatal(err)
			}
			p := c.path(k)
			entry, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.damage(entry, c), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := c.Get(k)
			var ce *CorruptEntryError
			if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) || got != nil {
				t.Fatalf("Get of a damaged entry = %q, %v; want a CorruptEntryError saying %q", got, err, tc.reason)
			}
			if ce.Path != p {
				t.Errorf("error names %s, want %s", ce.Path, p)
			}
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("damaged entry not deleted: %v", err)
			}
			if _, err := c.Get(k); !errors.Is(err, ErrNotFound) {
				t.Errorf("second Get: %v, want ErrNotFound", err)
			}
			if err := c.Put(k, payload); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get(k); err != nil || !bytes.Equal(got, payload) {
				t.Errorf("rebuilt entry: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestConcurrentWriters: separate Cache values on one directory (as
// separate processes would have) write the same and different keys at
// once while others read; every read sees a whole, correct entry or none.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	const writers, keys, rounds = 4, 8, 10
	payloadOf := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 20000+i) }
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range writers {
		c := openTest(t, dir, 0)
		wg.Add(2)
		go func() { // writer: every key (the same ones as the other writers)
			defer wg.Done()
			for r := range rounds {
				for i := range keys {
					if err := c.Put(key(fmt.Sprint(i)), payloadOf(i)); err != nil {
						errs <- err
					}
					// and one of its own
					if err := c.Put(key(fmt.Sprintf("w%d-%d", w, r)), payloadOf(w)); err != nil {
						errs <- err
					}
				}
			}
		}()
		go func() { // reader
			defer wg.Done()
			for range rounds * keys {
				for i := range keys {
					got, err := c.Get(key(fmt.Sprint(i)))
					if err == nil && !bytes.Equal(got, payloadOf(i)) {
						errs <- fmt.Errorf("key %d: wrong payload of %d bytes", i, len(got))
					} else if err != nil && !errors.Is(err, ErrNotFound) {
						errs <- fmt.Errorf("key %d: %w", i, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c := openTest(t, dir, 0)
	for i := range keys {
		if got, err := c.Get(key(fmt.Sprint(i))); err != nil || !bytes.Equal(got, payloadOf(i)) {
			t.Errorf("key %d after the race: %d bytes, %v", i, len(got), err)
		}
	}
	for w := range writers {
		for r := range rounds {
			if _, err := c.Get(key(fmt.Sprintf("w%d-%d", w, r))); err != nil {
				t.Errorf("writer %d round %d: %v", w, r, err)
			}
		}
	}
	// No temporary file is left behind.
	tmps, _ := filepath.Glob(filepath.Join(dir, "v*", "*", tmpPrefix+"*"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestTrim: past its bound the store drops the least recently used
// entries (a hit counts as a use) down to 90% of the bound.
func TestTrim(t *testing.T) {
	dir := t.TempDir()
	const entry = 1000 // payload bytes; headerSize more on disk
	c := openTest(t, dir, 10*(entry+headerSize))
	clock := time.Now().Add(-time.Hour)
	c.now = func() time.Time { return clock }
	for i := range 10 {
		k := key(fmt.Sprint(i))
		if err := c.Put(k, make([]byte, entry)); err != nil {
			t.Fatal(err)
		}
		// Older entries first, a minute apart.
		os.Chtimes(c.path(k), clock, clock)
		clock = clock.Add(2 * time.Minute)
	}
	if n, count, _ := c.Size(); count != 10 || n != 10*(entry+headerSize) {
		t.Fatalf("size %d bytes in %d entries, want 10 entries", n, count)
	}
	// A hit on the oldest makes it the most recent.
	if _, err := c.Get(key("0")); err != nil {
		t.Fatal(err)
	}
	// The eleventh entry goes over the bound: trimmed to 9 entries (90%).
	if err := c.Put(key("10"), make([]byte, entry)); err != nil {
		t.Fatal(err)
	}
	_, count, _ := c.Size()
	if count != 9 {
		t.Fatalf("%d entries after trimming, want 9", count)
	}
	for _, gone := range []string{"1", "2"} {
		if _, err := c.Get(key(gone)); !errors.Is(err, ErrNotFound) {
			t.Errorf("entry %s (least recently used) survived: %v", gone, err)
		}
	}
	for _, kept := range []string{"0", "3", "9", "10"} {
		if _, err := c.Get(key(kept)); err != nil {
			t.Errorf("entry %s: %v", kept, err)
		}
	}
	// A writer's leftover temporary file is removed once stale.
	stale := filepath.Join(filepath.Dir(c.path(key("0"))), tmpPrefix+"crashed")
	os.WriteFile(stale, []byte("half"), 0o644)
	old := clock.Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	c.Size()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
}

// TestTrimOlderFormats: entries of older formats (dir/v1, dir/v2, which
// this version never reads) count toward the bound and are trimmed with
// the current ones, least recently used first; an older format's
// directory goes once trimming has emptied it. An older gorc still using
// its directory touches its entries on a hit, so a recently used older
// entry outlives a current one used less recently. A newer format's
// directory is left alone.
func TestTrimOlderFormats(t *testing.T) {
	dir := t.TempDir()
	const entry = 1000 + headerSize // bytes on disk
	c := openTest(t, dir, 10*entry)
	clock := time.Now().Add(-time.Hour)
	c.now = func() time.Time { return clock }
	at := func(p string, mtime time.Time) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, entry), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mtime, mtime)
	}
	// Oldest of all: three version-1 entries in one fan-out directory,
	// then a version-2 entry; a version-2 entry an older gorc just hit;
	// a future format's entry.
	v1 := filepath.Join(dir, "v1", "ab")
	for i := range 3 {
		at(filepath.Join(v1, fmt.Sprintf("ab%02d", i)), clock.Add(time.Duration(i)*time.Second))
	}
	v2old := filepath.Join(dir, "v2", "cd", "cd00")
	at(v2old, clock.Add(time.Minute))
	v2used := filepath.Join(dir, "v2", "ef", "ef00")
	at(v2used, clock.Add(50*time.Minute))
	future := filepath.Join(dir, fmt.Sprintf("v%d", formatVersion+1), "01", "0100")
	at(future, clock)
	if n, count, _ := c.Size(); count != 5 || n != 5*entry {
		t.Fatalf("size %d bytes in %d entries, want the 5 entries of older formats", n, count)
	}
	// Five current entries, from 10 minutes on: the store is at its bound.
	clock = clock.Add(10 * time.Minute)
	for i := range 5 {
		k := key(fmt.Sprint(i))
		if err := c.Put(k, make([]byte, entry-headerSize)); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(c.path(k), clock, clock)
		clock = clock.Add(time.Minute)
	}
	if _, count, _ := c.Size(); count != 10 {
		t.Fatalf("%d entries before going over the bound, want 10", count)
	}
	// Five more (now): each Put over the bound trims to 9 entries, the
	// least recently used first — the 3 version-1 entries and the old
	// version-2 one, then the two oldest current ones, not the version-2
	// entry used after them.
	for i := 5; i < 10; i++ {
		if err := c.Put(key(fmt.Sprint(i)), make([]byte, entry-headerSize)); err != nil {
			t.Fatal(err)
		}
	}
	if n, count, _ := c.Size(); count != 9 || n != 9*entry {
		t.Errorf("%d entries (%d bytes) after trimming, want 9", count, n)
	}
	for _, gone := range []string{v1, filepath.Join(dir, "v1"), v2old, filepath.Dir(v2old)} {
		if _, err := os.Stat(gone); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s survived trimming: %v", gone, err)
		}
	}
	for _, kept := range []string{v2used, future} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("%s: %v", kept, err)
		}
	}
	for i := range 10 {
		_, err := c.Get(key(fmt.Sprint(i)))
		if gone := i < 2; gone != errors.Is(err, ErrNotFound) || (!gone && err != nil) {
			t.Errorf("current entry %d: %v (want it gone: %v)", i, err, gone)
		}
	}
}

// TestTrimToleratesVanishingFiles: two caches trimming the same directory
// at once both succeed.
func TestTrimToleratesVanishingFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := openTest(t, dir, 0), openTest(t, dir, 0)
	for i := range 50 {
		if err := a.Put(key(fmt.Sprint(i)), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	// Lower the bound below everything; a and b race to remove.
	a.maxBytes, b.maxBytes = 1, 1
	var wg sync.WaitGroup
	for _, c := range []*Cache{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Trim(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, n, _ := a.Size(); n != 0 {
		t.Errorf("%d entries left", n)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open of an empty name succeeded")
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o644)
	if _, err := Open(f, Options{}); err == nil || !strings.Contains(err.Error(), "cache directory") {
		t.Errorf("Open of a file: %v", err)
	}
	d, err := DefaultDir()
	if err == nil && filepath.Base(d) != "gorc" {
		t.Errorf("DefaultDir = %s", d)
	}
}

// BenchmarkGet reads and verifies a 1.4 MB entry (the size of the
// 2,000-function Kaleidoscope program's object): the cost of a hit.
func BenchmarkGet(b *testing.B) {
	c := openTest(b, b.TempDir(), 0)
	k := key("bench")
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1400<<10/16)
	if err := c.Put(k, payload); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := c.Get(k); err != nil {
			b.Fatal(err)
		}
	}
}

// chunks is an io.WriterTo that writes its parts one Write each (as a
// streamed encoding does), or fails after them.
type chunks struct {
	parts [][]byte
	fail  error
}

func (c chunks) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, p := range c.parts {
		k, err := w.Write(p)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, c.fail
}

// TestPutFrom: a streamed payload is stored as Put stores it (Get and
// GetMapped verify its header and checksum); a failing writer stores
// nothing and leaves no temporary file.
func TestPutFrom(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16) // mapped by GetMapped
	cases := []struct {
		name  string
		parts [][]byte
	}{
		{"empty", nil},
		{"one part", [][]byte{[]byte("\x7fELF object bytes")}},
		{"many parts", [][]byte{[]byte("head"), big, {}, []byte("tail")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := openTest(t, t.TempDir(), 0)
			k := key(tc.name)
			if err := c.PutFrom(k, chunks{parts: tc.parts}); err != nil {
				t.Fatal(err)
			}
			want := bytes.Join(tc.parts, nil)
			got, err := c.Get(k)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("Get after PutFrom: %d bytes, %v; want %d bytes", len(got), err, len(want))
			}
			m, release, err := c.GetMapped(k)
			if err != nil || !bytes.Equal(m, want) {
				t.Fatalf("GetMapped after PutFrom: %d bytes, %v; want %d bytes", len(m), err, len(want))
			}
			release()
		})
	}
	t.Run("writer fails", func(t *testing.T) {
		dir := t.TempDir()
		c := openTest(t, dir, 0)
		k := key("fails")
		boom := errors.New("boom")
		if err := c.PutFrom(k, chunks{parts: [][]byte{big}, fail: boom}); !errors.Is(err, boom) {
			t.Fatalf("PutFrom = %v, want boom", err)
		}
		if _, err := c.Get(k); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after a failed PutFrom: %v, want ErrNotFound", err)
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("file left behind: %s", p)
			}
			return nil
		})
	})
}

func BenchmarkPutFrom(b *testing.B) {
	c := openTest(b, b.TempDir(), 0)
	k := key("bench")
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1800<<10/16)
	src := chunks{parts: [][]byte{payload}}
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if err := c.PutFrom(k, src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPutSmall: PutSmall stores an entry Get returns, and does not trim
// (the next Put does).
func TestPutSmall(t *testing.T) {
	c := openTest(t, t.TempDir(), 1000)
	if err := c.Put(key("big"), make([]byte, 900)); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSmall(key("digest"), make([]byte, 200)); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(key("digest")); err != nil || len(got) != 200 {
		t.Fatalf("Get after PutSmall: %d bytes, %v", len(got), err)
	}
	if _, n, err := c.Size(); err != nil || n != 2 {
		t.Fatalf("after PutSmall over the bound: %d entries (%v), want 2 (no trim)", n, err)
	}
	if err := c.Put(key("more"), make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	if size, _, err := c.Size(); err != nil || size > 900 {
		t.Fatalf("after Put: %d bytes (%v), want trimmed to 900", size, err)
	}
}

// TestMapFileRange: Map keeps a large entry's file open, and FileRange
// finds a part of the payload in it (reading the file there gives the
// same bytes); a small entry is read, and slices from elsewhere are not
// found. A damaged entry is reported, as by Get.
func TestMapFileRange(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16)
	c := openTest(t, t.TempDir(), 0)
	k := key("big")
	if err := c.Put(k, big); err != nil {
		t.Fatal(err)
	}
	m, err := c.Map(k)
	if err != nil || !bytes.Equal(m.Payload, big) {
		t.Fatalf("Map: %v", err)
	}
	part := m.Payload[5000:9000]
	fd, off, ok := m.FileRange(part)
	if !ok && !leasesWork(t, c.Dir()) {
		t.Skip("no read leases on this file system: entries are read, not mapped")
	}
	if !ok || off != PayloadOffset+5000 {
		t.Fatalf("FileRange = %d, %d, %v; want offset %d", fd, off, ok, PayloadOffset+5000)
	}
	got := make([]byte, len(part))
	if _, err := syscall.Pread(int(fd), got, off); err != nil || !bytes.Equal(got, part) {
		t.Fatalf("the file at %d: %q, %v", off, got[:16], err)
	}
	if _, _, ok := m.FileRange(big[:10]); ok {
		t.Error("FileRange found a slice of another buffer")
	}
	if _, _, ok := m.FileRange(m.Payload[len(m.Payload)-10 : len(m.Payload) : len(m.Payload)]); !ok {
		t.Error("FileRange did not find the payload's last bytes")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := m.FileRange(part); ok || m.Close() != nil {
		t.Error("FileRange after Close, or a second Close failed")
	}

	small := key("small")
	if err := c.Put(small, []byte("tiny")); err != nil {
		t.Fatal(err)
	}
	ms, err := c.Map(small)
	if err != nil || string(ms.Payload) != "tiny" {
		t.Fatalf("Map(small) = %v", err)
	}
	if _, _, ok := ms.FileRange(ms.Payload); ok {
		t.Error("FileRange of a read (not mapped) entry")
	}
	ms.Close()

	p := c.path(k)
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 1
	os.WriteFile(p, data, 0o644)
	var ce *CorruptEntryError
	if _, err := c.Map(k); !errors.As(err, &ce) {
		t.Fatalf("Map of a damaged entry = %v, want a CorruptEntryError", err)
	}
	if _, err := c.Map(k); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Map after the damaged entry = %v, want ErrNotFound (removed)", err)
	}
}

// TestMapLease: a mapped entry's file holds a read lease while Map's
// descriptor (or a duplicate) is open: a writer that will not wait is
// refused (EWOULDBLOCK) and LeaseBroken then says so; after Close the
// file is free. An entry another process has open for writing gets no
// lease, and FileRange then hands its file out to no one (the payload
// is still verified and returned, read rather than mapped).
func TestMapLease(t *testing.T) {
	big, c, k, m := mapBig(t, "0123456789abcdef")
	fd, _, ok := m.FileRange(m.Payload)
	if !ok {
		if leasesWork(t, c.Dir()) {
			t.Fatal("no FileRange though leases work here")
		}
		t.Skip("no lease on the cache's file system")
	}
	if LeaseBroken(fd) {
		t.Fatal("LeaseBroken before any writer")
	}
	_, err := os.OpenFile(c.path(k), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Fatalf("a writer opened the leased entry: %v", err)
	}
	if !LeaseBroken(fd) {
		t.Error("LeaseBroken false while a writer waits")
	}
	m.Close()
	w, err := os.OpenFile(c.path(k), os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	defer w.Close()
	m, err = c.Map(k)
	if err != nil || !bytes.Equal(m.Payload, big) {
		t.Fatalf("Map with a writer: %v", err)
	}
	defer m.Close()
	if _, _, ok := m.FileRange(m.Payload); ok {
		t.Error("FileRange handed out a file open for writing elsewhere (no lease)")
	}
}

// leasesWork reports whether a read lease can be taken on a file in dir
// (not on NFS, with leases enabled, on a file of this user's).
func leasesWork(t *testing.T, dir string) bool {
	t.Helper()
	f, err := os.CreateTemp(dir, "lease")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	f.Close()
	r, err := os.Open(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return takeReadLease(r)
}

// TestMapCloseFile: CloseFile closes the entry's file, and its lease
// goes with it (a writer that will not wait opens the file at once:
// the payload's mapping, which stays, holds no lease), while the payload
// stays mapped and readable; FileRange hands nothing out after it; Close
// then unmaps, and both may be repeated.
func TestMapCloseFile(t *testing.T) {
	big, c, k, m := mapBig(t, "fedcba9876543210")
	if _, _, ok := m.FileRange(m.Payload); !ok {
		if leasesWork(t, c.Dir()) {
			t.Fatal("no FileRange though leases work here")
		}
		t.Skip("no lease on the cache's file system: the entry is read, not mapped")
	}
	if _, err := os.OpenFile(c.path(k), os.O_WRONLY|syscall.O_NONBLOCK, 0); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Fatalf("a writer opened the leased entry before CloseFile: %v", err)
	}
	if err := m.CloseFile(); err != nil {
		t.Fatal(err)
	}
	if err := m.CloseFile(); err != nil {
		t.Fatalf("a second CloseFile: %v", err)
	}
	if _, _, ok := m.FileRange(m.Payload); ok {
		t.Error("FileRange after CloseFile")
	}
	w, err := os.OpenFile(c.path(k), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatalf("a writer after CloseFile: %v (the payload's mapping kept the lease)", err)
	}
	w.Close()
	if !bytes.Equal(m.Payload, big) {
		t.Fatal("the payload changed after CloseFile")
	}
	if err := m.Close(); err != nil || m.Payload != nil {
		t.Fatalf("Close after CloseFile: %v (payload %d bytes)", err, len(m.Payload))
	}
	if err := m.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

// mapBig puts a 300 KiB entry made of pattern (16 bytes) in a new cache
// under k and maps it.
func mapBig(t *testing.T, pattern string) (big []byte, c *Cache, k Key, m *Mapped) {
	t.Helper()
	big = bytes.Repeat([]byte(pattern), 300<<10/16)
	c = openTest(t, t.TempDir(), 0)
	k = key("big")
	if err := c.Put(k, big); err != nil {
		t.Fatal(err)
	}
	m, err := c.Map(k)
	if err != nil {
		t.Fatal(err)
	}
	return big, c, k, m
}
