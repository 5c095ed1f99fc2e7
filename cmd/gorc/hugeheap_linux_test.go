package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// anonHugeKB is the process's memory backed by transparent huge pages
// (AnonHugePages of /proc/self/smaps_rollup), in KiB.
func anonHugeKB(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatalf("smaps_rollup: %q", sc.Text())
			}
			return n
		}
	}
	t.Skip("no AnonHugePages in smaps_rollup")
	return 0
}

// TestPrepareHeapHugePages: after prepareHeap, the small objects a
// compile allocates are backed by huge pages (where the kernel offers
// transparent huge pages at all), so the heap is faulted in 2 MiB at a
// time rather than 4 KiB.
func TestPrepareHeapHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages not available (%q, %v)", mode, err)
	}
	before := anonHugeKB(t)
	prepareHeap(32 << 20)
	// 16 MiB of small objects, kept alive, as a compile's IR is.
	keep := make([][]byte, 0, 1<<18)
	for range 1 << 18 {
		b := make([]byte, 64)
		b[0] = 1
		keep = append(keep, b)
	}
	after := anonHugeKB(t)
	if after-before < 4<<10 {
		t.Errorf("AnonHugePages grew by %d KiB (from %d KiB) for 16 MiB of small objects: the heap is not in huge pages", after-before, before)
	}
	_ = keep[len(keep)-1]
}
