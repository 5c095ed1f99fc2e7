// Package jitlinktest provides an in-memory MemoryManager and a simple
// LinkContext for testing the linker without an executor: segments are
// plain byte slices placed at chosen fake addresses, and external symbols
// come from a map. The Context's hooks (Lookup, AllocateTLS, OnResolved,
// Passes) let tests that link against a real executor use the same
// Context; package epclink sets them up for one.
package jitlinktest

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// Segment is one finalized fake segment.
type Segment struct {
	Addr shared.ExecutorAddr
	Prot shared.MemProt
	Mem  []byte
}

// MemoryManager hands out fake executor addresses starting at Base, each
// segment page-aligned after the previous one. Memory stays readable after
// finalization through Read.
type MemoryManager struct {
	mu        sync.Mutex
	Base      shared.ExecutorAddr
	next      shared.ExecutorAddr
	Segs      []Segment
	Requests  []jitlink.AllocRequest
	Actions   [][]shared.AllocActionPair
	Abandoned int
	// Gap inserts this many bytes between segments (to test reach).
	Gap uint64
	// Limit, if non-zero, is the largest segment Allocate accepts.
	Limit uint64
}

// NewMemoryManager returns a manager allocating from base upwards.
func NewMemoryManager(base shared.ExecutorAddr) *MemoryManager {
	return &MemoryManager{Base: base, next: base}
}

type inflight struct {
	mm   *MemoryManager
	segs []jitlink.Segment
	req  jitlink.AllocRequest
}

// Allocate implements jitlink.MemoryManager.
func (m *MemoryManager) Allocate(ctx context.Context, req jitlink.AllocRequest) (jitlink.InFlightAlloc, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.next == 0 {
		m.next = m.Base
	}
	m.Requests = append(m.Requests, req)
	fa := &inflight{mm: m, req: req}
	for _, s := range req.Segments {
		if s.Size > 1<<32 || m.Limit != 0 && s.Size > m.Limit {
			return nil, fmt.Errorf("jitlinktest: segment of %d bytes too large", s.Size)
		}
		al := s.Align
		if al < 4096 {
			al = 4096
		}
		addr := (uint64(m.next) + al - 1) &^ (al - 1)
		if req.Low2GiB && addr+s.Size > 1<<31 {
			return nil, fmt.Errorf("jitlinktest: cannot place %s below 2 GiB (base %v)", req.Name, m.Base)
		}
		fa.segs = append(fa.segs, jitlink.Segment{Addr: shared.ExecutorAddr(addr), Mem: make([]byte, s.Size)})
		m.next = shared.ExecutorAddr(addr + s.Size + m.Gap)
	}
	return fa, nil
}

func (f *inflight) Segments() []jitlink.Segment { return f.segs }

func (f *inflight) Finalize(ctx context.Context, actions []shared.AllocActionPair) (jitlink.FinalizedAlloc, error) {
	m := f.mm
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range f.segs {
		m.Segs = append(m.Segs, Segment{Addr: s.Addr, Prot: f.req.Segments[i].Prot, Mem: s.Mem})
	}
	m.Actions = append(m.Actions, actions)
	h := shared.ExecutorAddr(0)
	if len(f.segs) > 0 {
		h = f.segs[0].Addr
	}
	return jitlink.FinalizedAlloc{Handle: h}, nil
}

func (f *inflight) Abandon(ctx context.Context) error {
	f.mm.mu.Lock()
	f.mm.Abandoned++
	f.mm.mu.Unlock()
	return nil
}

// Deallocate implements jitlink.MemoryManager.
func (m *MemoryManager) Deallocate(ctx context.Context, allocs []jitlink.FinalizedAlloc) error {
	return nil
}

// Read returns n bytes at addr from finalized memory.
func (m *MemoryManager) Read(addr shared.ExecutorAddr, n uint64) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.Segs {
		if addr >= s.Addr && uint64(addr-s.Addr)+n <= uint64(len(s.Mem)) {
			o := uint64(addr - s.Addr)
			return s.Mem[o : o+n], nil
		}
	}
	return nil, fmt.Errorf("jitlinktest: no finalized memory at [%v, +%d)", addr, n)
}

// Context is a LinkContext resolving externals from a map (and, when
// Lookup is set, from a process). It supports TLS when TLS or AllocateTLS
// is set.
type Context struct {
	MM      jitlink.MemoryManager
	Symbols map[string]shared.ExecutorAddr
	// Lookup, when set, resolves the names Symbols lacks, given in sorted
	// order; a zero address means not found.
	Lookup func(ctx context.Context, names []string) ([]shared.ExecutorAddr, error)
	// TLS, when non-nil, is returned from ResolveTLS.
	TLS *jitlink.TLSLayout
	// AllocateTLS, when set and TLS is nil, places the graph's
	// thread-local block for ResolveTLS.
	AllocateTLS func(ctx context.Context, t jitlink.TLSTemplate) (jitlink.TLSLayout, error)
	// Passes are appended to the configuration by ModifyPassConfig.
	Passes func(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error
	// OnResolved, when set, is called by NotifyResolved after Resolved
	// is filled in; its error fails the link.
	OnResolved func(ctx context.Context, g *jitlink.LinkGraph) error

	Looked    map[string]jitlink.SymbolLookupFlags
	Resolved  map[string]shared.ExecutorAddr // defined, non-local symbols
	Finalized bool
	Err       error
	Template  jitlink.TLSTemplate
	// ExtTLS describes external thread-local symbols by name.
	ExtTLS map[string]jitlink.TLSRef
}

// ExternalTLS implements jitlink.TLSLinkContext.
func (c *Context) ExternalTLS(ctx context.Context, name string, addr shared.ExecutorAddr) (jitlink.TLSLayout, uint64, error) {
	r, ok := c.ExtTLS[name]
	if !ok {
		return jitlink.TLSLayout{}, 0, fmt.Errorf("jitlinktest: unknown thread-local symbol %s", name)
	}
	return r.Layout, r.Offset, nil
}

// MemoryManager implements jitlink.LinkContext.
func (c *Context) MemoryManager() jitlink.MemoryManager { return c.MM }

// ModifyPassConfig implements jitlink.LinkContext.
func (c *Context) ModifyPassConfig(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	if c.Passes != nil {
		return c.Passes(g, cfg)
	}
	return nil
}

// LookupExternals implements jitlink.LinkContext.
func (c *Context) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	c.Looked = syms
	res := make(map[string]jitlink.ExternalDef, len(syms))
	var rest []string // not in Symbols
	for n := range syms {
		if a, ok := c.Symbols[n]; ok {
			res[n] = jitlink.ExternalDef{Addr: a}
		} else {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	if c.Lookup != nil && len(rest) > 0 {
		addrs, err := c.Lookup(ctx, rest)
		if err != nil {
			return nil, err
		}
		if len(addrs) != len(rest) {
			return nil, fmt.Errorf("jitlinktest: Lookup returned %d addresses for %d names", len(addrs), len(rest))
		}
		for i, n := range rest {
			if addrs[i] != 0 {
				res[n] = jitlink.ExternalDef{Addr: addrs[i]}
			}
		}
	}
	var missing []string
	for _, n := range rest {
		if _, ok := res[n]; !ok && syms[n] == jitlink.LookupRequired {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("undefined symbols: %v", missing)
	}
	return res, nil
}

// NotifyResolved implements jitlink.LinkContext.
func (c *Context) NotifyResolved(ctx context.Context, g *jitlink.LinkGraph) error {
	c.Resolved = map[string]shared.ExecutorAddr{}
	for _, s := range g.Symbols {
		if s.Scope != jitlink.ScopeLocal && s.Name != "" {
			c.Resolved[s.Name] = s.Address()
		}
	}
	if c.OnResolved != nil {
		return c.OnResolved(ctx, g)
	}
	return nil
}

// NotifyFinalized implements jitlink.LinkContext.
func (c *Context) NotifyFinalized(ctx context.Context, g *jitlink.LinkGraph, a jitlink.FinalizedAlloc) error {
	c.Finalized = true
	return nil
}

// NotifyFailed implements jitlink.LinkContext.
func (c *Context) NotifyFailed(ctx context.Context, g *jitlink.LinkGraph, err error) { c.Err = err }

// ResolveTLS implements jitlink.TLSLinkContext.
func (c *Context) ResolveTLS(ctx context.Context, g *jitlink.LinkGraph, t jitlink.TLSTemplate) (jitlink.TLSLayout, error) {
	c.Template = t
	if c.TLS == nil && c.AllocateTLS != nil {
		return c.AllocateTLS(ctx, t)
	}
	if c.TLS == nil {
		return jitlink.TLSLayout{}, fmt.Errorf("jitlinktest: no TLS layout configured")
	}
	return *c.TLS, nil
}
