//go:build cgo

package executor

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared"
)

// testHub is a hub whose releases are recorded, not performed, and whose
// peers own made-up reservations.
func testHub(t *testing.T) (*Hub, func() []shared.ExecutorAddrRange) {
	h := NewHub()
	var mu sync.Mutex
	var released []shared.ExecutorAddrRange
	h.release = func(r shared.ExecutorAddrRange) error {
		mu.Lock()
		released = append(released, r)
		mu.Unlock()
		return nil
	}
	return h, func() []shared.ExecutorAddrRange {
		mu.Lock()
		defer mu.Unlock()
		return append([]shared.ExecutorAddrRange(nil), released...)
	}
}

// peerAt joins a peer owning [base, base+0x10000).
func peerAt(h *Hub, base uint64) (*peer, shared.ExecutorAddrRange) {
	p := h.join("test")
	r := shared.ExecutorAddrRange{Start: shared.ExecutorAddr(base), End: shared.ExecutorAddr(base + 0x10000)}
	h.reserved(p, r)
	return p, r
}

func state(h *Hub, name string) string {
	for _, d := range h.Directory() {
		if d.Name == name {
			return d.State
		}
	}
	return "absent"
}

func TestHubReadiness(t *testing.T) {
	tests := []struct {
		name  string
		deps  map[string][]string // publisher -> its dependencies
		emit  []string            // emitted, in this order
		ready []string            // Ready afterwards
	}{
		{"alone", map[string][]string{"a": nil}, []string{"a"}, []string{"a"}},
		{"chain waits for its end", map[string][]string{"a": {"b"}, "b": nil}, []string{"a"}, nil},
		{"chain", map[string][]string{"a": {"b"}, "b": nil}, []string{"a", "b"}, []string{"a", "b"}},
		{"two-cycle half emitted", map[string][]string{"a": {"b"}, "b": {"a"}}, []string{"a"}, nil},
		{"two-cycle", map[string][]string{"a": {"b"}, "b": {"a"}}, []string{"a", "b"}, []string{"a", "b"}},
		{"three-cycle", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{"three-cycle missing one", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}, []string{"a", "c"}, nil},
		{"dependency never published", map[string][]string{"a": {"x"}}, []string{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := testHub(t)
			peers := map[string]*peer{}
			base := uint64(0x100000)
			for n := range tt.deps {
				p, r := peerAt(h, base)
				base += 0x100000
				peers[n] = p
				if err := h.publish(p, n, "", []string{"f_" + n}, []uint64{uint64(r.Start) + 0x10}); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range tt.emit {
				if err := h.emitted(peers[n], n, tt.deps[n]); err != nil {
					t.Fatal(err)
				}
			}
			for n := range tt.deps {
				want := contains(tt.ready, n)
				if got := state(h, n) == "Ready"; got != want {
					t.Errorf("%s: %s, want Ready=%v", n, state(h, n), want)
				}
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// A publisher leaving before Ready fails its waiters at once, and the
// dylibs that depend on it.
func TestHubPublisherLeavesBeforeReady(t *testing.T) {
	h, released := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, _ := peerAt(h, 0x200000)
	if err := h.publish(a, "a", "[A]", []string{"is_even"}, []uint64{uint64(ra.Start) + 0x40}); err != nil {
		t.Fatal(err)
	}
	got, err := h.lookup(b, []string{"a"}, []string{"is_even", "printf"}, time.Second, nil)
	if err != nil || got[0] != uint64(ra.Start)+0x40 || got[1] != 0 {
		t.Fatalf("lookup = %#x, %v", got, err)
	}
	if err := h.publish(b, "b", "[B]", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.emitted(b, "b", []string{"a"}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- h.await(b, []string{"a", "b"}, time.Minute, nil) }()
	time.Sleep(10 * time.Millisecond)
	t0 := time.Now()
	h.leave(a)
	select {
	case err := <-errc:
		for _, want := range []string{"is_even", `shared dylib "a"`, "[A]", "publisher disconnected"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("await error %v lacks %q", err, want)
			}
		}
		// The await's own limit is a minute: 15s tells "woken by the
		// departure" from "timed out" on a loaded CI machine too.
		if d := time.Since(t0); d > 15*time.Second {
			t.Errorf("learned after %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter was not woken")
	}
	if state(h, "b") != "Failed" {
		t.Errorf("b depends on the failed a: %s, want Failed", state(h, "b"))
	}
	if r := released(); len(r) != 1 || r[0] != ra {
		t.Errorf("released %v, want A's reservation %v (nobody can run its code)", r, ra)
	}
}

// Memory others link against outlives its publisher, and is freed with
// the last controller that needs it (along chains, and for cycles).
func TestHubKeepsCodeOthersUse(t *testing.T) {
	h, released := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, rb := peerAt(h, 0x200000)
	c, rc := peerAt(h, 0x300000)
	for _, x := range []struct {
		p *peer
		n string
		r shared.ExecutorAddrRange
	}{{a, "a", ra}, {b, "b", rb}, {c, "c", rc}} {
		if err := h.publish(x.p, x.n, "", []string{"f_" + x.n}, []uint64{uint64(x.r.Start) + 0x10}); err != nil {
			t.Fatal(err)
		}
	}
	pub := func(p *peer, n string, r shared.ExecutorAddrRange, deps ...string) {
		t.Helper()
		for _, d := range deps {
			if _, err := h.lookup(p, []string{d}, []string{"f_" + d}, time.Second, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	// a and b call each other; c calls b.
	pub(a, "a", ra, "b")
	pub(b, "b", rb, "a")
	pub(c, "c", rc, "b")
	for _, x := range []struct {
		p    *peer
		n    string
		deps []string
	}{{a, "a", []string{"b"}}, {b, "b", []string{"a"}}, {c, "c", []string{"b"}}} {
		if err := h.emitted(x.p, x.n, x.deps); err != nil {
			t.Fatal(err)
		}
	}
	// The owner's decommit of published code in use is deferred, and
	// the pages can no longer be written.
	page := shared.ExecutorAddrRange{Start: ra.Start, End: ra.Start + 0x1000}
	if now, err := h.decommit(a, page); err != nil || now {
		t.Fatalf("decommit of code b uses: now=%v err=%v, want deferred", now, err)
	}
	if err := h.checkOwn(a, "write", ra.Start, 8, true); err == nil {
		t.Errorf("writing pinned code was allowed")
	}
	h.leave(a)
	h.leave(b)
	if r := released(); len(r) != 0 {
		t.Fatalf("released %v while c still runs b's code, which calls a's", r)
	}
	if state(h, "a") != "Ready" || h.KeptPeers() != 2 {
		t.Errorf("a is %s, %d peers kept; want Ready and 2", state(h, "a"), h.KeptPeers())
	}
	h.leave(c)
	if r := released(); len(r) != 3 {
		t.Fatalf("released %v, want all three reservations", r)
	}
	if h.KeptPeers() != 0 || len(h.Directory()) != 0 {
		t.Errorf("after everyone left: %d kept, directory %+v", h.KeptPeers(), h.Directory())
	}
}

func TestHubRefusesForeignMemory(t *testing.T) {
	h, _ := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, rb := peerAt(h, 0x200000)
	if err := h.publish(a, "a", "", []string{"pub"}, []uint64{uint64(ra.Start) + 0x10}); err != nil {
		t.Fatal(err)
	}
	pub := ra.Start + 0x10
	checks := []struct {
		what string
		err  error
	}{
		{"write", h.checkOwn(b, "write", ra.Start, 8, true)},
		{"read", h.checkOwn(b, "read", ra.Start, 8, false)},
		{"straddling read", h.checkOwn(b, "read", rb.End-4, 8, false)},
		{"call private", h.checkCall(b, "run-void", ra.Start+0x20)},
		{"publish foreign", h.publish(b, "x", "", []string{"y"}, []uint64{uint64(ra.Start)})},
		{"emitted of another's", h.emitted(b, "a", nil)},
		{"EH frames in another's memory", h.checkWrapper(b, BootstrapSymbols()[EHFrameRegisterName], le64(uint64(ra.Start), 64))},
	}
	for _, c := range checks {
		if c.err == nil {
			t.Errorf("%s: allowed", c.what)
		}
	}
	if _, err := h.releaseOwn(b, ra); err == nil {
		t.Errorf("release of another's reservation: allowed")
	}
	if err := h.checkCall(b, "run-void", pub); err != nil {
		t.Errorf("calling a published symbol: %v", err)
	}
	if err := h.checkOwn(b, "write", rb.Start, 8, true); err != nil {
		t.Errorf("writing its own memory: %v", err)
	}
}

func TestHubLookupTimeout(t *testing.T) {
	h, _ := testHub(t)
	b, _ := peerAt(h, 0x200000)
	t0 := time.Now()
	_, err := h.lookup(b, []string{"nobody"}, []string{"f"}, 50*time.Millisecond, nil)
	if err == nil || !strings.Contains(err.Error(), `timed out after 50ms waiting for shared dylib "nobody" to be published (looking up f)`) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(t0); d > 20*time.Second { // a hang, not a slow machine
		t.Errorf("took %v", d)
	}
	lost := make(chan struct{})
	close(lost)
	if _, err := h.lookup(b, []string{"nobody"}, []string{"f"}, time.Minute, lost); err == nil || !strings.Contains(err.Error(), "connection lost") {
		t.Fatalf("lost connection: %v", err)
	}
}

// TestHubCheckBatch: a shared executor takes a batch only when every
// step would be allowed as its own call, and only the executor's short
// services as call-wrapper steps.
func TestHubCheckBatch(t *testing.T) {
	h, _ := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, rb := peerAt(h, 0x200000)
	syms := BootstrapSymbols()
	own := shared.ExecutorAddrRange{Start: rb.Start, End: rb.Start + 0x1000}
	foreign := shared.ExecutorAddrRange{Start: ra.Start, End: ra.Start + 0x1000}
	prot := func(r shared.ExecutorAddrRange) batchStep {
		return batchStep{kind: 1, r: r, prot: shared.ProtRead}
	}
	write := func(at shared.ExecutorAddr) batchStep { return batchStep{kind: 2, addr: at, data: []byte{1, 2, 3}} }
	call := func(fn shared.ExecutorAddr, arg []byte) batchStep { return batchStep{kind: 3, addr: fn, data: arg} }
	tests := []struct {
		name  string
		steps []batchStep
		want  string // "" allowed, else a piece of the error
	}{
		{"empty", nil, ""},
		{"own protect, write, EH frames", []batchStep{prot(own), write(own.Start), call(syms[EHFrameRegisterName], le64(uint64(own.Start), 64))}, ""},
		{"echo", []batchStep{call(syms[EchoName], []byte("x"))}, ""},
		{"protect of another's", []batchStep{prot(own), prot(foreign)}, "batch step 1: executor: protect"},
		{"write to another's", []batchStep{write(foreign.Start)}, "batch step 0: executor: write"},
		{"straddling write", []batchStep{write(rb.End - 1)}, "not this controller's memory"},
		{"EH frames in another's memory", []batchStep{write(own.Start), call(syms[EHFrameRegisterName], le64(uint64(foreign.Start), 64))}, "batch step 1"},
		{"a function of its own", []batchStep{call(own.Start, nil)}, "only its own short services"},
		{"a service that runs code", []batchStep{call(syms[RunInitializersName], le64(0, 0))}, "only its own short services"},
		{"unknown kind", []batchStep{{kind: 9}}, "unknown step kind 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.checkBatch(b, tt.steps)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	// Published code pinned for another controller is not writable in a
	// batch either.
	if err := h.publish(a, "a", "", []string{"f"}, []uint64{uint64(ra.Start) + 0x10}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.lookup(b, []string{"a"}, []string{"f"}, time.Second, nil); err != nil {
		t.Fatal(err)
	}
	if now, err := h.decommit(a, foreign); err != nil || now {
		t.Fatalf("decommit of code in use: now %v, err %v", now, err)
	}
	if err := h.checkBatch(a, []batchStep{write(foreign.Start)}); err == nil || !strings.Contains(err.Error(), "other controllers still link against") {
		t.Fatalf("write to pinned memory: %v", err)
	}
}

// TestHubModuleServices: the module services take a DSO handle, a range
// and (init) functions; on a shared executor each must be the calling
// controller's, or one controller could run or drop another's
// destructors, call its private code through module-init, or register
// module ranges over its memory.
func TestHubModuleServices(t *testing.T) {
	h, _ := testHub(t)
	a, ra := peerAt(h, 0x100000)
	b, rb := peerAt(h, 0x200000)
	_ = a
	syms := BootstrapSymbols()
	own, foreign := uint64(rb.Start), uint64(ra.Start)
	tests := []struct {
		name string
		svc  string
		arg  []byte
		want string // "" allowed, else a piece of the error
	}{
		{"register own", ModuleRegisterName, le64(own, own+0x100, own+0x1000), ""},
		{"register with another's handle", ModuleRegisterName, le64(foreign, own+0x100, own+0x1000), "DSO handle"},
		{"register another's range", ModuleRegisterName, le64(own, foreign, foreign+0x1000), "not this controller's memory"},
		{"register reversed range", ModuleRegisterName, le64(own, own+0x1000, own), "bad argument"},
		{"register short", ModuleRegisterName, le64(own, own), "bad argument"},
		{"deregister another's range", ModuleDeregisterName, le64(own, foreign, foreign+8), "not this controller's memory"},
		{"finalize own", ModuleFinalizeName, le64(own), ""},
		{"finalize another's", ModuleFinalizeName, le64(foreign), "DSO handle"},
		{"finalize short", ModuleFinalizeName, nil, "short argument"},
		{"init own", ModuleInitName, le64(own, 1, own+0x20, 1, own+0x40), ""},
		{"init with another's handle", ModuleInitName, le64(foreign, 0), "DSO handle"},
		{"init calling another's code", ModuleInitName, le64(own, 1, foreign+0x20), "not"},
		{"fini calling another's code", ModuleInitName, le64(own, 0, 1, foreign+0x20), "not"},
		{"init bad count", ModuleInitName, le64(own, 5, own+0x20), "bad argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.checkWrapper(b, syms[tt.svc], tt.arg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
