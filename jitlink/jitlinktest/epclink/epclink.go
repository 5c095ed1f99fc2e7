// Package epclink makes a jitlinktest.Context link against a real
// executor, for tests that run what they link (jitlink/e2e, memmgr):
// externals resolve in the executor's process, thread-local blocks come
// from its TLS manager, and the finalize actions register the graph's EH
// frames and copy its TLS initialization image.
//
// It is a package of its own so that jitlinktest, which the linker's unit
// tests use, does not depend on executor control.
package epclink

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// NewContext returns a context for linking one graph into memory from mm
// against the process of e. dso, when non-nil, provides __dso_handle (C++
// code references it PC-relative, so it must lie in the JIT'd memory, as
// memmgr.Slab.DSOHandle does); when nil, __dso_handle is looked up in the
// process like any other name. Callers may wrap the returned context's
// hooks (Lookup, Passes, OnResolved) to add to them.
func NewContext(e epc.ExecutorProcessControl, mm jitlink.MemoryManager, dso func(context.Context) (shared.ExecutorAddr, error)) *jitlinktest.Context {
	var tls *epc.TLSBlock // set by AllocateTLS, read by the post-fixup pass
	return &jitlinktest.Context{
		MM: mm,
		Lookup: func(ctx context.Context, names []string) ([]shared.ExecutorAddr, error) {
			return lookup(ctx, e, dso, names)
		},
		AllocateTLS: func(ctx context.Context, t jitlink.TLSTemplate) (jitlink.TLSLayout, error) {
			b, err := e.AllocateTLS(ctx, epc.TLSRequest{Size: t.Size, Align: t.Align, ImageSize: t.InitSize})
			if err != nil {
				return jitlink.TLSLayout{}, err
			}
			tls = &b
			return jitlink.TLSLayout{Static: true, TPOffset: b.TPOffset, Module: b.ModuleID, GetAddr: e.BootstrapSymbols()[epc.TLSGetAddrName]}, nil
		},
		Passes: func(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
			cfg.PostFixup = append(cfg.PostFixup, func(g *jitlink.LinkGraph) error {
				return addFinalizeActions(e, g, tls)
			})
			return nil
		},
	}
}

// lookup resolves names in e's process, __dso_handle through dso if set.
func lookup(ctx context.Context, e epc.ExecutorProcessControl, dso func(context.Context) (shared.ExecutorAddr, error), names []string) ([]shared.ExecutorAddr, error) {
	if dso == nil {
		return e.LookupSymbols(ctx, 0, names)
	}
	proc := make([]string, 0, len(names))
	for _, n := range names {
		if n != "__dso_handle" {
			proc = append(proc, n)
		}
	}
	found, err := e.LookupSymbols(ctx, 0, proc)
	if err != nil {
		return nil, err
	}
	if len(found) != len(proc) {
		return nil, fmt.Errorf("epclink: the executor returned %d addresses for %d names", len(found), len(proc))
	}
	addrs := make([]shared.ExecutorAddr, 0, len(names))
	for _, n := range names {
		if n == "__dso_handle" {
			a, err := dso(ctx)
			if err != nil {
				return nil, err
			}
			addrs = append(addrs, a)
			continue
		}
		addrs, found = append(addrs, found[0]), found[1:]
	}
	return addrs, nil
}

// addFinalizeActions registers g's EH frames with the executor and, when
// g has a TLS initialization image, copies it into the block tls.
func addFinalizeActions(e epc.ExecutorProcessControl, g *jitlink.LinkGraph, tls *epc.TLSBlock) error {
	if r := g.EHFrameRange(); r.Size() > 0 {
		a, err := epc.EHFrameActions(e, r)
		if err != nil {
			return err
		}
		g.AllocActions = append(g.AllocActions, a)
	}
	if g.TLS != nil && g.TLS.InitSize > 0 {
		if tls == nil {
			return fmt.Errorf("epclink: graph %s has a TLS image but no TLS block was allocated", g.Name)
		}
		a, err := epc.TLSImageAction(e, *tls, 0, g.TLS.InitAddr, g.TLS.InitSize)
		if err != nil {
			return err
		}
		g.AllocActions = append(g.AllocActions, a)
	}
	return nil
}
