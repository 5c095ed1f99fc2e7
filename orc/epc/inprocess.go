//go:build cgo

package epc

import (
	"context"
	"fmt"
	"sync"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

// InProcess is the executor process control for code running in this
// process: every call goes straight to github.com/gorc-jit/gorc/executor.
type InProcess struct {
	mu       sync.Mutex
	closed   bool
	reserved map[shared.ExecutorAddrRange]bool
	syms     map[string]shared.ExecutorAddr
	// removeReentry uninstalls this control's re-entry handler (see
	// SetReentryHandler).
	removeReentry func()
}

var _ ExecutorProcessControl = (*InProcess)(nil)
var _ LocalMemory = (*InProcess)(nil)
var _ SharedMemory = (*InProcess)(nil)
var _ Reentry = (*InProcess)(nil)

// NewInProcess returns an executor control for this process.
func NewInProcess() (*InProcess, error) {
	return &InProcess{reserved: map[shared.ExecutorAddrRange]bool{}, syms: executor.BootstrapSymbols()}, nil
}

func (p *InProcess) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("epc: %s: %w", op, err)
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return fmt.Errorf("epc: %s: %w", op, ErrClosed)
	}
	return nil
}

// TargetTriple implements ExecutorProcessControl.
func (p *InProcess) TargetTriple() string { return executor.Triple }

// PageSize implements ExecutorProcessControl.
func (p *InProcess) PageSize() uint64 { return executor.PageSize() }

// BootstrapSymbols implements ExecutorProcessControl.
func (p *InProcess) BootstrapSymbols() map[string]shared.ExecutorAddr {
	m := make(map[string]shared.ExecutorAddr, len(p.syms))
	for k, v := range p.syms {
		m[k] = v
	}
	return m
}

// BootstrapSymbol returns the address of one bootstrap symbol (0 if
// there is none), without copying the table as BootstrapSymbols does.
func (p *InProcess) BootstrapSymbol(name string) shared.ExecutorAddr { return p.syms[name] }

// Reserve implements MemoryAccess.
func (p *InProcess) Reserve(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, error) {
	if err := p.check(ctx, "reserve"); err != nil {
		return shared.ExecutorAddrRange{}, err
	}
	r, err := executor.Reserve(size, low)
	if err != nil {
		return r, err
	}
	p.mu.Lock()
	p.reserved[r] = true
	p.mu.Unlock()
	return r, nil
}

// ReserveShared implements SharedMemory.
func (p *InProcess) ReserveShared(ctx context.Context, size uint64, low bool) (shared.ExecutorAddrRange, string, error) {
	if err := p.check(ctx, "reserve shared"); err != nil {
		return shared.ExecutorAddrRange{}, "", err
	}
	r, err := executor.ReserveShared(size, low)
	if err != nil {
		return r, "", err
	}
	path, err := executor.SharedMemoryPath(r)
	if err != nil {
		executor.Release(r)
		return shared.ExecutorAddrRange{}, "", err
	}
	p.mu.Lock()
	p.reserved[r] = true
	p.mu.Unlock()
	return r, path, nil
}

// Protect implements MemoryAccess.
func (p *InProcess) Protect(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) error {
	if err := p.check(ctx, "protect"); err != nil {
		return err
	}
	return executor.Protect(r, prot)
}

// Decommit implements MemoryAccess.
func (p *InProcess) Decommit(ctx context.Context, r shared.ExecutorAddrRange) error {
	if err := p.check(ctx, "decommit"); err != nil {
		return err
	}
	return executor.Decommit(r)
}

// Write implements MemoryAccess.
func (p *InProcess) Write(ctx context.Context, addr shared.ExecutorAddr, data []byte) error {
	if err := p.check(ctx, "write"); err != nil {
		return err
	}
	return executor.Write(addr, data)
}

// StoreUint64 implements WordStorer: one atomic store, no cgo call.
func (p *InProcess) StoreUint64(ctx context.Context, addr shared.ExecutorAddr, v uint64) error {
	if err := p.check(ctx, "store"); err != nil {
		return err
	}
	return executor.StoreUint64(addr, v)
}

// Read implements MemoryAccess.
func (p *InProcess) Read(ctx context.Context, addr shared.ExecutorAddr, n uint64) ([]byte, error) {
	if err := p.check(ctx, "read"); err != nil {
		return nil, err
	}
	return executor.Read(addr, n)
}

// Release implements MemoryAccess.
func (p *InProcess) Release(ctx context.Context, r shared.ExecutorAddrRange) error {
	if err := p.check(ctx, "release"); err != nil {
		return err
	}
	if err := executor.Release(r); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.reserved, r)
	p.mu.Unlock()
	return nil
}

// LocalMemory implements LocalMemory: the executor memory itself.
func (p *InProcess) LocalMemory(r shared.ExecutorAddrRange) ([]byte, error) {
	if r.End < r.Start {
		return nil, fmt.Errorf("epc: local memory %v: empty or inverted range", r)
	}
	return executor.Memory(r.Start, r.Size())
}

// LoadDylib implements DylibManager.
func (p *InProcess) LoadDylib(ctx context.Context, name string, searchDirs []string) (shared.ExecutorAddr, error) {
	if err := p.check(ctx, "load dylib"); err != nil {
		return 0, err
	}
	h, _, err := executor.LoadLibrary(name, searchDirs)
	return h, err
}

// LookupSymbols implements DylibManager.
func (p *InProcess) LookupSymbols(ctx context.Context, handle shared.ExecutorAddr, names []string) ([]shared.ExecutorAddr, error) {
	if err := p.check(ctx, "lookup"); err != nil {
		return nil, err
	}
	return executor.LookupSymbols(handle, names), nil
}

// RunAsMain implements Runner. The context is checked before the call;
// running code in this process cannot be interrupted.
func (p *InProcess) RunAsMain(ctx context.Context, fn shared.ExecutorAddr, args []string) (int, error) {
	if err := p.check(ctx, "run main"); err != nil {
		return 0, err
	}
	return executor.RunAsMain(fn, args)
}

// RunVoid implements Runner.
func (p *InProcess) RunVoid(ctx context.Context, fn shared.ExecutorAddr) error {
	if err := p.check(ctx, "run"); err != nil {
		return err
	}
	return executor.RunVoid(fn)
}

// CallWrapper implements Runner. The wrapper runs on the calling thread.
func (p *InProcess) CallWrapper(ctx context.Context, call shared.WrapperCall) ([]byte, error) {
	if err := p.check(ctx, "call wrapper"); err != nil {
		return nil, err
	}
	return executor.CallWrapper(call.Fn, call.Arg)
}

// RunProgram implements Runner: on success the process exits with main's
// status and RunProgram does not return.
func (p *InProcess) RunProgram(ctx context.Context, prog Program) (int, error) {
	if err := p.check(ctx, "run program"); err != nil {
		return 0, err
	}
	executor.SetProgramArgs(prog.Args)
	err := executor.RunProgram(executor.Program{Main: prog.Main, Args: prog.Args, Inits: prog.Inits, Finis: prog.Finis})
	return 0, err
}

// OnProgramExit sets a function RunProgram calls with the exit status
// after all of the program's exit handlers ran, just before the process
// ends (e.g. to print -show-times). See executor.OnProgramExit.
func (p *InProcess) OnProgramExit(f func(status int)) { executor.OnProgramExit(f) }

// SetReentryHandler installs the function that answers lazy re-entries
// through ReentryName: given the return address inside the calling
// trampoline, it returns where execution continues (compiling on demand).
// It runs on the JIT'd code's thread. Each InProcess control has its own
// handler (nil removes it), so several in-process JITs can run lazy code
// side by side; f must answer shared.ErrNotMyTrampoline for trampolines
// it did not hand out.
func (p *InProcess) SetReentryHandler(f func(trampolineRet shared.ExecutorAddr) (shared.ExecutorAddr, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removeReentry != nil {
		p.removeReentry()
		p.removeReentry = nil
	}
	if f != nil {
		p.removeReentry = executor.AddReentryHandler(f)
	}
}

// FlushStdio flushes C stdio (fflush(NULL)); needed after RunAsMain if
// the process then ends with os.Exit.
func (p *InProcess) FlushStdio() { executor.FlushStdio() }

// AllocateTLS implements TLSManager.
func (p *InProcess) AllocateTLS(ctx context.Context, req TLSRequest) (TLSBlock, error) {
	if err := p.check(ctx, "allocate TLS"); err != nil {
		return TLSBlock{}, err
	}
	b, err := executor.AllocateTLS(executor.TLSRequest{Size: req.Size, Align: req.Align, ImageSize: req.ImageSize, Image: req.Image})
	if err != nil {
		return TLSBlock{}, err
	}
	return TLSBlock{ModuleID: b.ModuleID, TPOffset: b.TPOffset, ImageAddr: b.ImageAddr, ImageSize: b.ImageSize, Size: b.Size, Align: b.Align}, nil
}

// ResolveExternalTLS implements ExternalTLSResolver.
func (p *InProcess) ResolveExternalTLS(ctx context.Context, names []string) ([]ExternalTLS, error) {
	if err := p.check(ctx, "resolve thread-local symbols"); err != nil {
		return nil, err
	}
	out := make([]ExternalTLS, len(names))
	for i, n := range names {
		r, err := executor.ResolveExternalTLS(n)
		if err != nil {
			return nil, err
		}
		out[i] = ExternalTLS{Found: r.Found, ModuleID: r.ModuleID, Offset: r.Offset, Static: r.Static, TPOffset: r.TPOffset, Library: r.Library, Why: r.Why}
	}
	return out, nil
}

// Close implements ExecutorProcessControl: it releases every reservation
// made through p that is still held. Code in that memory must not run
// any more.
func (p *InProcess) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	rs := p.reserved
	p.reserved = nil
	if p.removeReentry != nil {
		p.removeReentry()
		p.removeReentry = nil
	}
	p.mu.Unlock()
	var first error
	for r := range rs {
		if err := executor.Release(r); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// OnCrash makes a fatal signal in JIT'd code running in this process call
// f with the crash handler's report (what a child executor sends, see
// Remote.Crash) before the signal ends the process, so the session can
// name the JIT'd function. f runs while the crashing thread waits (at most
// about 2 s): it should only print. Only the first call has effect.
func (p *InProcess) OnCrash(f func(*Crash)) error {
	return executor.WatchCrashes(func(r executor.CrashReport) {
		f(&Crash{Signal: r.Signal, PC: r.PC, FaultAddr: r.FaultAddr, Frames: r.Frames})
	})
}

// MapDual makes the page-aligned range r of a reservation a dual-mapped
// block with protections prot and returns a read-write view of it at
// another address (see executor.MapDual): memmgr's code heap writes small
// allocations through the view while code runs in r.
func (p *InProcess) MapDual(ctx context.Context, r shared.ExecutorAddrRange, prot shared.MemProt) ([]byte, error) {
	if err := p.check(ctx, "map dual"); err != nil {
		return nil, err
	}
	return executor.MapDual(r, prot)
}

// ForgetRange deregisters the debug objects inside r, memory of a
// dual-mapped block about to be reused (Decommit does it for other memory).
func (p *InProcess) ForgetRange(r shared.ExecutorAddrRange) { executor.ForgetDebugObjects(r) }
