package amd64_test

import (
	"context"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// FuzzLink builds a graph from arbitrary bytes — code content and edges of
// any kind at any offset to defined, external, absolute and TLS targets —
// and links it: passes and fixups must report errors, never panic.
func FuzzLink(f *testing.F) {
	f.Add([]byte{0x48, 0x8b, 0x05, 0, 0, 0, 0, 0xc3}, []byte{byte(amd64.RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable - jitlink.FirstArchKind), 3, 1, 0xfc})
	f.Add([]byte{0x66, 0x48, 0x8d, 0x3d, 0, 0, 0, 0, 0x66, 0x66, 0x48, 0xe8, 0, 0, 0, 0}, []byte{byte(amd64.RequestTLSGD - jitlink.FirstArchKind), 4, 3, 0xfc, byte(amd64.BranchPCRel32 - jitlink.FirstArchKind), 12, 1, 0xfc})
	f.Add([]byte{0x8b, 0x05, 0, 0, 0, 0, 0x83, 0x3d, 0, 0, 0, 0, 5}, []byte{byte(amd64.Delta32 - jitlink.FirstArchKind), 2, 1, 0xfc, byte(amd64.Delta32 - jitlink.FirstArchKind), 8, 1, 0xfb})
	f.Fuzz(func(t *testing.T, code, edges []byte) {
		if len(code) > 4096 || len(edges) > 4096 {
			return
		}
		g := jitlink.NewLinkGraph("fuzz", amd64.Arch)
		text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
		tdata := g.AddSection(".tdata", shared.ProtRead|shared.ProtWrite, jitlink.SectionTLS)
		b := g.AddContentBlock(text, append([]byte(nil), code...), 16, 0)
		tb := g.AddContentBlock(tdata, make([]byte, 16), 8, 0)
		fn := g.AddDefinedSymbol(b, 0, "f", uint64(len(code)), jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
		targets := []*jitlink.Symbol{
			fn,
			g.AddExternalSymbol("far", false),
			g.AddExternalSymbol("weak", true),
			g.AddAbsoluteSymbol("abs", 0x1234, jitlink.LinkageStrong, jitlink.ScopeLocal, false),
			g.AddDefinedSymbol(tb, 4, "tv", 4, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true),
			g.AddExternalSymbol("_GLOBAL_OFFSET_TABLE_", false),
		}
		ext := g.AddExternalSymbol("etv", false)
		ext.TLS = true
		targets = append(targets, ext)
		for i := 0; i+4 <= len(edges); i += 4 {
			kind := jitlink.FirstArchKind + jitlink.EdgeKind(edges[i]%30)
			off := uint64(edges[i+1])
			tgt := targets[int(edges[i+2])%len(targets)]
			add := int64(int8(edges[i+3]))
			b.AddEdge(kind, off, tgt, add)
		}
		mm := jitlinktest.NewMemoryManager(0x7000_0000_0000)
		tls := jitlink.TLSLayout{Static: len(edges)%2 == 0, TPOffset: -64, Module: 1, GetAddr: 0x7000_1000_0000}
		lc := &jitlinktest.Context{MM: mm, TLS: &tls,
			Symbols: map[string]shared.ExecutorAddr{"far": 0x7fff_0000_0000, "etv": 0x7000_2000_0000},
			ExtTLS:  map[string]jitlink.TLSRef{"etv": {Layout: tls, Offset: 8}}}
		if len(code)%3 != 0 {
			_ = jitlink.Link(context.Background(), g, lc)
			return
		}
		// Every third input: externals given early (one in reach) and a
		// promised range, so stubs may be left out.
		lc.Symbols["far"] = 0x7000_4000_0000
		pm := &promisingMM{MemoryManager: mm, r: shared.ExecutorAddrRange{Start: 0x7000_0000_0000, End: 0x7000_4000_0000}, ok: true}
		lc.MM = pm
		_ = jitlink.Link(context.Background(), g, &earlyContext{Context: *lc})
	})
}
