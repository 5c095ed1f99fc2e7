package epc

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/gorc-jit/gorc/shared/wire"
)

// TestNoteEnded: the report of how the executor process ended, with the
// optional reason a shared executor adds, and a malformed one ignored.
func TestNoteEnded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload []byte
		want    string
	}{
		{"killed", new(wire.Encoder).U64(wire.EndedSignal).U64(9).Payload(), "executor terminated by signal SIGKILL"},
		{"exited", new(wire.Encoder).U64(wire.EndedExit).U64(3).Payload(), "executor exited with status 3"},
		{"shared executor's reason", new(wire.Encoder).U64(wire.EndedSignal).U64(11).String("in boom+0x0, run for controller #2").Payload(),
			"executor terminated by signal SIGSEGV: in boom+0x0, run for controller #2"},
		{"malformed", append(new(wire.Encoder).U64(wire.EndedSignal).U64(11).Payload(), 1, 2, 3), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Remote{}
			e.noteEnded(tc.payload)
			got := ""
			if e.ended != nil {
				got = e.ended.Error()
			}
			if got != tc.want {
				t.Errorf("ended = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestExplainReset: a stream that ends in a reset (a TCP executor that
// died with input it had not read, such as the end of our stdin) after
// the executor reported its fatal signal, or after a listener reported
// how it ended, is explained as that end, as a clean EOF is — not as a
// lost connection, which gorc run turns into status 1 instead of 128+N.
func TestExplainReset(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	ended := new(wire.Encoder).U64(wire.EndedSignal).U64(6).Payload()
	for _, tc := range []struct {
		name  string
		crash bool
		ended bool
		err   error
		want  string
	}{
		{"crash report, EOF", true, false, io.EOF, "executor terminated by signal SIGABRT"},
		{"crash report, reset", true, false, reset, "executor terminated by signal SIGABRT"},
		{"listener's report, reset", false, true, reset, "executor terminated by signal SIGABRT"},
		{"no report, reset", false, false, reset, "connection reset by peer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &Remote{}
			if tc.crash {
				e.crash = &Crash{Signal: 6, PC: 0x1000}
			}
			if tc.ended {
				e.noteEnded(ended)
			}
			got := e.explain(tc.err)
			if !errors.Is(got, ErrExecutorLost) || !strings.Contains(got.Error(), tc.want) {
				t.Errorf("explain = %v, want ErrExecutorLost and %q", got, tc.want)
			}
		})
	}
}
