// Package codecache is gorc's persistent, content-keyed store of compiled
// artifacts (objects compiled from Kaleidoscope and IR), like LLVM's
// ObjectCache, numba's cache=True or ccache: an entry is found by a Key, a
// SHA-256 over everything that determines the artifact (gorc's own build,
// the target, the options that change the output and the input bytes),
// so an entry is never stale, only unused.
//
// The store is a directory shared by every gorc process of a user. Entries
// are written atomically (a temporary file renamed into place in the same
// directory), so a reader sees a whole entry or none; readers take no
// lock. Every entry carries a header (magic, format version, key, payload
// length, CRC-32 of the payload) that Get verifies: an entry that fails
// (truncated, flipped bits, a foreign file, an entry written for another
// key) is deleted and reported as a miss, never returned. The total size
// is bounded: Put trims the least recently used entries (by modification
// time, which Get refreshes) when the store grows past its maximum.
//
// The package is pure Go and imports nothing of the rest of gorc.
package codecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultMaxBytes is the size bound of a cache when Options.MaxBytes is 0.
const DefaultMaxBytes = 1 << 30

// formatVersion is the version of the entry format (the header below) and
// of the directory layout; it names the subdirectory entries live in, so
// a future format never reads this one's files. Version 1 checksummed the
// payload with SHA-256, version 2 with CRC-32C, version 3 with CRC-32
// (IEEE; see verify).
const formatVersion = 3

// magic starts every entry file.
var magic = [8]byte{'g', 'o', 'r', 'c', 'c', 'a', 'c', 'h'}

// headerSize is the size of an entry's header: magic, format version
// (uint32), reserved (uint32), key (32), payload length (uint64), payload
// CRC-32 (uint32).
const headerSize = 8 + 4 + 4 + 32 + 8 + 4

// checksum is an entry's payload checksum: CRC-32 (IEEE), which hash/crc32
// computes with carry-less multiplication (PCLMULQDQ on x86-64, PMULL on
// arm64) at many GB/s after a set-up of microseconds. (CRC-32C, format
// version 2, computed as fast, but its table set-up took 0.15-0.2 ms at
// the start of every gorc process, more than checking a 600 KB entry.)
func checksum(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// Key identifies an entry: a SHA-256 over everything the artifact depends
// on (see KeyBuilder).
type Key [sha256.Size]byte

// String is the key in hexadecimal (the entry's file name).
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ErrNotFound is returned by Get for a key with no entry.
var ErrNotFound = errors.New("codecache: no entry")

// CorruptEntryError is returned by Get for an entry that failed
// verification; the entry has been deleted (it will be rebuilt and stored
// again by the caller).
type CorruptEntryError struct {
	Path   string // the entry's file
	Reason string // what was wrong
}

func (e *CorruptEntryError) Error() string {
	return fmt.Sprintf("codecache: %s: corrupt entry deleted: %s", e.Path, e.Reason)
}

// Options configure a Cache.
type Options struct {
	// MaxBytes bounds the total size of the entries, those of older
	// formats included (0: DefaultMaxBytes). Put trims the least recently
	// used entries down to 90% of it when the store grows past it.
	MaxBytes int64
}

// Cache is a store in one directory. Several Cache values, in one process
// or in several, may share the directory; its methods are safe for
// concurrent use.
type Cache struct {
	dir      string // the store's root (the directory given to Open)
	entries  string // dir/v<formatVersion>: where entries live
	maxBytes int64
	now      func() time.Time // for tests
}

// DefaultDir is the default cache directory: gorc under the user's cache
// directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("codecache: no user cache directory: %w", err)
	}
	return filepath.Join(d, "gorc"), nil
}

// Open opens the store in dir, creating the directory if needed.
func Open(dir string, opts Options) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("codecache: empty directory name")
	}
	c := &Cache{dir: dir, entries: filepath.Join(dir, fmt.Sprintf("v%d", formatVersion)), maxBytes: opts.MaxBytes, now: time.Now}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(c.entries, 0o755); err != nil {
		return nil, fmt.Errorf("codecache: creating the cache directory: %w", err)
	}
	return c, nil
}

// Dir returns the directory the store lives in.
func (c *Cache) Dir() string { return c.dir }

// path is where the entry for k lives: a subdirectory per first byte keeps
// directories small.
func (c *Cache) path(k Key) string {
	s := k.String()
	return filepath.Join(c.entries, s[:2], s)
}

// touchAfter: a hit refreshes the entry's modification time (its recency
// for trimming) when it is older than this, so that frequent hits do not
// each write the inode.
const touchAfter = time.Minute

// Get returns the payload stored under k: ErrNotFound when there is none,
// a *CorruptEntryError when the entry failed verification (it is deleted),
// another error when the file could not be read.
func (c *Cache) Get(k Key) ([]byte, error) {
	p := c.path(k)
	data, mtime, err := readEntry(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("codecache: reading %s: %w", p, err)
	}
	payload, reason := verify(k, data)
	if reason != "" {
		// Another process may have renamed a good entry into place since
		// we read: removing it only costs a rebuild, never a wrong result.
		os.Remove(p)
		return nil, &CorruptEntryError{Path: p, Reason: reason}
	}
	c.touch(p, mtime)
	return payload, nil
}

// touch refreshes the recency of the entry at p, last modified at mtime.
func (c *Cache) touch(p string, mtime time.Time) {
	if now := c.now(); now.Sub(mtime) > touchAfter {
		os.Chtimes(p, now, now) // best effort: recency only
	}
}

// verify checks an entry's header against k and its payload; it returns
// the payload, or why the entry is bad.
func verify(k Key, data []byte) (payload []byte, reason string) {
	if len(data) < headerSize {
		return nil, fmt.Sprintf("%d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	if !bytes.Equal(data[:8], magic[:]) {
		return nil, fmt.Sprintf("bad magic %q", data[:8])
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != formatVersion {
		return nil, fmt.Sprintf("format version %d, want %d", v, formatVersion)
	}
	if r := binary.LittleEndian.Uint32(data[12:]); r != 0 {
		return nil, fmt.Sprintf("reserved header word %#x, want 0", r)
	}
	var stored Key
	copy(stored[:], data[16:48])
	if stored != k {
		return nil, fmt.Sprintf("entry for key %s stored under key %s", stored, k)
	}
	n := binary.LittleEndian.Uint64(data[48:])
	payload = data[headerSize:]
	if n != uint64(len(payload)) {
		return nil, fmt.Sprintf("payload is %d bytes, header says %d", len(payload), n)
	}
	if sum, want := checksum(payload), binary.LittleEndian.Uint32(data[56:]); sum != want {
		return nil, fmt.Sprintf("payload checksum mismatch (CRC-32 %#08x, header says %#08x)", sum, want)
	}
	return payload, ""
}

// encode returns the entry file for payload under k.
func encode(k Key, payload []byte) []byte {
	buf := make([]byte, headerSize, headerSize+len(payload))
	copy(buf, magic[:])
	binary.LittleEndian.PutUint32(buf[8:], formatVersion)
	copy(buf[16:48], k[:])
	binary.LittleEndian.PutUint64(buf[48:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(buf[56:], checksum(payload))
	return append(buf, payload...)
}

// tmpPrefix starts the names of entries being written.
const tmpPrefix = ".tmp-"

// Put stores payload under k, replacing any entry, then trims the store
// if it has grown past its bound. The entry appears atomically: it is
// written to a temporary file in the entry's directory and renamed.
func (c *Cache) Put(k Key, payload []byte) error {
	if err := c.put(k, payload); err != nil {
		return err
	}
	return c.maybeTrim()
}

// PutSmall is Put without the trimming: for entries of a few bytes (a
// remembered digest), whose store would otherwise cost a scan of the
// whole directory each; the next Put's trim counts them.
func (c *Cache) PutSmall(k Key, payload []byte) error { return c.put(k, payload) }

func (c *Cache) put(k Key, payload []byte) error {
	p := c.path(k)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("codecache: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("codecache: %w", err)
	}
	tmp := f.Name()
	// Header and payload written apart: no copy of a large payload.
	entry := encode(k, payload[:0])
	binary.LittleEndian.PutUint64(entry[48:], uint64(len(payload)))
	binary.LittleEndian.PutUint32(entry[56:], checksum(payload))
	_, err = f.Write(entry)
	if err == nil {
		_, err = f.Write(payload)
	}
	// No fsync: after a crash a torn entry fails verification and is
	// rebuilt, and a cache is not worth waiting for the disk.
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("codecache: storing %s: %w", p, err)
	}
	return nil
}

// PutFrom is Put for a payload that src writes (an io.WriterTo, such as
// a large encoding streamed from its parts): the payload goes straight
// to the entry's temporary file, its CRC-32 computed as it passes, and
// the header is written last, so the payload is never assembled in
// memory. If src fails, nothing is stored and its error is returned
// (wrapped).
func (c *Cache) PutFrom(k Key, src io.WriterTo) error {
	p := c.path(k)
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("codecache: %w", err)
	}
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("codecache: %w", err)
	}
	tmp := f.Name()
	cw := &crcWriter{f: f}
	_, err = f.Seek(headerSize, io.SeekStart)
	if err == nil {
		_, err = src.WriteTo(cw)
	}
	if err == nil {
		entry := encode(k, nil)
		binary.LittleEndian.PutUint64(entry[48:], uint64(cw.n))
		binary.LittleEndian.PutUint32(entry[56:], cw.crc)
		_, err = f.WriteAt(entry, 0)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("codecache: storing %s: %w", p, err)
	}
	return c.maybeTrim()
}

// crcWriter writes to f, keeping the CRC-32 and length of what passed.
type crcWriter struct {
	f   *os.File
	crc uint32
	n   int64
}

func (w *crcWriter) Write(b []byte) (int, error) {
	n, err := w.f.Write(b)
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b[:n])
	w.n += int64(n)
	return n, err
}

// staleTemp is the age after which a temporary file is a writer's leftover
// (it crashed between create and rename) that trimming removes.
const staleTemp = time.Hour

// entryInfo is one file of the store, for trimming.
type entryInfo struct {
	path  string
	size  int64
	mtime time.Time
}

// versionDirs are the directories entries of every format up to this
// one live in (dir/v1 ... dir/v<formatVersion>): older formats' entries
// are never read by this version but count toward the bound, and are
// trimmed with the rest (see scan). A newer format's directory is its own
// version's to trim.
func (c *Cache) versionDirs() []string {
	dirs := make([]string, 0, formatVersion)
	for v := 1; v < formatVersion; v++ {
		dirs = append(dirs, filepath.Join(c.dir, fmt.Sprintf("v%d", v)))
	}
	return append(dirs, c.entries)
}

// scan lists the store's entries, those of older formats included (and
// removes stale temporary files). Files that vanish while it runs
// (another process trimming) are skipped.
func (c *Cache) scan() ([]entryInfo, int64, error) {
	var list []entryInfo
	var total int64
	now := c.now()
	for _, root := range c.versionDirs() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil // vanished
			}
			if strings.HasPrefix(d.Name(), tmpPrefix) {
				if now.Sub(fi.ModTime()) > staleTemp {
					os.Remove(path)
				}
				return nil
			}
			list = append(list, entryInfo{path, fi.Size(), fi.ModTime()})
			total += fi.Size()
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("codecache: scanning %s: %w", root, err)
		}
	}
	return list, total, nil
}

// Size returns the total size in bytes and the number of the entries.
func (c *Cache) Size() (bytes int64, entries int, err error) {
	list, total, err := c.scan()
	return total, len(list), err
}

// maybeTrim trims when the store is over its bound.
func (c *Cache) maybeTrim() error {
	_, err := c.trim(c.maxBytes)
	return err
}

// Trim removes the least recently used entries until the store is at
// most 90% of its bound (if it is over the bound) and returns how many
// it removed. Removing a file another process removed first is not an
// error.
func (c *Cache) Trim() (int, error) { return c.trim(c.maxBytes) }

func (c *Cache) trim(max int64) (int, error) {
	list, total, err := c.scan()
	if err != nil || total <= max {
		return 0, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].mtime.Before(list[j].mtime) })
	target := max - max/10
	removed := 0
	emptied := map[string]bool{} // older formats' directories trimming emptied
	for _, e := range list {
		if total <= target {
			break
		}
		if err := os.Remove(e.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("codecache: trimming: %w", err)
		}
		if !strings.HasPrefix(e.path, c.entries+string(filepath.Separator)) {
			emptied[filepath.Dir(e.path)] = true
		}
		total -= e.size
		removed++
	}
	// An older format's fan-out directory, then the format's own, goes
	// once it is empty (os.Remove fails on a directory that is not, as
	// when an older gorc still stores there).
	for d := range emptied {
		if os.Remove(d) == nil {
			os.Remove(filepath.Dir(d))
		}
	}
	return removed, nil
}

// Remove deletes the entry for k, if there is one (an entry its caller
// found unusable although it passed verification: written by a buggy or
// foreign writer). Removing a missing entry is not an error.
func (c *Cache) Remove(k Key) error {
	if err := os.Remove(c.path(k)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("codecache: %w", err)
	}
	return nil
}
