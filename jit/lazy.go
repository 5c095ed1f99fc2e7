package jit

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/lazy"
)

// Lazy is the JIT's lazy-compilation machinery (package orc/lazy): the
// stubs of the main dylib, the trampoline pool and the call-through
// manager answering the executor's re-entries.
type Lazy struct {
	Stubs       *lazy.StubsManager
	Trampolines *lazy.TrampolinePool
	CallThrough *lazy.CallThroughManager
}

// Lazy returns the lazy-compilation machinery, creating it on first use
// and installing the executor's re-entry handler.
func (j *JIT) Lazy() (*Lazy, error) {
	j.mu.Lock()
	lz := j.lazy
	j.mu.Unlock()
	if lz != nil {
		return lz, nil
	}
	re, ok := j.EPC.(epc.Reentry)
	if !ok {
		return nil, fmt.Errorf("jit: executor %T does not support lazy re-entry", j.EPC)
	}
	reentry := j.EPC.BootstrapSymbols()[epc.ReentryName]
	if reentry == 0 {
		return nil, fmt.Errorf("jit: executor has no lazy re-entry point (%s)", epc.ReentryName)
	}
	s, err := j.memory()
	if err != nil {
		return nil, err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.lazy != nil {
		return j.lazy, nil
	}
	// The stub and trampoline shapes of the executor's architecture.
	arch := j.Target.Arch
	pool := lazy.NewTrampolinePool(arch, s, reentry, 0)
	ctm := lazy.NewCallThroughManager(j.ES, pool)
	stubs := lazy.NewStubsManager(arch, s, j.EPC)
	_, local := j.EPC.(*epc.InProcess)
	_, ordered := j.EPC.(epc.OrderedBatcher)
	if local || ordered {
		// Setting a stub's pointer is a store here, or a write sent
		// with the re-entry's answer (or one batch) over a byte
		// stream: stubs come from blocks linked ahead rather than a
		// link per group of new stubs.
		stubs.PoolStubs(1024)
		// Naming a trampoline is as cheap: a forked child's refused
		// lazy first call can then say which function it was.
		if svc := j.EPC.BootstrapSymbols()[epc.LazyNamesName]; svc != 0 {
			pool.SetNameSlots(svc, j.EPC)
		}
	}
	j.lazy = &Lazy{Stubs: stubs, Trampolines: pool, CallThrough: ctm}
	re.SetReentryHandler(ctm.HandleReentry)
	return j.lazy, nil
}

// AddLazyReexports defines each alias in the main dylib as a lazy reexport
// of its aliasee in source: calls go through a stub, and the aliasee is
// materialized on the first call.
func (j *JIT) AddLazyReexports(source *orc.JITDylib, aliases orc.SymbolAliasMap) error {
	lz, err := j.Lazy()
	if err != nil {
		return err
	}
	return j.Main.Define(lazy.LazyReexports(lz.CallThrough, lz.Stubs, source, aliases), nil)
}

// closeLazy releases the stubs and trampolines (before the slab).
func (j *JIT) closeLazy(ctx context.Context) error {
	j.mu.Lock()
	lz := j.lazy
	j.lazy = nil
	j.mu.Unlock()
	if lz == nil {
		return nil
	}
	if re, ok := j.EPC.(epc.Reentry); ok {
		re.SetReentryHandler(nil)
	}
	err := lz.Stubs.Close(ctx)
	if e := lz.Trampolines.Close(ctx); err == nil {
		err = e
	}
	return err
}
