package objlayer

import (
	"fmt"
	"sort"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// PerfMapPlugin lets perf name JIT'd functions: when a graph is
// finalized, the executor appends a "START SIZE NAME" line for each of
// its named functions to /tmp/perf-PID.map (PID: the process running the
// code), the file perf reads for samples in anonymous executable memory,
// and a JIT_CODE_LOAD record with a copy of the code to its jitdump file
// ($JITDUMPDIR/.debug/jit/gorc-jit-*/jit-PID.dump, for perf inject --jit,
// which also names code in shared memory). This is what -perf-support
// switches on, as in llvm-jitlink.
//
// Both only grow: perf has no way to forget an entry, so code freed and
// replaced at the same address is named by both entries.
type PerfMapPlugin struct {
	e epc.ExecutorProcessControl
}

// NewPerfMapPlugin returns the plugin for links whose code runs in e; it
// fails when the executor has no perf map service.
func NewPerfMapPlugin(e epc.ExecutorProcessControl) (*PerfMapPlugin, error) {
	if !epc.HasService(e, epc.PerfMapName) {
		return nil, fmt.Errorf("objlayer: perf support: the executor (%s) has no service %s", e.TargetTriple(), epc.PerfMapName)
	}
	return &PerfMapPlugin{e: e}, nil
}

// ModifyPassConfig implements Plugin: a post-fixup pass adds the
// finalize action that writes the graph's functions to the map.
func (p *PerfMapPlugin) ModifyPassConfig(_ *orc.MaterializationResponsibility, g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	cfg.PostFixup = append(cfg.PostFixup, func(g *jitlink.LinkGraph) error {
		entries := PerfMapEntries(g)
		if len(entries) == 0 {
			return nil
		}
		call, err := epc.PerfMapCall(p.e, entries)
		if err != nil {
			return fmt.Errorf("perf map: %w", err)
		}
		g.AllocActions = append(g.AllocActions, shared.AllocActionPair{Finalize: call})
		return nil
	})
	return nil
}

// NotifyEmitted implements Plugin.
func (p *PerfMapPlugin) NotifyEmitted(*orc.MaterializationResponsibility, *jitlink.LinkGraph) error {
	return nil
}

// PerfMapEntries returns the named symbols in g's placed executable
// blocks, by address. A symbol without a size (assembly labels) extends
// to the next symbol or to the end of its block.
func PerfMapEntries(g *jitlink.LinkGraph) []epc.PerfMapEntry {
	type sym struct {
		b    *jitlink.Block
		addr shared.ExecutorAddr
		size uint64
		name string
	}
	var syms []sym
	for _, s := range g.Symbols {
		if s.Name == "" || s.Kind != jitlink.SymDefined || s.Block == nil || s.TLS {
			continue
		}
		b := s.Block
		if b.Section.Prot&shared.ProtExec == 0 || b.Addr == 0 || b.Size == 0 || s.Offset >= b.Size {
			continue
		}
		syms = append(syms, sym{b: b, addr: s.Address(), size: s.Size, name: s.Name})
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	out := make([]epc.PerfMapEntry, 0, len(syms))
	for i, s := range syms {
		size := s.size
		end := s.b.Addr.Add(s.b.Size)
		if size == 0 {
			size = uint64(end - s.addr)
			for _, n := range syms[i+1:] {
				if n.addr >= end {
					break
				}
				if n.addr > s.addr {
					size = uint64(n.addr - s.addr)
					break
				}
			}
		}
		if s.addr.Add(size) > end {
			size = uint64(end - s.addr)
		}
		out = append(out, epc.PerfMapEntry{Start: s.addr, Size: size, Name: s.name})
	}
	return out
}
