package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jit"
)

// gorc kaleido's linked-image cache: the batch program's link (its one
// object with libm, the entry main) recorded as gorc run records the link
// of objects and archives (runcache.go, jit.LoadImage), keyed by the
// sources as the object cache keys them plus the executor's kind. A hit
// maps the entry and replays the image instead of parsing and linking an
// object of 2,000 functions; a miss compiles, links the backend's graph
// while recording it, and stores the image, not the object (the image is
// all a later run needs).

// kaleidoImageUnusable says why batch gorc kaleido with o does not use
// the linked-image cache ("" when it may); the object cache serves it
// then, where it can.
func kaleidoImageUnusable(o kaleidoOptions) string {
	switch {
	case o.exec.perf:
		return "-perf-support registers each link"
	case o.exec.publish != "" || len(o.exec.linkShared) > 0:
		return "a shared executor (-publish, -link-shared)"
	case o.workers.enabled():
		return "-workers/-worker compile the program in parts (each part's object is cached)"
	}
	return ""
}

// kaleidoImageCandidate reports whether the batch run of files with o
// may be served by the linked-image cache, so that reading the sources
// can wait for a miss.
func kaleidoImageCandidate(o kaleidoOptions, files []string) bool {
	return len(files) > 0 && !o.cache.off && !o.lazy && o.emit == "" && !o.showStats && kaleidoImageUnusable(o) == ""
}

// memoSourcesFrom: the digest of a source file at least this large is
// remembered in the cache (hashFile); a smaller one costs less to read
// and hash than to look a digest up.
const memoSourcesFrom = 64 << 10

// kaleidoImageKey is the key of the linked image of the batch program:
// what kaleidoCache's object key covers (target, optimisation level,
// module name, every source by name and content: here its SHA-256, from
// the file unless srcs holds the sources read), the executor's kind (the
// image's externals are that process's) and -shm, as gorc run's.
func kaleidoImageKey(o kaleidoOptions, cc *codecache.Cache, modName string, files []string, srcs [][]byte) (codecache.Key, error) {
	kb := codecache.NewKey("kaleido-linked-image").
		String("triple", o.target.Triple).
		String("exec", execClass(o.exec.mode)).
		Int("opt", int64(o.level)).
		String("module", modName)
	if o.exec.shm {
		kb.String("shm", "1")
	}
	if srcs != nil { // standard input
		for i, src := range srcs {
			sum := sha256.Sum256(src)
			kb.String("name", "<stdin>").Int("part", int64(i)).Bytes("content-sha256", sum[:])
		}
		return kb.Sum(), nil
	}
	for _, f := range files {
		kb.String("name", f)
		if err := hashFile(cc, kb, f, memoSourcesFrom); err != nil {
			return codecache.Key{}, err
		}
	}
	return kb.Sum(), nil
}

// openKaleidoImage returns the linked-image lookup of a batch run of
// files (or of srcs, read from standard input) with the cache cc (nil
// when cc is nil, or the image is not used: the reason is shown with
// -show-times).
func openKaleidoImage(o kaleidoOptions, cc *codecache.Cache, modName string, files []string, srcs [][]byte, stderr io.Writer) *runImage {
	if cc == nil || o.emit != "" || o.showStats {
		return nil
	}
	why := kaleidoImageUnusable(o)
	var k codecache.Key
	if why == "" {
		var err error
		if k, err = kaleidoImageKey(o, cc, modName, files, srcs); err != nil {
			// Reading the sources will report what is wrong, if
			// anything (a pipe is read there, once).
			why = fmt.Sprintf("a source cannot be identified: %v", err)
		}
	}
	if why != "" {
		if o.showTimes {
			fmt.Fprintf(stderr, "cache: linked image not used: %s\n", why)
		}
		return nil
	}
	return &runImage{cache: cc, key: k, show: o.showTimes, w: stderr, prefix: "cache: ", async: execClass(o.exec.mode) != "local"}
}

// replayKaleido looks the program's image up and, on a hit, replays it in
// the JIT opened in the background (*opened) and runs main: done is true
// when it did (code is the exit status, as linkAndRunKaleido's) or when
// the executor could not be used. Otherwise (a miss, or an entry that
// could not be replayed: reported with -show-times, and deleted unless it
// merely does not fit this process) the program must be compiled, and
// *opened delivers a JIT with nothing linked yet.
func (ri *runImage) replayKaleido(ctx context.Context, opened *chan jitOrErr, noStdin bool, modName string, o kaleidoOptions, stdout, stderr io.Writer) (code int, done bool) {
	t0 := time.Now()
	m, err := ri.cache.Map(ri.key)
	switch {
	case errors.Is(err, codecache.ErrNotFound):
		ri.say("miss for %s", modName)
		return 0, false
	case err != nil:
		ri.say("miss for %s: %v", modName, err)
		return 0, false
	}
	// As gorc run's replay: a process that ends with the program leaves
	// the entry's mapping to its exit (Mapped.CloseFile).
	if processExits {
		defer m.CloseFile()
	} else {
		defer m.Close()
	}
	data := m.Payload
	read := time.Since(t0)
	r := <-*opened
	*opened = nil
	if r.err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", r.err)
		return 2, true
	}
	j := r.j
	if j.Target != o.target {
		j.Close(ctx)
		fmt.Fprintf(stderr, "gorc kaleido: the program was compiled for %s but the executor runs %s\n", o.target.Triple, j.Target.Triple)
		return 2, true
	}
	linkStart := time.Now()
	// libm is loaded while the image is decoded and copied (as gorc
	// run's libraries are): the replay waits for it before it looks
	// its externals up.
	libm := make(chan error, 1)
	go func() { libm <- j.LoadDylib(ctx, "-lm") }()
	libmErr, libmDone := error(nil), false
	libmReady := func() error {
		if !libmDone {
			libmErr, libmDone = <-libm, true
		}
		return libmErr
	}
	prog, err := j.LoadImageFile(ctx, data, m, "main", nil, libmReady)
	if lerr := libmReady(); lerr != nil {
		j.Close(ctx)
		return kaleidoFailed(stderr, lerr), true
	}
	if err != nil {
		if !errors.Is(err, jit.ErrImageStale) {
			ri.cache.Remove(ri.key) // not a whole, well-formed image of ours
		}
		ri.say("linked image of %s not replayed: %v; compiling afresh", modName, err)
		// j has started linking and loaded libm: link the program in a
		// fresh one.
		j.Close(ctx)
		ch := make(chan jitOrErr, 1)
		go func() {
			j, err := openJIT(ctx, o.exec, noStdin, stdout, stderr)
			ch <- jitOrErr{j: j, err: err}
		}()
		*opened = ch
		return 0, false
	}
	defer closeUnlessExiting(ctx, j, o.exec.mode)
	ri.say("hit for %s (linked image, %d bytes, read and verified in %v)", modName, len(data), read.Round(time.Microsecond))
	return runKaleidoMain(ctx, j, prog.Main, modName, o.showTimes, linkStart, stdout, stderr), true
}
