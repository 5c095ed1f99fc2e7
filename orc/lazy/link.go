package lazy

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// linkSynthetic links a graph made of stub shapes into memory from mm.
// Its externals are resolved from ext (all of them must be there); it
// returns the finalized allocation.
func linkSynthetic(ctx context.Context, g *jitlink.LinkGraph, mm jitlink.MemoryManager, ext map[string]shared.ExecutorAddr) (jitlink.FinalizedAlloc, error) {
	return linkSyntheticPost(ctx, g, mm, ext, nil)
}

// linkSyntheticPost is linkSynthetic with a post-fixup pass (nil: none),
// which may add finalize actions now that addresses are known.
func linkSyntheticPost(ctx context.Context, g *jitlink.LinkGraph, mm jitlink.MemoryManager, ext map[string]shared.ExecutorAddr, post jitlink.Pass) (jitlink.FinalizedAlloc, error) {
	lc := &synthContext{mm: mm, ext: ext, post: post}
	if err := jitlink.Link(ctx, g, lc); err != nil {
		return jitlink.FinalizedAlloc{}, err
	}
	return lc.alloc, nil
}

type synthContext struct {
	mm    jitlink.MemoryManager
	ext   map[string]shared.ExecutorAddr
	alloc jitlink.FinalizedAlloc
	post  jitlink.Pass
}

func (c *synthContext) MemoryManager() jitlink.MemoryManager { return c.mm }

func (c *synthContext) ModifyPassConfig(_ *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	if c.post != nil {
		cfg.PostFixup = append(cfg.PostFixup, c.post)
	}
	return nil
}

func (c *synthContext) LookupExternals(_ context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	m := make(map[string]jitlink.ExternalDef, len(syms))
	for n := range syms {
		a, ok := c.ext[n]
		if !ok {
			return nil, fmt.Errorf("lazy: synthesized graph refers to unknown symbol %q", n)
		}
		m[n] = jitlink.ExternalDef{Addr: a}
	}
	return m, nil
}

func (c *synthContext) NotifyResolved(context.Context, *jitlink.LinkGraph) error { return nil }

func (c *synthContext) NotifyFinalized(_ context.Context, _ *jitlink.LinkGraph, a jitlink.FinalizedAlloc) error {
	c.alloc = a
	return nil
}

func (c *synthContext) NotifyFailed(context.Context, *jitlink.LinkGraph, error) {}
