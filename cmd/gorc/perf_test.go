//go:build cgo

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// perfRecordWorks reports whether perf may record here (perf_event_paranoid
// and the container's seccomp policy decide); reason says why not.
func perfRecordWorks(t *testing.T, perf, dir string) (ok bool, reason string) {
	out, err := runTool(t, dir, time.Minute, perf, "record", "-o", filepath.Join(dir, "probe.data"), "--", "true")
	if err == nil {
		return true, ""
	}
	paranoid, _ := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	return false, fmt.Sprintf("perf record failed (perf_event_paranoid=%s): %v\n%s", strings.TrimSpace(string(paranoid)), err, out)
}

// startListenerCmd starts argv (a `gorc executor -listen 127.0.0.1:0`,
// perhaps under perf) and returns the address it announces on stderr.
func startListenerCmd(t *testing.T, dir string, argv ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	se, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		br := bufio.NewReader(se)
		for {
			l, err := br.ReadString('\n')
			if i := strings.Index(l, "listening on "); i >= 0 {
				addr <- strings.TrimSpace(l[i+len("listening on "):])
				break
			}
			if err != nil {
				close(addr)
				return
			}
		}
		io.Copy(io.Discard, br)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("%v: ended without announcing an address", argv)
		}
		return a, cmd
	case <-time.After(30 * time.Second):
		t.Fatalf("%v: no address announced within 30s", argv)
	}
	return "", nil
}

// programPID returns the PID a hotSrc run printed ("running in PID").
func programPID(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`running in (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the program did not print its PID:\n%s", out)
	}
	var pid int
	fmt.Sscan(m[1], &pid)
	return pid
}

// checkPerfMap checks that the perf map of the process that ran hotSrc
// names hot_loop and main with nonzero sizes.
func checkPerfMap(t *testing.T, pid int) {
	t.Helper()
	path := fmt.Sprintf("/tmp/perf-%d.map", pid)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("perf map of the process that ran the code: %v", err)
	}
	t.Cleanup(func() { os.Remove(path) })
	for _, fn := range []string{"hot_loop", "main"} {
		if !regexp.MustCompile(`(?m)^[0-9a-f]+ [1-9a-f][0-9a-f]* ` + fn + `$`).Match(data) {
			t.Errorf("%s has no line for %s:\n%s", path, fn, data)
		}
	}
}

// checkPerfReport checks that perf report names fn in the profile.
func checkPerfReport(t *testing.T, perf, dir, data, fn string) {
	t.Helper()
	out, err := runTool(t, dir, 2*time.Minute, perf, "report", "-i", data, "--stdio", "--no-children", "--sort", "sym")
	if err != nil {
		t.Fatalf("perf report: %v\n%s", err, out)
	}
	// A line like "    93.12%  [.] hot_loop": the JIT'd function named,
	// and most of the samples in it.
	m := regexp.MustCompile(`(?m)^\s+([0-9.]+)%\s+\[\.\] ` + fn + `\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("perf report does not name %s:\n%s", fn, out)
	}
	var pct float64
	fmt.Sscan(m[1], &pct)
	if pct < 30 {
		t.Errorf("perf report gives %s only %.1f%% of the samples:\n%s", fn, pct, out)
	}
}

// checkJitdump checks that the process pid wrote a jitdump file under dir
// (JITDUMPDIR) holding records.
func checkJitdump(t *testing.T, dir string, pid int) {
	t.Helper()
	dumps, _ := filepath.Glob(filepath.Join(dir, ".debug", "jit", "gorc-jit-*", fmt.Sprintf("jit-%d.dump", pid)))
	if len(dumps) != 1 {
		t.Fatalf("want one jitdump file of process %d under %s, found %v", pid, dir, dumps)
	}
	st, err := os.Stat(dumps[0])
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() <= 40 {
		t.Errorf("%s has no records (%d bytes)", dumps[0], st.Size())
	}
}

// perf report names the JIT'd hot_loop with -perf-support, in every mode
// that runs on this machine: in-process, a child executor, a child
// executor with shared memory, and a TCP executor (under perf record, its
// session process inherits the recording). With shared memory the code
// lies in a memfd mapping, which perf does not look up in the perf map:
// there the jitdump file names it, after perf inject --jit. Where perf
// may not record, the perf map and jitdump files are checked alone.
func TestPerfSupportRun(t *testing.T) {
	perf := debugTool(t, "perf")
	dir := t.TempDir()
	t.Setenv("JITDUMPDIR", dir)
	obj := hotObject(t, dir)
	canRecord, why := perfRecordWorks(t, perf, dir)
	if !canRecord {
		t.Logf("perf cannot record here; checking the perf map and jitdump files only: %s", why)
	}
	// -k mono: jitdump timestamps are CLOCK_MONOTONIC.
	record := func(data string) []string { return []string{perf, "record", "-k", "mono", "-g", "-o", data, "--"} }
	for _, mode := range []string{"local", "child", "child-shm", "tcp"} {
		t.Run(mode, func(t *testing.T) {
			data := filepath.Join(dir, mode+".data")
			var flags []string
			var listener *exec.Cmd
			switch mode {
			case "child":
				flags = []string{"-exec", "child"}
			case "child-shm":
				flags = []string{"-exec", "child", "-shm"}
			case "tcp":
				argv := []string{gorcBinary(t), "executor", "-listen", "127.0.0.1:0"}
				if canRecord {
					argv = append(record(data), argv...)
				}
				var addr string
				addr, listener = startListenerCmd(t, dir, argv...)
				flags = []string{"-exec", "tcp://" + addr}
			}
			run := append(append([]string{gorcBinary(t), "run", "-perf-support"}, flags...), obj, "--", "300")
			if canRecord && mode != "tcp" {
				run = append(record(data), run...)
			}
			out, err := runTool(t, dir, 2*time.Minute, run...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(run, " "), err, out)
			}
			pid := programPID(t, out)
			checkPerfMap(t, pid)
			checkJitdump(t, dir, pid)
			if !canRecord {
				return
			}
			if listener != nil {
				// perf record stops and writes its data on SIGINT.
				listener.Process.Signal(syscall.SIGINT)
				listener.Wait()
			}
			if mode == "child-shm" {
				injected := data + ".jit"
				if out, err := runTool(t, dir, 2*time.Minute, perf, "inject", "--jit", "-i", data, "-o", injected); err != nil {
					t.Fatalf("perf inject --jit: %v\n%s", err, out)
				}
				data = injected
			}
			checkPerfReport(t, perf, dir, data, "hot_loop")
		})
	}
}

// gorc kaleido -perf-support names the functions it compiled.
func TestPerfSupportKaleido(t *testing.T) {
	perf := debugTool(t, "perf")
	dir := t.TempDir()
	t.Setenv("JITDUMPDIR", dir)
	src := filepath.Join(dir, "hot.k")
	// hotk calls itself (never, in fact; not a tail call, which -O2 would
	// make a loop), so that -O2 does not inline it into the top-level
	// expression and perf sees it as a function.
	if err := os.WriteFile(src, []byte("def hotk(n) if n < 0 then hotk(0) + 1 else for i = 0, i < n in 0;\nhotk(100000000);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	canRecord, why := perfRecordWorks(t, perf, dir)
	data := filepath.Join(dir, "k.data")
	// The shell prints its PID and becomes gorc kaleido, which runs the
	// code in-process: that PID names the perf map.
	argv := []string{"sh", "-c", `echo "running in $$"; exec "$@"`, "sh", gorcBinary(t), "kaleido", "-perf-support", src}
	if canRecord {
		argv = append([]string{perf, "record", "-g", "-o", data, "--"}, argv...)
	} else {
		t.Logf("perf cannot record here; checking the perf map only: %s", why)
	}
	out, err := runTool(t, dir, 2*time.Minute, argv...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	path := fmt.Sprintf("/tmp/perf-%d.map", programPID(t, out))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("perf map of gorc kaleido: %v", err)
	}
	t.Cleanup(func() { os.Remove(path) })
	if !regexp.MustCompile(`(?m)^[0-9a-f]+ [1-9a-f][0-9a-f]* hotk$`).Match(b) {
		t.Errorf("%s does not name hotk:\n%s", path, b)
	}
	if canRecord {
		checkPerfReport(t, perf, dir, data, "hotk")
	}
}
