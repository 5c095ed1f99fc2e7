package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jit"
)

// The persistent code cache (package codecache) of gorc run and gorc
// kaleido: the flags -cache DIR and -no-cache, common to both, and the
// glue between the commands and the store.

// cacheFlags are -cache DIR and -no-cache.
type cacheFlags struct {
	dir string // -cache DIR ("": the default directory)
	off bool   // -no-cache
}

const (
	cacheDirUsage = "keep compiled code in the persistent cache in `DIR` (default: gorc in the user's cache directory)"
	noCacheUsage  = "neither read nor write the persistent code cache"
)

// register adds -cache and -no-cache to a flag set (gorc run, gorc
// kaleido).
func (c *cacheFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "cache", "", cacheDirUsage)
	fs.BoolVar(&c.off, "no-cache", false, noCacheUsage)
}

// cacheMaxEnv overrides the cache's size bound: bytes, or a number with
// the suffix K, M or G (binary units).
const cacheMaxEnv = "GORC_CACHE_MAX"

// open opens the cache the flags ask for: nil with -no-cache. A directory
// named with -cache that cannot be used is an error; the default one
// (which the user did not ask for) is skipped quietly, as it may simply
// not exist on this machine (no home directory).
func (c cacheFlags) open() (*codecache.Cache, error) {
	if c.off {
		return nil, nil
	}
	max, err := parseSize(os.Getenv(cacheMaxEnv))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cacheMaxEnv, err)
	}
	dir := c.dir
	if dir == "" {
		d, err := codecache.DefaultDir()
		if err != nil {
			return nil, nil
		}
		cc, err := codecache.Open(d, codecache.Options{MaxBytes: max})
		if err != nil {
			return nil, nil
		}
		return cc, nil
	}
	cc, err := codecache.Open(dir, codecache.Options{MaxBytes: max})
	if err != nil {
		return nil, fmt.Errorf("-cache %s: %w", dir, err)
	}
	return cc, nil
}

// parseSize parses a byte count with an optional K, M or G suffix (0 for
// "": the default).
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	}
	num := s
	if mult != 1 {
		num = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("bad size %q (want a positive number of bytes, or with K, M or G)", s)
	}
	return n * mult, nil
}

// cachedObject is one lookup of a compiled object in the cache, on behalf
// of a command that prints what happened with -show-times.
type cachedObject struct {
	cache *codecache.Cache
	key   codecache.Key
	what  string // the input, for messages
}

// get returns the cached object, or nil on a miss. A corrupt entry (now
// deleted) or an unreadable one is a miss, noted with show.
func (c *cachedObject) get(show bool, stderr io.Writer) []byte {
	if c == nil {
		return nil
	}
	t0 := time.Now()
	obj, err := c.cache.Get(c.key)
	switch {
	case err == nil:
		if show {
			fmt.Fprintf(stderr, "cache: hit for %s (%d bytes, %v)\n", c.what, len(obj), time.Since(t0))
		}
		return obj
	case errors.Is(err, codecache.ErrNotFound):
		if show {
			fmt.Fprintf(stderr, "cache: miss for %s\n", c.what)
		}
	default:
		if show {
			fmt.Fprintf(stderr, "cache: miss for %s: %v\n", c.what, err)
		}
	}
	return nil
}

// put stores obj; a failure costs only the next run's time, so it is
// reported with show and otherwise ignored.
func (c *cachedObject) put(obj []byte, show bool, stderr io.Writer) {
	if c == nil {
		return
	}
	if err := c.cache.Put(c.key, obj); err != nil && show {
		fmt.Fprintf(stderr, "cache: not stored: %v\n", err)
	}
}

// kaleidoCache returns the cache lookup for the object of a batch
// compilation in cc (nil when the cache is off or not used: -emit prints
// what the compiler does, -show-stats reports on a compilation, and the
// REPL compiles item by item). The key covers the target, the
// optimisation level, the module name (it is in the object) and every
// source by name and content.
func kaleidoCache(o kaleidoOptions, cc *codecache.Cache, modName string, names []string, srcs [][]byte) *cachedObject {
	if cc == nil || o.emit != "" || o.showStats {
		return nil
	}
	kb := codecache.NewKey("kaleido-object").
		String("triple", o.target.Triple).
		Int("opt", int64(o.level)).
		String("module", modName)
	for i := range names {
		kb.String("name", names[i]).Bytes("source", srcs[i])
	}
	return &cachedObject{cache: cc, key: kb.Sum(), what: modName}
}

// showCacheStats prints, for gorc run -show-times, what the cache did for
// the inputs it compiled (nothing when none was compiled).
func showCacheStats(stderr io.Writer, s jit.CacheStats) {
	if s.Hits+s.Misses == 0 {
		return
	}
	fmt.Fprintf(stderr, "gorc run: cache: %d hits, %d misses", s.Hits, s.Misses)
	if s.Corrupt > 0 {
		fmt.Fprintf(stderr, " (%d corrupt entries deleted)", s.Corrupt)
	}
	fmt.Fprintln(stderr)
}
