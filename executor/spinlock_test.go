//go:build cgo

package executor

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// TestSpinLockContendedIsPrompt: a waiter for a lock held for a few tens
// of microseconds (one frame being written) gets it within a fraction of
// a millisecond. It took over a millisecond when every failed attempt
// slept, since the Go runtime rounds short sleeps up to about 1 ms; a
// shared executor's connections all take the one wire lock, so each
// contended answer was that much late.
func TestSpinLockContendedIsPrompt(t *testing.T) {
	var l int32
	const hold = 30 * time.Microsecond
	var waits []time.Duration
	for range 25 {
		spinLock(&l)
		var released atomic.Int64
		trying := make(chan struct{})
		waited := make(chan time.Duration)
		go func() {
			close(trying)
			spinLock(&l)
			waited <- time.Duration(time.Now().UnixNano() - released.Load())
			spinUnlock(&l)
		}()
		<-trying
		for start := time.Now(); time.Since(start) < hold; {
			// busy: the holder is writing a frame
		}
		released.Store(time.Now().UnixNano())
		spinUnlock(&l)
		waits = append(waits, <-waited)
	}
	slices.Sort(waits)
	med := waits[len(waits)/2]
	t.Logf("wait after release: median %v, min %v, max %v", med, waits[0], waits[len(waits)-1])
	if med > 400*time.Microsecond {
		t.Fatalf("a contended spinLock waited %v (median) after the holder released it, want well under a millisecond", med)
	}
}
