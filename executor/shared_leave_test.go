//go:build cgo

package executor

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// callAs runs service name for p as dispatchShared does: checked, called,
// and on success noted.
func callAs(t *testing.T, h *Hub, p *peer, name string, arg []byte) {
	t.Helper()
	fn := BootstrapSymbols()[name]
	if err := h.checkWrapper(p, fn, arg); err != nil {
		t.Fatalf("%s refused: %v", name, err)
	}
	if err := h.service(name, arg); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	h.noteService(p, fn, arg)
}

// TestHubLeaveUndoesRegistrations: what a departed controller left
// registered is undone — modules finalized first, then the registrations
// newest first — before its memory is released, and only when it is.
func TestHubLeaveUndoesRegistrations(t *testing.T) {
	type step struct {
		svc  string
		args []uint64 // addresses as offsets into the peer's memory
	}
	tests := []struct {
		name  string
		steps []step
		want  []string // services called at departure, with offsets
	}{
		{"nothing registered", nil, []string{"finalize-range(0x0,0x10000)"}},
		{"eh frames, one deregistered", []step{
			{EHFrameRegisterName, []uint64{0x100, 0x40}},
			{EHFrameRegisterName, []uint64{0x200, 0x40}},
			{EHFrameDeregisterName, []uint64{0x100, 0x40}},
		}, []string{"finalize-range(0x0,0x10000)", "__gorc_eh_frame_deregister(0x200,0x40)"}},
		{"all kinds", []step{
			{EHFrameRegisterName, []uint64{0x100, 0x40}},
			{GDBRegisterName, []uint64{0x1000, 0x800}},
			{ModuleRegisterName, []uint64{0x10, 0x2000, 0x3000}},
			{ModuleInitName, []uint64{0x10, 0, 0}},
			{ModuleInitName, []uint64{0x18, 0, 0}},
		}, []string{
			"__gorc_module_finalize(0x18)", "__gorc_module_finalize(0x10)",
			"finalize-range(0x0,0x10000)",
			"__gorc_module_deregister(0x10,0x2000,0x3000)",
			"__gorc_gdb_deregister(0x1000,0x800)",
			"__gorc_eh_frame_deregister(0x100,0x40)",
		}},
		{"all undone by the controller", []step{
			{GDBRegisterName, []uint64{0x1000, 0x800}},
			{ModuleRegisterName, []uint64{0x10, 0x2000, 0x3000}},
			{ModuleDeregisterName, []uint64{0x10, 0x2000, 0x3000}},
			{GDBDeregisterName, []uint64{0x1000, 0x800}},
		}, []string{"__gorc_module_finalize(0x10)", "finalize-range(0x0,0x10000)"}}, // (finds nothing: harmless)
		{"lazy names forgotten", []step{
			{LazyNamesName, []uint64{0x300, 0x100, 0x5000, 4, 0x10, 0}},
			{LazyNamesName, []uint64{0x400, 0x100, 0x6000, 4, 0x10, 0}},
			{LazyNamesName, []uint64{0x300, 0x100, 0x5000, 4, 0x10, 1}},
		}, []string{"finalize-range(0x0,0x10000)", "__gorc_lazy_names(0x400,0x100,0x6000,0x4,0x10,0x1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, released := testHub(t)
			const base = 0x100000
			var mu sync.Mutex
			var calls []string
			h.service = func(name string, arg []byte) error {
				var parts []string
				for i := 0; i+8 <= len(arg); i += 8 {
					v := uint64(0)
					for b := 7; b >= 0; b-- {
						v = v<<8 | uint64(arg[i+b])
					}
					if v >= base {
						v -= base
					}
					parts = append(parts, fmt.Sprintf("%#x", v))
				}
				mu.Lock()
				defer mu.Unlock()
				if len(released()) > 0 {
					t.Errorf("%s called after the memory was released", name)
				}
				calls = append(calls, name+"("+strings.Join(parts, ",")+")")
				return nil
			}
			h.finalizeRange = func(r shared.ExecutorAddrRange) int {
				mu.Lock()
				defer mu.Unlock()
				calls = append(calls, fmt.Sprintf("finalize-range(%#x,%#x)", uint64(r.Start)-base, uint64(r.End)-base))
				return 0
			}
			a, _ := peerAt(h, base)
			for _, st := range tt.steps {
				args := append([]uint64(nil), st.args...)
				for i := range args {
					if i == 0 || st.svc == ModuleRegisterName || st.svc == ModuleDeregisterName {
						args[i] += base
					}
				}
				callAs(t, h, a, st.svc, le64(args...))
			}
			mu.Lock()
			calls = nil // (the steps' own calls)
			mu.Unlock()
			h.leave(a)
			if len(released()) != 1 {
				t.Fatalf("released %v, want the peer's reservation", released())
			}
			if strings.Join(calls, " ") != strings.Join(tt.want, " ") {
				t.Errorf("undone:\n  %s\nwant:\n  %s", strings.Join(calls, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

// TestHubLeaveKeptUndoesLater: a departed controller whose code others
// use keeps its registrations (its code still runs) until it is freed.
func TestHubLeaveKeptUndoesLater(t *testing.T) {
	h, released := testHub(t)
	var calls []string
	h.service = func(name string, arg []byte) error {
		calls = append(calls, name)
		return nil
	}
	h.finalizeRange = func(shared.ExecutorAddrRange) int { return 0 }
	a, ra := peerAt(h, 0x100000)
	b, _ := peerAt(h, 0x200000)
	callAs(t, h, a, EHFrameRegisterName, le64(uint64(ra.Start)+0x100, 0x40))
	calls = nil
	if err := h.publish(a, "liba", "", []string{"f"}, []uint64{uint64(ra.Start) + 0x10}); err != nil {
		t.Fatal(err)
	}
	if err := h.emitted(a, "liba", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := h.lookup(b, []string{"liba"}, []string{"f"}, 0, nil); err != nil {
		t.Fatal(err)
	}
	h.leave(a)
	if len(calls) != 0 || len(released()) != 0 {
		t.Fatalf("kept peer: undid %v, released %v; want nothing yet", calls, released())
	}
	h.leave(b)
	if len(calls) != 1 || calls[0] != EHFrameDeregisterName {
		t.Errorf("after its user left: undid %v, want its EH frame", calls)
	}
	if len(released()) != 2 {
		t.Errorf("released %v, want both reservations", released())
	}
}

// TestHubLeaveDropsModuleRanges uses the executor's real module services:
// a departed controller's module range is dropped, so a later controller
// can register a module over the same addresses (reused memory). Without
// the undo the second register fails with "overlaps".
func TestHubLeaveDropsModuleRanges(t *testing.T) {
	h, released := testHub(t) // (made-up memory: the module services do not touch it)
	const base = 0x7e5a00000000
	a, ra := peerAt(h, base)
	callAs(t, h, a, ModuleRegisterName, le64(uint64(ra.Start), uint64(ra.Start)+0x1000, uint64(ra.End)))
	h.leave(a)
	if len(released()) != 1 {
		t.Fatalf("released %v", released())
	}
	// The memory is reused by the next controller.
	b := h.join("test")
	h.reserved(b, ra)
	arg := le64(uint64(ra.Start)+8, uint64(ra.Start)+0x800, uint64(ra.End)-0x800)
	callAs(t, h, b, ModuleRegisterName, arg)
	h.leave(b)
	// and b's is dropped too: registering it directly works.
	if err := callService(ModuleRegisterName, arg); err != nil {
		t.Fatalf("after both left: %v", err)
	}
	if err := callService(ModuleDeregisterName, arg); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkHubLeave is the executor's cost of a controller's departure:
// leave with one reservation (made-up: its release is not performed) and
// regs module ranges registered through the real module service (not
// timed). "none" stubs out the undoing (what leave cost before it undid
// anything).
func BenchmarkHubLeave(b *testing.B) {
	for _, tt := range []struct {
		name string
		regs int
		undo bool
	}{{"none", 0, false}, {"undo/0", 0, true}, {"undo/8", 8, true}} {
		b.Run(tt.name, func(b *testing.B) {
			h, _ := testHub(nil)
			if !tt.undo {
				h.service = func(string, []byte) error { return nil }
				h.ownerAdd, h.ownerDel = func(shared.ExecutorAddrRange) {}, func(shared.ExecutorAddrRange) {}
				h.finalizeRange = func(shared.ExecutorAddrRange) int { return 0 }
			}
			fn := BootstrapSymbols()[ModuleRegisterName]
			const base = 0x7e5b00000000
			for i := 0; i < b.N; i++ {
				b.StopTimer() // (the registrations are not the departure's cost)
				p, r := peerAt(h, base)
				for k := 0; k < tt.regs; k++ {
					arg := le64(uint64(r.Start), uint64(r.Start)+uint64(k)*0x100, uint64(r.Start)+uint64(k+1)*0x100)
					if err := h.service(ModuleRegisterName, arg); err != nil {
						b.Fatal(err)
					}
					h.noteService(p, fn, arg)
				}
				b.StartTimer()
				h.leave(p)
			}
		})
	}
}
