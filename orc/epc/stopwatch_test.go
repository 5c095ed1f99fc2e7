//go:build linux

package epc

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// TestWatchStops: a stopped process is reported stopped, and continued
// once SIGCONT resumes it; the watch ends when done is closed.
func TestWatchStops(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	type ev struct {
		pid     int
		stopped bool
	}
	evs := make(chan ev, 4)
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		watchStops(cmd.Process.Pid, done, func(pid int, stopped bool) { evs <- ev{pid, stopped} })
		close(ended)
	}()
	want := func(stopped bool) {
		t.Helper()
		select {
		case e := <-evs:
			if e.pid != cmd.Process.Pid || e.stopped != stopped {
				t.Fatalf("reported %+v, want pid %d stopped %v", e, cmd.Process.Pid, stopped)
			}
		case <-time.After(20 * stopPoll):
			t.Fatalf("no report of stopped=%v within %v", stopped, 20*stopPoll)
		}
	}
	cmd.Process.Signal(syscall.SIGSTOP)
	want(true)
	cmd.Process.Signal(syscall.SIGCONT)
	want(false)
	close(done)
	select {
	case <-ended:
	case <-time.After(20 * stopPoll):
		t.Fatal("the watch did not end when done was closed")
	}
}
