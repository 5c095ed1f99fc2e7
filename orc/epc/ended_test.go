package epc

import (
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
