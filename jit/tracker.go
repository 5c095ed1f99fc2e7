package jit

// This file holds unloading: code added under a Tracker can be removed
// again (LLJIT's ResourceTracker, with the finalization LLJIT leaves out).

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
	"github.com/gorc-jit/gorc/shared"
)

// A Tracker is a group of objects that can be removed from the JIT again,
// like LLJIT's ResourceTracker: a plugin, a module a REPL redefines, code
// loaded for one request.
//
//	t, err := j.NewTracker()
//	t.AddObjectFile("plugin.o")
//	t.Initialize(ctx)                 // link, run its constructors
//	addr, _ := j.Lookup(ctx, "plugin_fn")
//	... call it ...
//	t.Remove(ctx)                     // destructors run, symbols and memory go
//
// Its objects are defined in the JIT's "main" dylib beside everything
// else: they resolve against the other inputs, and other code can resolve
// against them (but see Remove). Each tracker is its own module in the
// executor, as a shared library is to dlopen/dlclose: its objects'
// __dso_handle is the tracker's own, so C++ static destructors
// (__cxa_atexit), its .fini_array/__attribute__((destructor)) functions
// and the atexit handlers whose code is the tracker's run exactly once,
// when it is removed (by Remove, or by Close for the trackers still
// there; at exit if the JIT is never closed). Archive members its
// objects pull in belong to the JIT, not to the tracker, as a static
// library's would to the main program. Methods are safe for concurrent
// use, except that Remove must not race with Initialize or with calls into
// the tracker's code.
type Tracker struct {
	j  *JIT
	rt *orc.ResourceTracker

	mu      sync.Mutex
	inits   []orc.SymbolName // the objects' init symbols
	objects []string
	removed bool

	dsoMu    sync.Mutex
	dso      shared.ExecutorAddr // the module's DSO handle, once allocated
	dsoAlloc jitlink.FinalizedAlloc
	dsoGone  bool // Remove has begun: no new handle
}

// InUseError is returned by Tracker.Remove when objects outside the
// tracker were linked against its symbols: removing it would leave their
// references dangling (LLVM allows that; gorc refuses). Remove the users
// first.
type InUseError struct {
	Module     string               // the tracker, by its objects
	Dependents []objlayer.Dependent // who uses what
	// Permanent names the users that are not under a tracker (added
	// with JIT.AddObject, or archive members): they cannot be removed,
	// so neither can the module, until Close.
	Permanent []string
}

func (e *InUseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jit: cannot remove %s: still used by ", e.Module)
	const show = 4
	for i, d := range e.Dependents {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(e.Dependents)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
	if len(e.Permanent) > 0 {
		fmt.Fprintf(&b, "; not under a tracker (the module stays until Close): %s", strings.Join(e.Permanent, ", "))
	} else {
		b.WriteString("; remove the users first")
	}
	return b.String()
}

// NewTracker returns a new, empty tracker of the JIT's main dylib. It
// fails only after Close.
func (j *JIT) NewTracker() (*Tracker, error) {
	rt, err := j.Main.CreateResourceTracker()
	if err != nil {
		return nil, fmt.Errorf("jit: new tracker: %w", err)
	}
	t := &Tracker{j: j, rt: rt}
	j.mu.Lock()
	if j.modules == nil {
		j.modules = map[orc.ResourceKey]*Tracker{}
	}
	j.modules[t.rt.Key()] = t
	j.mu.Unlock()
	return t, nil
}

// ResourceTracker returns the session's tracker underneath, for use with
// package orc directly (defining other units under it).
func (t *Tracker) ResourceTracker() *orc.ResourceTracker { return t.rt }

// String names the tracker by its objects: module [a.o b.o].
func (t *Tracker) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nameLocked()
}

// nameLocked is String with t.mu held.
func (t *Tracker) nameLocked() string { return "module [" + strings.Join(t.objects, " ") + "]" }

// Objects returns the names of the objects added to the tracker.
func (t *Tracker) Objects() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.objects...)
}

// AddObjectFile adds a relocatable object from a file to the tracker.
func (t *Tracker) AddObjectFile(path string) error {
	data, err := t.j.readInput(path)
	if err != nil {
		return err
	}
	return t.AddObject(path, data)
}

// AddObject adds a relocatable object to the tracker; name is used in
// messages. It is linked when one of its symbols is looked up, or by
// Initialize.
func (t *Tracker) AddObject(name string, data []byte) error {
	g, err := t.j.parse(name, data)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.removed {
		return fmt.Errorf("jit: add %s: %w", name, orc.ErrResourceTrackerRemoved)
	}
	init, err := t.j.Layer.AddGraph(t.j.Main, t.rt, g)
	if err != nil {
		return err
	}
	t.inits = append(t.inits, init)
	t.objects = append(t.objects, name)
	return nil
}

// AddIR compiles an IR module (see JIT.AddIR) and adds the object to the
// tracker.
func (t *Tracker) AddIR(ctx context.Context, name string, src []byte, optLevel int) error {
	obj, err := t.j.compileIR(ctx, name, src, optLevel)
	if err != nil {
		return err
	}
	return t.AddObject(name+".o", obj)
}

// Initialize links every object of the tracker (and the archive members
// they need) and runs the constructors of those not initialized yet; their
// destructors are registered to run when the tracker is removed. On
// undefined symbols the error lists every missing name and the object that
// referenced it.
func (t *Tracker) Initialize(ctx context.Context) error {
	j := t.j
	if err := j.start(); err != nil {
		return err
	}
	t.mu.Lock()
	if t.removed {
		t.mu.Unlock()
		return fmt.Errorf("jit: initialize: %w", orc.ErrResourceTrackerRemoved)
	}
	set := orc.NewSymbolLookupSet(t.inits...)
	t.mu.Unlock()
	if _, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), set, orc.SymbolStateReady); err != nil {
		j.Layer.Quiesce()
		if u := j.Layer.Undefined(); u != nil {
			return u
		}
		return err
	}
	inits, finis := j.Layer.TakeInitializersOf(t.rt.Key())
	if len(inits) == 0 && len(finis) == 0 {
		return nil
	}
	dso, err := t.handle(ctx)
	if err != nil {
		return err
	}
	call, err := epc.ModuleInitCall(j.EPC, dso, fns(inits), fns(finis))
	if err != nil {
		return err
	}
	if _, err := j.EPC.CallWrapper(ctx, call); err != nil {
		return fmt.Errorf("jit: running the constructors of %s: %w", t, err)
	}
	return nil
}

func fns(xs []objlayer.Initializer) []shared.ExecutorAddr {
	out := make([]shared.ExecutorAddr, len(xs))
	for i, x := range xs {
		out[i] = x.Fn
	}
	return out
}

// Remove unloads the tracker: its destructors, finalizers and atexit
// handlers run (once, newest first, as dlclose runs a library's), its
// symbols leave the dylib (a later lookup fails: not defined by any
// input), its EH frames are deregistered and its memory returns to the
// slab and is decommitted in the executor. It refuses with an
// *InUseError, changing nothing, while objects outside the tracker are
// linked against its symbols. Removing a removed tracker does nothing.
func (t *Tracker) Remove(ctx context.Context) error {
	j := t.j
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.removed {
		return nil
	}
	if deps := j.Layer.Dependents(t.rt.Key()); len(deps) > 0 {
		e := &InUseError{Module: t.nameLocked(), Dependents: deps}
		seen := map[string]bool{}
		for _, d := range deps {
			if !j.isModule(d.Key) && !seen[d.Object] {
				seen[d.Object] = true
				e.Permanent = append(e.Permanent, d.Object)
			}
		}
		return e
	}
	t.removed = true
	return t.unload(ctx)
}

// unload finalizes the module, removes its symbols and frees its memory.
// t.mu held.
func (t *Tracker) unload(ctx context.Context) error {
	j := t.j
	j.mu.Lock()
	delete(j.modules, t.rt.Key())
	j.mu.Unlock()
	t.dsoMu.Lock()
	t.dsoGone = true
	dso, alloc := t.dso, t.dsoAlloc
	t.dsoMu.Unlock()
	name := t.nameLocked()
	var errs []error
	if dso != 0 {
		call, err := epc.ModuleFinalizeCall(j.EPC, dso)
		if err == nil {
			_, err = j.EPC.CallWrapper(ctx, call)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("jit: running the destructors of %s: %w", name, err))
		}
	}
	if err := t.rt.Remove(ctx); err != nil {
		errs = append(errs, fmt.Errorf("jit: removing %s: %w", name, err))
	}
	if dso != 0 {
		s, err := j.memory()
		if err == nil {
			err = s.Deallocate(ctx, []jitlink.FinalizedAlloc{alloc})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("jit: freeing the DSO handle of %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// handle returns the module's DSO handle, allocating it on first use: an
// address in the slab (gcc reaches __dso_handle PC-relative), one page of
// address space that is the module's until it is removed.
func (t *Tracker) handle(ctx context.Context) (shared.ExecutorAddr, error) {
	t.dsoMu.Lock()
	defer t.dsoMu.Unlock()
	if t.dsoGone {
		return 0, fmt.Errorf("jit: DSO handle: %w", orc.ErrResourceTrackerRemoved)
	}
	if t.dso != 0 {
		return t.dso, nil
	}
	s, err := t.j.memory()
	if err != nil {
		return 0, err
	}
	a, err := s.Allocate(ctx, jitlink.AllocRequest{Name: "__dso_handle of a module", Segments: []jitlink.SegmentRequest{{Prot: shared.ProtRead, Size: 8, Align: 8}}})
	if err != nil {
		return 0, fmt.Errorf("jit: module DSO handle: %w", err)
	}
	addr := a.Segments()[0].Addr
	fa, err := a.Finalize(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("jit: module DSO handle: %w", err)
	}
	t.dso, t.dsoAlloc = addr, fa
	return addr, nil
}

// moduleHandle is the layer's objlayer.ModuleHandleFunc: a tracker's
// objects use its DSO handle, everything else the process's.
func (j *JIT) moduleHandle(ctx context.Context, key orc.ResourceKey) (shared.ExecutorAddr, error) {
	j.mu.Lock()
	t := j.modules[key]
	j.mu.Unlock()
	if t == nil {
		return 0, nil
	}
	return t.handle(ctx)
}

// isModule reports whether key is a live tracker's.
func (j *JIT) isModule(key orc.ResourceKey) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	_, ok := j.modules[key]
	return ok
}

// closeModules unloads every live tracker (dependents or not), so that no
// destructor of freed code is left for exit to call.
func (j *JIT) closeModules(ctx context.Context) error {
	j.mu.Lock()
	var ts []*Tracker
	for _, t := range j.modules {
		ts = append(ts, t)
	}
	j.mu.Unlock()
	// Newest first: later modules may use earlier ones.
	sort.Slice(ts, func(a, b int) bool { return ts[a].rt.Key() > ts[b].rt.Key() })
	var errs []error
	for _, t := range ts {
		t.mu.Lock()
		if !t.removed {
			t.removed = true
			errs = append(errs, t.unload(ctx))
		}
		t.mu.Unlock()
	}
	return errors.Join(errs...)
}

// SlabStats reports the use of the slab that holds the JIT'd code and data
// (all zero before anything was linked).
func (j *JIT) SlabStats() memmgr.SlabStats {
	j.mu.Lock()
	s := j.slab
	j.mu.Unlock()
	if s == nil {
		return memmgr.SlabStats{}
	}
	return s.Stats()
}
