package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alternateRun is one run as bench/alternate.py records it.
type alternateRun struct {
	WallMS float64 `json:"wall_ms"`
	CPUMS  float64 `json:"cpu_ms"`
	Status int     `json:"status"`
	Round  int     `json:"round"`
}

// TestAlternate runs bench/alternate.py (bench/executor.sh's driver timer)
// on real commands: one warm-up run of each, then one run of each per
// round in an order rotated every round; the CPU time of a process the
// command leaves behind (as `gorc run -exec child` leaves its executor
// to finish) is counted; a failing command's median is "fail".
func TestAlternate(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	script, err := filepath.Abs(filepath.Join(root, "bench", "alternate.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	order := filepath.Join(dir, "order")
	out := filepath.Join(dir, "times.json")
	note := func(name string) string { return "sh -c 'echo " + name + " >> " + order + "'" }
	// orphan leaves a child that burns 150 ms of CPU after the command
	// itself has exited.
	burn := filepath.Join(dir, "burn.py")
	if err := os.WriteFile(burn, []byte("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.15:\n    pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	orphan := "sh -c '" + py + " " + burn + " & echo orphan >> " + order + "'"
	cmd := exec.Command(py, script, "-rounds", "3", "-o", out, "a", note("a"), "b", note("b"), "orphan", orphan, "fails", "false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("alternate.py: %v\n%s", err, b)
	}
	got, err := os.ReadFile(order)
	if err != nil {
		t.Fatal(err)
	}
	// Warm-up a b orphan, then rounds rotated by one: a b orphan, b orphan
	// a, orphan a b ("fails" writes nothing).
	want := "a b orphan a b orphan b orphan a orphan a b"
	if g := strings.Join(strings.Fields(string(got)), " "); g != want {
		t.Errorf("run order %q, want %q", g, want)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string][]alternateRun
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	for _, name := range []string{"a", "b", "orphan", "fails"} {
		runs := res[name]
		if len(runs) != 3 {
			t.Fatalf("%s: %d timed runs, want 3", name, len(runs))
		}
		for i, r := range runs {
			if r.Round != i {
				t.Errorf("%s run %d: round %d", name, i, r.Round)
			}
			if wantStatus := map[bool]int{true: 1, false: 0}[name == "fails"]; r.Status != wantStatus {
				t.Errorf("%s run %d: status %d, want %d", name, i, r.Status, wantStatus)
			}
		}
	}
	for i, r := range res["orphan"] {
		if r.CPUMS < 140 {
			t.Errorf("orphan run %d: CPU %.1f ms, want at least the 150 ms its leftover process burnt", i, r.CPUMS)
		}
	}
	median := func(name string) string {
		b, err := exec.Command(py, script, "-median", out, name).Output()
		if err != nil {
			t.Fatalf("alternate.py -median %s: %v", name, err)
		}
		return strings.TrimSpace(string(b))
	}
	if m := median("fails"); m != "fail" {
		t.Errorf("median of a failing command: %q, want fail", m)
	}
	if m := median("a"); m == "fail" || m == "" {
		t.Errorf("median of a: %q, want a number", m)
	}
	// A driver whose every mode failed its check was never timed: no file.
	out = filepath.Join(dir, "never-written.json")
	if m := median("a"); m != "fail" {
		t.Errorf("median from a missing file: %q, want fail", m)
	}
}

// TestAlternateBounded: a command that hangs is killed after -timeout
// (status 124), one that cannot be started is recorded (status 127), and
// processes a command leaves behind (in its group, or in a session of
// their own) are killed after -linger: the script ends, and nothing it
// started outlives it. Before, a hanging command hung the script, a
// missing one ended it with a traceback and no results, and leftovers
// cost 10 s a run and ran on.
func TestAlternateBounded(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	script, err := filepath.Abs(filepath.Join(root, "bench", "alternate.py"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "times.json")
	// Sleeps of distinct lengths mark this test's processes.
	marks := []string{"31.4159", "31.4158", "31.4157"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script, "-rounds", "1", "-timeout", "1", "-linger", "0.3", "-o", out,
		"hang", "sleep "+marks[0],
		"missing", "/nonexistent/gorc-bench-command",
		"leaver", "sh -c 'sleep "+marks[1]+" & exit 0'",
		"daemon", "sh -c 'setsid sleep "+marks[2]+" & exit 0'")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("alternate.py: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res map[string][]struct {
		alternateRun
		KilledLeft int `json:"killed_left"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	for name, want := range map[string]struct{ status, killed int }{"hang": {124, 0}, "missing": {127, 0}, "leaver": {0, 1}, "daemon": {0, 1}} {
		runs := res[name]
		if len(runs) != 1 || runs[0].Status != want.status || runs[0].KilledLeft != want.killed {
			t.Errorf("%s: %+v, want status %d, %d killed", name, runs, want.status, want.killed)
		}
	}
	for _, m := range marks {
		pids, err := exec.Command("pgrep", "-x", "-f", "sleep "+m).Output()
		if err != nil {
			continue // (none)
		}
		t.Errorf("sleep %s outlived alternate.py", m)
		for _, p := range strings.Fields(string(pids)) { // clean up
			if pid, err := strconv.Atoi(p); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}
