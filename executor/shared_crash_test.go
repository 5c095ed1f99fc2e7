//go:build cgo

package executor

import (
	"strings"
	"testing"
)

// TestCrashMessage: what the controllers of a shared executor are told
// when code faults — the controller whose request ran it, and where: the
// nearest published symbol at or below the pc, the memory of a
// controller that published nothing there, the first JIT'd frame of a
// fault outside JIT'd code, or nothing known.
func TestCrashMessage(t *testing.T) {
	h, _ := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, _ := peerAt(h, 0x200000)
	if err := h.publish(a, "liba", "[gorc, pid 7]", []string{"first", "boom"}, []uint64{uint64(ra.Start) + 0x10, uint64(ra.Start) + 0x40}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		pc            uint64
		origin        uint64
		frames        []uint64
		want, notWant []string
	}{
		{"in a published function", 0x100048, a.id, nil,
			[]string{"died of SIGSEGV (fault address 0x0) at pc 0x100048 in boom+0x8 (shared dylib \"liba\", published by controller #1 (test) [gorc, pid 7])", "in code run for controller #1 (test) [gorc, pid 7]", "every controller of it lost it"}, nil},
		{"another controller's request ran it", 0x100010, b.id, nil,
			[]string{"in first+0x0 (shared dylib", "in code run for controller #2 (test);"}, nil},
		{"memory with no published symbol", 0x200100, b.id, nil,
			[]string{"at pc 0x200100 in the memory of controller #2 (test) (no published symbol below it)"}, nil},
		{"in libc, called from JIT'd code", 0x7f0000001000, a.id, []uint64{0x7f0000002000, 0x100051},
			[]string{"at pc 0x7f0000001000 (outside JIT'd code), called from boom+0x10"}, nil},
		{"nothing known", 0x7f0000001000, 0, nil,
			[]string{"(in no controller's memory)", "in code run for no controller's request"}, []string{"controller #"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, peers := h.crashMessage(11, tc.pc, 0, tc.origin, tc.frames)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("message has %q:\n%s", w, msg)
				}
			}
			if len(peers) != 0 {
				t.Errorf("%d peers to tell; none has a connection", len(peers))
			}
		})
	}
}

// TestExitNames: when code calls exit() in a shared executor, the
// controllers are told whose request ran it, as for a crash.
func TestExitNames(t *testing.T) {
	h, _ := testHub(t)
	a, _ := peerAt(h, 0x100000)
	for _, tc := range []struct {
		name   string
		origin uint64
		want   string
	}{
		{"a controller's code", a.id, "controller #1 (test)"},
		{"an unknown controller", 99, "controller #99"},
		{"the executor's own thread", 0, "no controller's request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			who, peers := h.whoAndPeers(tc.origin, nil)
			if who != tc.want && !strings.HasPrefix(who, tc.want) {
				t.Errorf("who = %q, want %q", who, tc.want)
			}
			if len(peers) != 0 {
				t.Errorf("%d peers to tell; none has a connection", len(peers))
			}
		})
	}
}
