package epc

import (
	"bytes"
	"os"
	"strconv"
	"time"
)

// ReportStopped, when set before an executor child is spawned, is told
// when the child is stopped (SIGSTOP, SIGTSTP, a debugger's stop) and
// when it continues: a controller waiting for a stopped child (in a run,
// or for the answer to a lazy first call's re-entry) would otherwise
// wait in silence, as a stopped process cannot say it is stopped. The
// controller still waits: the child may be continued (SIGCONT) or killed,
// which ends the wait as any exit does. Linux only (it reads
// /proc/PID/stat every stopPoll); nil: no watching.
var ReportStopped func(pid int, stopped bool)

const stopPoll = 500 * time.Millisecond

// watchStops reports pid's stops and continues to report until done is
// closed.
func watchStops(pid int, done <-chan struct{}, report func(pid int, stopped bool)) {
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	t := time.NewTicker(stopPoll)
	defer t.Stop()
	stopped := false
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return // gone (or no /proc): the exit is reported elsewhere
		}
		// The state is the field after the command's parenthesised name
		// (which may itself contain ") ").
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) {
			return
		}
		s := b[i+2]
		now := s == 'T' || s == 't'
		if now != stopped {
			stopped = now
			select {
			case <-done:
				return
			default:
			}
			report(pid, stopped)
		}
	}
}
