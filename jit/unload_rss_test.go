//go:build cgo

package jit_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc/epc"
)

// vmRSS returns the resident set size of process pid (0: this one) in
// bytes, from /proc/PID/status.
func vmRSS(pid int) (uint64, error) {
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: VmRSS %q: %w", path, rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("%s: no VmRSS line", path)
}

// unloadCycles is the number of add/remove cycles of
// TestUnloadCyclesKeepRSSFlat: 10,000 (`make test` runs it so without the
// race detector), 2,000 under the race detector (which makes a cycle 2-3
// times slower) or with -short, or GORC_UNLOAD_CYCLES.
func unloadCycles(t *testing.T) int {
	n := 10000
	if testing.Short() || raceEnabled {
		n = 2000
	}
	if s := os.Getenv("GORC_UNLOAD_CYCLES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			t.Fatalf("GORC_UNLOAD_CYCLES=%q: want a number of cycles >= 1000", s)
		}
		n = v
	}
	return n
}

// TestUnloadCyclesKeepRSSFlat adds, initializes, calls and removes the
// module many times, in this process and in a child executor, and checks
// that the resident memory of the process running the code (and of the
// controller, for a child executor) stays flat
// between cycle 1,000 and the last (within 4 MiB; 16 MiB under the race
// detector, whose own shadow memory grows with the heap's history), that
// the session's name pool does not grow and that every cycle's
// destructors ran. GORC_UNLOAD_TRACE=1 logs VmRSS every 2,000 cycles.
func TestUnloadCyclesKeepRSSFlat(t *testing.T) {
	mod, host := unloadObjects(t)
	cycles := unloadCycles(t)
	slack := uint64(4 << 20)
	if raceEnabled {
		slack = 16 << 20
	}
	for _, m := range unloadModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			u := newUnloadJIT(t, ctx, m.opts(), mod, host)
			// The processes measured: the one running the code, and for a
			// child executor also this one (the controller).
			type proc struct {
				name     string
				pid      int // 0: this process
				at1k, at uint64
			}
			procs := []*proc{{name: "this process", pid: 0}}
			if r, ok := u.EPC.(*epc.Remote); ok {
				procs = []*proc{{name: "executor", pid: r.PID()}, {name: "controller", pid: 0}}
			}
			rss := func(p *proc) uint64 {
				if p.pid == 0 {
					runtime.GC()
					debug.FreeOSMemory()
				}
				v, err := vmRSS(p.pid)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			var names1k int
			start := time.Now()
			for i := 1; i <= cycles; i++ {
				tr, entry := u.add(t, ctx)
				if r, err := u.EPC.RunAsMain(ctx, entry, []string{"mod"}); err != nil || r != 42 {
					t.Fatalf("cycle %d: mod_entry = %d, %v; want 42", i, r, err)
				}
				if err := tr.Remove(ctx); err != nil {
					t.Fatalf("cycle %d: %v", i, err)
				}
				if os.Getenv("GORC_UNLOAD_TRACE") != "" && i%2000 == 0 {
					for _, p := range procs {
						t.Logf("cycle %d: %s %.2f MiB", i, p.name, float64(rss(p))/(1<<20))
					}
				}
				if i == 1000 {
					for _, p := range procs {
						p.at1k = rss(p)
					}
					names1k = u.ES.SymbolStringPool().Len()
				}
			}
			el := time.Since(start)
			t.Logf("%s: %d cycles in %v (%v per cycle)", m.name, cycles, el.Round(time.Millisecond), (el / time.Duration(cycles)).Round(time.Microsecond))
			for _, p := range procs {
				p.at = rss(p)
				t.Logf("%s: VmRSS of %s at cycle 1,000: %.1f MiB, at cycle %d: %.1f MiB", m.name, p.name, float64(p.at1k)/(1<<20), cycles, float64(p.at)/(1<<20))
				if p.at > p.at1k+slack {
					t.Errorf("VmRSS of %s grew from %d to %d bytes between cycle 1,000 and %d (more than %d MiB)", p.name, p.at1k, p.at, cycles, slack>>20)
				}
			}
			if c, want := u.counts(t, ctx), int64(cycles); c != [4]int64{want, want, want, want} {
				t.Errorf("counts (static dtor, destructor, atexit, ctor) = %v, want %d each", c, want)
			}
			if n := u.ES.SymbolStringPool().Len(); n != names1k {
				t.Errorf("the session's name pool grew from %d to %d names between cycle 1,000 and %d", names1k, n, cycles)
			}
			if st := u.SlabStats(); st.FreeBlocks > 4 {
				t.Errorf("slab fragmented after %d cycles: %+v", cycles, st)
			}
		})
	}
}
