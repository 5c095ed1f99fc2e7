package jit

import (
	"context"
	"errors"

	"github.com/gorc-jit/gorc/codecache"
)

// CacheStats counts the persistent code cache's answers (Options.Cache)
// for the inputs this JIT compiled.
type CacheStats struct {
	Hits    int // objects taken from the cache
	Misses  int // objects compiled (and stored)
	Corrupt int // entries that failed verification (deleted, compiled again)
}

// CacheStats returns the cache's answers so far.
func (j *JIT) CacheStats() CacheStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.cacheStats
}

// cachedCompile returns the object for key from Options.Cache (hit), or
// compiles it with compile and stores it. Only successful compilations are
// stored, so a hit never hides a diagnostic. The cache is an optimisation:
// when it cannot be read or written, the object is compiled as if there
// were none.
func (j *JIT) cachedCompile(ctx context.Context, key func() codecache.Key, compile func(context.Context) ([]byte, error)) (obj []byte, hit bool, err error) {
	c := j.opts.Cache
	if c == nil {
		obj, err = compile(ctx)
		return obj, false, err
	}
	k := key()
	obj, err = c.Get(k)
	var ce *codecache.CorruptEntryError
	j.mu.Lock()
	switch {
	case err == nil:
		j.cacheStats.Hits++
	case errors.As(err, &ce):
		j.cacheStats.Corrupt++
		j.cacheStats.Misses++
	default:
		j.cacheStats.Misses++
	}
	j.mu.Unlock()
	if err == nil {
		return obj, true, nil
	}
	obj, err = compile(ctx)
	if err != nil {
		return nil, false, err
	}
	c.Put(k, obj) // a failure to store costs only the next run's time
	return obj, false, nil
}
