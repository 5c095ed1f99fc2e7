//go:build cgo

package executor_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/executor"
)

// TestPreloadEHRuntime checks, in a fresh process (the test binary run
// again), that PreloadEHRuntime maps libgcc_s.so.1, which was not mapped
// before, and that EH-frame registration's unwinder then knows the
// process's own code.
func TestPreloadEHRuntime(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPreloadEHRuntimeHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "GORC_EXECUTOR_HELPER=preload")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "preloaded") {
		t.Fatalf("helper did not run:\n%s", out)
	}
}

func TestPreloadEHRuntimeHelper(t *testing.T) {
	if os.Getenv("GORC_EXECUTOR_HELPER") != "preload" {
		t.Skip("run by TestPreloadEHRuntime")
	}
	mapped := func() bool {
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Skipf("no /proc/self/maps: %v", err)
		}
		return strings.Contains(string(maps), "libgcc_s.so")
	}
	if mapped() {
		t.Skip("libgcc_s.so.1 is already mapped at start in this process")
	}
	if !executor.PreloadEHRuntime() {
		t.Skip("no libgcc_s.so.1 with __register_frame on this system")
	}
	if !mapped() {
		t.Fatal("PreloadEHRuntime returned true but libgcc_s.so.1 is not mapped")
	}
	// A second call finds it loaded.
	if !executor.PreloadEHRuntime() {
		t.Fatal("second PreloadEHRuntime failed")
	}
	t.Log("preloaded")
}
