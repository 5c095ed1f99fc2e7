//go:build cgo

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKaleidoImageCache: gorc kaleido's second run replays the linked
// image the first stored (no compilation, no object parsed) and prints
// exactly what the first printed, in this process and in a child
// executor (whose image is another entry: its externals are the child's).
func TestKaleidoImageCache(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	copyCorpus(t, dir, "mandel.k", "mandel.stdout")
	want, _ := os.ReadFile(filepath.Join(dir, "mandel.stdout"))
	cache := filepath.Join(dir, "cache")
	for i, mode := range []string{"local", "child"} {
		t.Run(mode, func(t *testing.T) {
			run := func(step string) string {
				t.Helper()
				args := []string{"kaleido", "-cache", cache, "-show-times", "-exec", mode, "mandel.k"}
				stdout, stderr, code := runGorc(t, bin, dir, args, "", false)
				if code != 0 || stdout != string(want) {
					t.Fatalf("%s: exit %d, stdout differs from mandel.stdout:\n%s\nstderr:\n%s", step, code, stdout, stderr)
				}
				return stderr
			}
			se := run("first run")
			if !strings.Contains(se, "cache: miss for mandel.k") || !strings.Contains(se, "parse+irgen") || !strings.Contains(se, "cache: linked image stored") {
				t.Fatalf("first run: stderr %s", se)
			}
			if n := len(cacheEntries(t, cache)); n != i+1 {
				t.Errorf("%d entries after the first run, want %d (one image per executor kind)", n, i+1)
			}
			se = run("second run")
			if !strings.Contains(se, "cache: hit for mandel.k (linked image") || strings.Contains(se, "parse+irgen") || strings.Contains(se, "stored") {
				t.Fatalf("second run did not replay the image: stderr %s", se)
			}
		})
	}
}

// rewritePayload replaces the payload of the cache entry at path with
// edit's result under a valid header (length and CRC-32), as a buggy or
// foreign writer could: the store's checks pass, the image's must not.
func rewritePayload(t *testing.T, path string, edit func([]byte) []byte) {
	t.Helper()
	const headerSize = 60 // codecache's entry header
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	payload := edit(append([]byte{}, b[headerSize:]...))
	hdr := append([]byte{}, b[:headerSize]...)
	binary.LittleEndian.PutUint64(hdr[48:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(hdr[56:], crc32.ChecksumIEEE(payload))
	if err := os.WriteFile(path, append(hdr, payload...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKaleidoImageCacheBadImage: an entry that passes the store's
// checksum but is not a well-formed image (a foreign or buggy writer's)
// is not replayed: the program is compiled, prints what it should, and
// its image is stored again, which the next run replays.
func TestKaleidoImageCacheBadImage(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	copyCorpus(t, dir, "fib.k", "fib.stdout")
	want, _ := os.ReadFile(filepath.Join(dir, "fib.stdout"))
	cache := filepath.Join(dir, "cache")
	run := func(step string) string {
		t.Helper()
		stdout, stderr, code := runGorc(t, bin, dir, []string{"kaleido", "-cache", cache, "-show-times", "fib.k"}, "", false)
		if code != 0 || stdout != string(want) {
			t.Fatalf("%s: exit %d, stdout differs from fib.stdout:\n%s\nstderr:\n%s", step, code, stdout, stderr)
		}
		return stderr
	}
	run("first run")
	entries := cacheEntries(t, cache)
	if len(entries) != 1 {
		t.Fatalf("entries after the first run: %v", entries)
	}
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
	}{
		{"another format", func(b []byte) []byte {
			return bytes.Replace(b, []byte("gorc-linked-image-"), []byte("gorc-linked-image+"), 1)
		}},
		{"truncated image", func(b []byte) []byte { return b[:len(b)/2] }},
		{"not an image", func(b []byte) []byte { return []byte("\x7fELF and so on") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rewritePayload(t, entries[0], tc.edit)
			se := run(tc.name)
			if !strings.Contains(se, "linked image of fib.k not replayed") || !strings.Contains(se, "parse+irgen") || !strings.Contains(se, "linked image stored") {
				t.Fatalf("bad image not reported or not rebuilt; stderr:\n%s", se)
			}
			if se := run(tc.name + ", rebuilt"); !strings.Contains(se, "cache: hit for fib.k (linked image") {
				t.Fatalf("rebuilt image not replayed; stderr:\n%s", se)
			}
		})
	}
}

// bigKaleido is a Kaleidoscope program of more than memoSourcesFrom
// bytes that evaluates v+1.
func bigKaleido(v int) string {
	var b strings.Builder
	for i := 0; b.Len() < memoSourcesFrom+4096; i++ {
		fmt.Fprintf(&b, "def f%d(x) x + %d;\n", i, i%10)
	}
	fmt.Fprintf(&b, "f1(%d);\n", v)
	return b.String()
}

// TestKaleidoImageCacheSourceDigest: the digest of a large source that
// has not changed for a while is remembered, and a hit then reads only
// that (not the source); rewriting the source with other content of the
// same size and the same mtime changes its identity (the ctime), so it
// misses and the new program runs.
func TestKaleidoImageCacheSourceDigest(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "big.k")
	old := time.Now().Add(-time.Hour)
	write := func(v int) {
		if err := os.WriteFile(src, []byte(bigKaleido(v)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(src, old, old); err != nil {
			t.Fatal(err)
		}
	}
	cache := filepath.Join(dir, "cache")
	run := func(step, want string) string {
		t.Helper()
		stdout, stderr, code := runGorc(t, bin, dir, []string{"kaleido", "-cache", cache, "-show-times", "big.k"}, "", false)
		if code != 0 || !strings.HasPrefix(stdout, want) {
			t.Fatalf("%s: exit %d, stdout %q, want %q first\nstderr:\n%s", step, code, stdout, want, stderr)
		}
		return stderr
	}
	write(5)
	// The ctime is now: a digest is remembered once it is old enough.
	time.Sleep(racyWindow + 100*time.Millisecond)
	if se := run("first run", "Evaluated to 6.0"); !strings.Contains(se, "cache: miss for big.k") {
		t.Fatalf("first run: %s", se)
	}
	if n := len(cacheEntries(t, cache)); n != 2 {
		t.Fatalf("%d entries after the first run, want 2 (the image and the source's digest)", n)
	}
	if se := run("second run", "Evaluated to 6.0"); !strings.Contains(se, "cache: hit for big.k (linked image") {
		t.Fatalf("second run: %s", se)
	}
	write(7) // same size, same mtime: another ctime
	if se := run("after rewriting the source", "Evaluated to 8.0"); !strings.Contains(se, "cache: miss for big.k") {
		t.Fatalf("after rewriting the source: %s", se)
	}
}
