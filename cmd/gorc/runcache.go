package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/internal/rawfile"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
)

// gorc run's linked-image cache (jit.LoadImage, docs/RUN.md): the whole
// link of the objects and archives named on the command line, keyed by
// their content, the shared libraries' identity and the options that
// change the link, replayed on a later run instead of parsing and linking.

// runImage is one run's use of the linked-image cache.
type runImage struct {
	cache *codecache.Cache
	key   codecache.Key
	rec   *jit.ImageRecorder // on a miss: records the link
	show  bool
	w     io.Writer
	// prefix starts the -show-times lines ("gorc run: cache: ", or
	// "cache: " for gorc kaleido).
	prefix string
	// async: the store overlaps the program's run (a child or remote
	// executor runs it; gorc kaleido).
	async bool
}

// imageUnusable says why gorc run with o does not use the linked-image
// cache ("" when it may).
func imageUnusable(o *runOptions) string {
	switch {
	case o.lazy:
		return "-lazy links on first call"
	case o.workers.enabled():
		return "-workers/-worker"
	case o.publish != "" || len(o.linkShared) > 0:
		return "a shared executor (-publish, -link-shared)"
	case o.perfSupport:
		return "-perf-support registers each link"
	case o.showSymbols:
		return "-show-symbols lists the units of a fresh link"
	}
	for _, in := range o.inputs {
		if strings.HasSuffix(in, ".ll") {
			return in + " is IR (its object is cached per module)"
		}
	}
	return ""
}

// execClass is the kind of executor a mode names: the image's external
// symbols are those of the process that runs the code.
func execClass(mode string) string {
	switch {
	case mode == "" || mode == "local":
		return "local"
	case mode == "child":
		return "child"
	}
	return "remote"
}

// imageKey computes the key of gorc run o's linked image: the target,
// the executor's kind, the options that change the link, every input's
// name and content (its SHA-256, see hashFile), and every library's name
// and identity (an archive's content; a shared library's path, device,
// inode, size and times).
func imageKey(o *runOptions, cache *codecache.Cache, triple string) (codecache.Key, error) {
	kb := codecache.NewKey("run-linked-image").
		String("triple", triple).
		String("exec", execClass(o.exec)).
		String("entry", o.entry)
	if o.shm {
		kb.String("shm", "1")
	}
	if o.static {
		kb.String("static", "1")
	}
	for _, d := range o.searchDirs {
		kb.String("L", d)
	}
	for _, in := range o.inputs {
		kb.String("input", in)
		// A small object is read and hashed in less time than its
		// digest is looked up in the cache (as kaleido's sources).
		if err := hashFile(cache, kb, in, memoSourcesFrom); err != nil {
			return codecache.Key{}, err
		}
	}
	for _, l := range o.libs {
		kb.String("lib", l)
		path := l
		if strings.HasPrefix(l, "-l") {
			p, err := jit.FindLibrary(l, o.searchDirs, o.static)
			if err != nil {
				return codecache.Key{}, fmt.Errorf("%s: %w", l, err)
			}
			path = p
		}
		kb.String("path", path)
		if strings.HasSuffix(path, ".a") {
			if err := hashFile(cache, kb, path, memoSourcesFrom); err != nil {
				return codecache.Key{}, err
			}
			continue
		}
		var st syscall.Stat_t
		if err := syscall.Stat(path, &st); err != nil {
			return codecache.Key{}, fmt.Errorf("%s: %w", path, err)
		}
		kb.Int("dev", int64(st.Dev)).Int("ino", int64(st.Ino)).Int("size", st.Size).
			Int("mtime", st.Mtim.Nano()).Int("ctime", st.Ctim.Nano())
	}
	return kb.Sum(), nil
}

// errNotRegular: an input that is not a regular file has no identity a
// cache key can name without reading it, and may be readable only once.
var errNotRegular = errors.New("not a regular file (a pipe or a device: read once, by the compiler or linker, not for the cache)")

// racyWindow: a file's digest is remembered only once the file has not
// changed for this long, so that a write within the same timestamp tick
// as an earlier one (same size, same times) cannot leave a stale digest
// (git's "racily clean" rule).
const racyWindow = 2 * time.Second

// hashFile adds the SHA-256 of the content of the file at path to kb.
// The digest of a file of at least memoFrom bytes is remembered in the
// cache under the file's identity
// (device, inode, size, mtime and ctime: any write changes the ctime,
// which no user tool sets back), so an unchanged 2.3 MB archive costs a
// stat and a 32-byte read, not 2.5 ms of hashing, on the next run. A
// file that is hashed is mapped (the page cache's pages, read in place)
// rather than copied into fresh heap pages; if another process truncates
// it meanwhile, the fault is recovered and the file is reported as
// changed (errChangedWhileHashed).
func hashFile(cache *codecache.Cache, kb *codecache.KeyBuilder, path string, memoFrom int64) error {
	f, err := codecache.OpenRead(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		// A pipe or a device (gorc kaleido <(gen)) may be read only
		// once: that read is the compiler's or the linker's.
		return fmt.Errorf("%s: %w", path, errNotRegular)
	}
	remember := st.Size >= memoFrom
	memo := codecache.NewKey("file-sha256").Int("dev", int64(st.Dev)).Int("ino", int64(st.Ino)).
		Int("size", st.Size).Int("mtime", st.Mtim.Nano()).Int("ctime", st.Ctim.Nano()).Sum()
	if remember {
		if d, err := cache.Get(memo); err == nil && len(d) == sha256.Size {
			kb.Bytes("content-sha256", d)
			return nil
		}
	}
	var sum [sha256.Size]byte
	if size := st.Size; size >= 64<<10 && size < 1<<40 {
		data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
		if err == nil {
			if hashFileMapped != nil {
				hashFileMapped(path)
			}
			sum, err = sumMapped(data)
			syscall.Munmap(data)
			if err != nil {
				return fmt.Errorf("hashing %s: %w", path, err)
			}
		} else {
			size = 0
		}
		st.Size = size
	}
	if st.Size < 64<<10 {
		data, err := readOpen(f, st.Size)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		sum = sha256.Sum256(data)
	}
	kb.Bytes("content-sha256", sum[:])
	if remember && time.Since(time.Unix(0, st.Ctim.Nano())) > racyWindow && time.Since(time.Unix(0, st.Mtim.Nano())) > racyWindow {
		cache.PutSmall(memo, sum[:]) // best effort: the next run hashes again
	}
	return nil
}

// readOpen reads f to its end, size being its size when it was looked at
// (rawfile.ReadAll).
func readOpen(f *os.File, size int64) ([]byte, error) { return rawfile.ReadAll(f, size) }

// hashFileMapped, when set (by tests), is called by hashFile between
// mapping a file and hashing it.
var hashFileMapped func(path string)

// errChangedWhileHashed: a mapped input shrank while it was hashed (its
// pages past the new end fault with SIGBUS); the run links without the
// image rather than die.
var errChangedWhileHashed = errors.New("the file was truncated while it was hashed")

// sumMapped is the SHA-256 of data, a file's mapping: a fault reading it
// (the file truncated by another process meanwhile: SIGBUS past its new
// end) is recovered and returned as errChangedWhileHashed instead of
// ending the process.
func sumMapped(data []byte) (sum [sha256.Size]byte, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			fault, ok := r.(interface{ Addr() uintptr })
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%w (fault at offset %d of %d bytes)", errChangedWhileHashed, fault.Addr()-uintptr(unsafe.Pointer(unsafe.SliceData(data))), len(data))
		}
	}()
	return sha256.Sum256(data), nil
}

// openRunImage decides whether this run uses the linked-image cache and
// computes its key (nil: not used; the reason is shown with -show-times).
func openRunImage(o *runOptions, cache *codecache.Cache, triple string, stderr io.Writer) *runImage {
	if cache == nil {
		return nil
	}
	why := imageUnusable(o)
	var k codecache.Key
	if why == "" {
		var err error
		if k, err = imageKey(o, cache, triple); err != nil {
			why = fmt.Sprintf("an input cannot be identified: %v", err)
		}
	}
	if why != "" {
		if o.showTimes {
			fmt.Fprintf(stderr, "gorc run: cache: linked image not used: %s\n", why)
		}
		return nil
	}
	return &runImage{cache: cache, key: k, show: o.showTimes, w: stderr, prefix: "gorc run: cache: "}
}

// load looks the image up and replays it in j: ok is true when j now
// holds the program; false after a miss, or after an entry that failed
// (reported with -show-times). When dirty, j must be replaced by a fresh
// JIT (it has loaded libraries, may hold part of the image and has
// started linking) before the inputs are linked.
func (ri *runImage) load(ctx context.Context, j *jit.JIT, o *runOptions, libs *libLoader, args []string) (prog epc.Program, ok, dirty bool, err error) {
	t0 := time.Now()
	m, err := ri.cache.Map(ri.key)
	var ce *codecache.CorruptEntryError
	switch {
	case errors.Is(err, codecache.ErrNotFound):
		ri.say("linked image miss")
		return prog, false, false, nil
	case errors.As(err, &ce):
		ri.say("linked image: %v; linking afresh", err)
		return prog, false, false, nil
	case err != nil:
		ri.say("linked image miss: %v", err)
		return prog, false, false, nil
	}
	// When the process ends with the run (processExits), the entry's
	// mapping is left to the kernel's teardown (Mapped.CloseFile): the
	// replay copied, or mapped again from the file, what it keeps, and
	// nothing reads the entry after it. Tests calling dispatch unmap it.
	if processExits {
		defer m.CloseFile()
	} else {
		defer m.Close()
	}
	data := m.Payload
	read := time.Since(t0)
	// The shared libraries the image's externals come from (archives
	// named by -l are part of the image) are being loaded by libs: the
	// image waits for them before it looks its externals up.
	prog, err = j.LoadImageFile(ctx, data, m, o.entry, args, libs.err)
	if lerr := libs.err(); lerr != nil {
		return prog, false, true, lerr
	}
	if err != nil {
		if !errors.Is(err, jit.ErrImageStale) {
			// Not a whole, well-formed image of ours: drop it.
			ri.cache.Remove(ri.key)
		}
		ri.say("linked image not replayed: %v; linking afresh", err)
		return prog, false, true, nil
	}
	ri.say("linked image hit (%d bytes, read and verified in %v)", len(data), read.Round(time.Microsecond))
	return prog, true, false, nil
}

// record starts recording j's link (after a miss). A replay defines
// entry alone: the runner looks nothing else up (-show-symbols, which
// lists every definition, does not use the image), and each definition
// costs a replay (1,343 of them were a fifth of the sqlite driver's).
func (ri *runImage) record(j *jit.JIT, entry string) {
	ri.rec = j.RecordImage()
	ri.rec.DefineOnly(entry)
}

// store encodes and stores the recorded link of prog (a failure costs
// only the next run's time: reported with -show-times). The image is
// streamed into the entry's file from the recorded blocks, not built in
// memory first. With async, the encoding and writing run on a goroutine
// (the image is taken from j first): the caller overlaps them with the
// program's run and calls the returned wait before it exits. In-process
// the program's exit ends gorc, so a store there must be synchronous.
func (ri *runImage) store(prog epc.Program, async bool) (wait func()) {
	if ri.rec == nil {
		return func() {}
	}
	t0 := time.Now()
	img, err := ri.rec.Image(prog)
	if err != nil {
		ri.say("linked image not stored: %v", err)
		return func() {}
	}
	// write returns its report (-show-times), printed by the caller's
	// goroutine: stderr need not be safe for concurrent use.
	write := func() string {
		t1 := time.Now()
		cw := &countingWriterTo{src: img}
		if err := ri.cache.PutFrom(ri.key, cw); err != nil {
			return fmt.Sprintf("linked image not stored: %v", err)
		}
		return fmt.Sprintf("linked image stored (%d bytes; prepared in %v, encoded and written in %v)", cw.n, t1.Sub(t0).Round(time.Microsecond), time.Since(t1).Round(time.Microsecond))
	}
	if !async {
		ri.say("%s", write())
		return func() {}
	}
	done := make(chan string, 1)
	go func() { done <- write() }()
	return func() { ri.say("%s", <-done) }
}

// countingWriterTo remembers how many bytes src wrote.
type countingWriterTo struct {
	src io.WriterTo
	n   int64
}

func (c *countingWriterTo) WriteTo(w io.Writer) (int64, error) {
	n, err := c.src.WriteTo(w)
	c.n = n
	return n, err
}

func (ri *runImage) say(format string, args ...any) {
	if ri.show {
		fmt.Fprintf(ri.w, ri.prefix+format+"\n", args...)
	}
}
