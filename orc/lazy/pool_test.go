package lazy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// hostArch is the stub shapes of the host architecture.
func hostArch(t *testing.T) jitlink.Arch {
	t.Helper()
	tg, err := target.Host()
	if err != nil {
		t.Skip(err)
	}
	return tg.Arch
}

// TestTrampolinePoolGrows: the pool links a block when it runs out (at
// least blockSize, or what one request needs), never hands a trampoline
// out twice, and reuses released ones.
func TestTrampolinePoolGrows(t *testing.T) {
	ctx := context.Background()
	arch := hostArch(t)
	mm := jitlinktest.NewMemoryManager(0x10000)
	p := lazy.NewTrampolinePool(arch, mm, 0x7fff_0000_0000, 4)
	seen := map[shared.ExecutorAddr]bool{}
	steps := []struct{ get, blocks int }{{3, 1}, {1, 1}, {1, 2}, {10, 3}}
	for _, s := range steps {
		got, err := p.Get(ctx, s.get)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != s.get {
			t.Fatalf("Get(%d) returned %d trampolines", s.get, len(got))
		}
		for _, a := range got {
			if seen[a] {
				t.Fatalf("trampoline %v handed out twice", a)
			}
			seen[a] = true
		}
		if b := p.Blocks(); b != s.blocks {
			t.Errorf("after Get(%d): %d blocks, want %d", s.get, b, s.blocks)
		}
	}
	p.Release(0x1234)
	if got, _ := p.Get(ctx, 1); got[0] != 0x1234 {
		t.Errorf("released trampoline not reused: got %v", got[0])
	}
	if p.ReturnOffset() != arch.TrampolineReturnOffset() {
		t.Errorf("return offset %d", p.ReturnOffset())
	}
	if _, err := lazy.NewTrampolinePool(arch, mm, 0, 4).Get(ctx, 1); err == nil || !strings.Contains(err.Error(), "re-entry point") {
		t.Errorf("pool without a re-entry point: %v", err)
	}
}

// TestStubsManagerErrors: a second stub of one name and repointing an
// unknown stub are errors naming the stub.
func TestStubsManagerErrors(t *testing.T) {
	ctx := context.Background()
	mm := jitlinktest.NewMemoryManager(0x10000)
	m := lazy.NewStubsManager(hostArch(t), mm, nil)
	s, err := m.CreateStubs(ctx, map[string]shared.ExecutorAddr{"f": 0x1000, "g": 0x2000})
	if err != nil {
		t.Fatal(err)
	}
	if s["f"].Addr == 0 || s["f"].Pointer == 0 || s["f"].Addr == s["g"].Addr {
		t.Fatalf("stubs %+v", s)
	}
	if _, err := m.CreateStubs(ctx, map[string]shared.ExecutorAddr{"f": 0x3000}); err == nil || !strings.Contains(err.Error(), `"f" already exists`) {
		t.Errorf("duplicate stub: %v", err)
	}
	if err := m.UpdatePointer(ctx, "nope", 1); err == nil || !strings.Contains(err.Error(), `no stub named "nope"`) {
		t.Errorf("unknown stub: %v", err)
	}
	ptr, err := mm.Read(s["g"].Pointer, 8)
	if err != nil {
		t.Fatal(err)
	}
	if ptr[0] != 0x00 || ptr[1] != 0x20 {
		t.Errorf("g's pointer holds % x, want its initial target 0x2000", ptr)
	}
}
