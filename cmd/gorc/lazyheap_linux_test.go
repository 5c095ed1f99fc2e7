//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// TestLazyHeap: the heap a lazy run readies is its input size times the
// bytes per byte, at most maxLazyHeap (no overflow for huge inputs).
func TestLazyHeap(t *testing.T) {
	for _, c := range []struct {
		size, perByte, want int
	}{
		{0, lazyHeapPerByte, 0},
		{1 << 20, lazyHeapPerByte, lazyHeapPerByte << 20},
		{1 << 20, lazyRunHeapPerByte, lazyRunHeapPerByte << 20},
		{64 << 20, lazyHeapPerByte, maxLazyHeap},
		{maxLazyHeap / lazyRunHeapPerByte, lazyRunHeapPerByte, maxLazyHeap / lazyRunHeapPerByte * lazyRunHeapPerByte},
		{1 << 40, lazyRunHeapPerByte, maxLazyHeap},
	} {
		if got := lazyHeap(c.size, c.perByte); got != c.want {
			t.Errorf("lazyHeap(%d, %d) = %d, want %d", c.size, c.perByte, got, c.want)
		}
	}
}

// minorFaults runs gorc with args in dir and returns its minor page faults.
func minorFaults(t *testing.T, bin, dir string, args ...string) int64 {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gorc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage")
	}
	return ru.Minflt
}

// TestLazyAllCalledHugeHeap: a lazy run that calls every function gets its
// heap in huge pages, as its start-up does, rather than one 4 KiB page
// fault per page of the heap of each function compiled and linked on first
// call (~9 faults per function for gorc kaleido -lazy, ~7 for gorc run
// -lazy on IR, when the readied heap was sized for the start-up only).
// Faults per function are the difference between a 1,500-function and a
// 1-function program.
func TestLazyAllCalledHugeHeap(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages not available (%q, %v)", mode, err)
	}
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set: gorc keeps the collector's settings")
	}
	bin := gorcBinary(t)
	dir := t.TempDir()
	const n = 1500
	for name, src := range map[string][]byte{"big": kaleidoscope.SyntheticProgram(n), "small": kaleidoscope.SyntheticProgram(1)} {
		if err := os.WriteFile(filepath.Join(dir, name+".k"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "kaleido", "-no-cache", "-emit", "ir", filepath.Join(dir, name+".k")).Output()
		if err != nil {
			t.Fatalf("gorc kaleido -emit ir %s.k: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".ll"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		args []string
		ext  string
	}{
		{"kaleido", []string{"kaleido", "-lazy", "-no-cache"}, ".k"},
		{"run", []string{"run", "-lazy", "-no-cache"}, ".ll"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The least of three runs of each: another process's
			// memory pressure only adds faults.
			least := func(name string) int64 {
				best := int64(-1)
				for range 3 {
					f := minorFaults(t, bin, dir, append(c.args, name+c.ext)...)
					if best < 0 || f < best {
						best = f
					}
				}
				return best
			}
			big, small := least("big"), least("small")
			perFn := float64(big-small) / n
			t.Logf("%s: %d faults at %d functions, %d at 1: %.2f per function", c.name, big, n, small, perFn)
			if perFn > 3 {
				t.Errorf("gorc %s: %.2f page faults per function called (%d at %d functions, %d at 1): the heap of the first calls is not in huge pages", strings.Join(c.args, " "), perFn, big, n, small)
			}
		})
	}
}
