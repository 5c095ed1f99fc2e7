package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/codecache"
)

// TestHashFileTruncated: an input another process truncates while its
// cache key is computed (hashFile maps it) makes hashFile report the file
// as changed, not kill gorc with SIGBUS; an untouched file still hashes.
// The truncation is made between mapping and hashing (hashFileMapped),
// then concurrently with repeated hashing.
func TestHashFileTruncated(t *testing.T) {
	dir := t.TempDir()
	cache, err := codecache.Open(filepath.Join(dir, "cache"), codecache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("gorc hashFile "), 1<<16) // 896 KiB: mapped
	path := filepath.Join(dir, "in.o")
	write := func() {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Error(err)
		}
	}
	write()
	const never = 1 << 40 // memoFrom: hash every time
	if err := hashFile(cache, codecache.NewKey("t"), path, never); err != nil {
		t.Fatalf("untouched file: %v", err)
	}

	t.Run("between mapping and hashing", func(t *testing.T) {
		write()
		hashFileMapped = func(p string) { os.Truncate(p, 4096) }
		defer func() { hashFileMapped = nil }()
		err := hashFile(cache, codecache.NewKey("t"), path, never)
		if !errors.Is(err, errChangedWhileHashed) {
			t.Fatalf("hashFile of a file truncated while mapped: %v, want %v", err, errChangedWhileHashed)
		}
		t.Log(err)
	})

	t.Run("concurrently", func(t *testing.T) {
		write()
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// Shrunk and grown again (zeros), so that most hashes
				// map the whole file and some see it shrink.
				os.Truncate(path, 4096)
				os.Truncate(path, int64(len(content)))
			}
		}()
		changed := 0
		for range 100 {
			err := hashFile(cache, codecache.NewKey("t"), path, never)
			switch {
			case errors.Is(err, errChangedWhileHashed):
				changed++
			case err != nil && !errors.Is(err, os.ErrNotExist):
				t.Errorf("hashFile: %v", err)
			}
		}
		close(stop)
		wg.Wait()
		t.Logf("%d of 100 hashes saw the file truncated", changed)
	})
}

// BenchmarkHashFile: hashing a 2.3 MB input for a cache key (mapped, its
// fault recovered), as for an archive whose digest is not remembered.
func BenchmarkHashFile(b *testing.B) {
	dir := b.TempDir()
	cache, err := codecache.Open(filepath.Join(dir, "cache"), codecache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "lib.a")
	if err := os.WriteFile(path, bytes.Repeat([]byte("0123456789abcdef"), 2300<<10/16), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(2300 << 10)
	for b.Loop() {
		if err := hashFile(cache, codecache.NewKey("t"), path, 1<<40); err != nil {
			b.Fatal(err)
		}
	}
}
