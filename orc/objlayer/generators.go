package objlayer

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"gorc/jitlink/archive"
	"gorc/jitlink/elf"
	"gorc/orc"
	"gorc/orc/epc"
	"gorc/orc/shared"
)

// ArchiveGenerator is a definition generator for a static archive: when a
// lookup reaches its dylib with names nothing defines, it adds (through
// the layer, so through the session) exactly the members that define them.
// Those members' own undefined references go through the same lookup
// process, so the archive is searched repeatedly until nothing new is
// needed, as a static linker does.
type ArchiveGenerator struct {
	l  *Layer
	rt *orc.ResourceTracker
	a  *archive.Archive

	mu     sync.Mutex
	loaded map[int]bool
	index  map[string]int // built from the members when the archive has no index
}

// NewArchiveGenerator parses an archive (name is its path, for messages)
// whose members will be linked by l; rt (may be nil) is the tracker the
// members are added under.
func NewArchiveGenerator(l *Layer, rt *orc.ResourceTracker, name string, data []byte) (*ArchiveGenerator, error) {
	a, err := archive.Parse(name, data)
	if err != nil {
		return nil, err
	}
	return &ArchiveGenerator{l: l, rt: rt, a: a, loaded: map[int]bool{}}, nil
}

// Archive returns the parsed archive.
func (g *ArchiveGenerator) Archive() *archive.Archive { return g.a }

func (g *ArchiveGenerator) symbolIndex() (map[string]int, error) {
	if g.a.HasIndex {
		return g.a.Symbols, nil
	}
	if g.index == nil {
		g.index = map[string]int{}
		for i, m := range g.a.Members {
			if !elf.IsELFObject(m.Data) {
				continue
			}
			names, err := elf.DefinedSymbols(g.memberName(i), m.Data)
			if err != nil {
				return nil, err
			}
			for _, n := range names {
				if _, ok := g.index[n]; !ok {
					g.index[n] = i
				}
			}
		}
	}
	return g.index, nil
}

func (g *ArchiveGenerator) memberName(i int) string {
	return fmt.Sprintf("%s(%s)", filepath.Base(g.a.Name), g.a.Members[i].Name)
}

// TryToGenerate adds the members defining any of the names in set.
func (g *ArchiveGenerator) TryToGenerate(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	idx, err := g.symbolIndex()
	if err != nil {
		return err
	}
	var members []int
	for _, ent := range set {
		i, ok := idx[ent.Name.String()]
		if !ok || g.loaded[i] {
			continue
		}
		g.loaded[i] = true
		members = append(members, i)
	}
	for _, i := range members {
		m := g.a.Members[i]
		if !elf.IsELFObject(m.Data) {
			return fmt.Errorf("objlayer: archive %s: member %s (offset %#x) is not an ELF relocatable object", g.a.Name, m.Name, m.Offset)
		}
		pg, err := elf.Parse(g.memberName(i), m.Data)
		if err != nil {
			return err
		}
		u := g.l.newUnit(pg)
		if err := jd.Define(u, g.rt); err != nil {
			return fmt.Errorf("objlayer: %s: %w", pg.Name, err)
		}
	}
	return nil
}

// ProcessSymbolsGenerator defines, as absolute symbols, the names the
// executor process can resolve: its runtime helpers (atexit, __dso_handle
// and the other libc_nonshared.a / crt symbols) and everything dlsym finds
// in the process and the libraries it loaded (RTLD_GLOBAL). Names it
// cannot find are left undefined, so weak references resolve to zero and
// required ones are reported as undefined.
type ProcessSymbolsGenerator struct {
	e epc.ExecutorProcessControl
	// DSOHandle, if set, provides __dso_handle (JIT'd code references it
	// PC-relative, so it must lie in the slab: memmgr.Slab.DSOHandle).
	DSOHandle func(ctx context.Context) (shared.ExecutorAddr, error)
}

// NewProcessSymbolsGenerator returns a generator over e's process.
func NewProcessSymbolsGenerator(e epc.ExecutorProcessControl) *ProcessSymbolsGenerator {
	return &ProcessSymbolsGenerator{e: e}
}

// TryToGenerate looks the names up in the executor process.
func (p *ProcessSymbolsGenerator) TryToGenerate(ctx context.Context, kind orc.LookupKind, jd *orc.JITDylib, flags orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
	names := make([]string, 0, len(set))
	for _, ent := range set {
		names = append(names, ent.Name.String())
	}
	addrs, err := p.e.LookupSymbols(ctx, 0, names)
	if err != nil {
		return fmt.Errorf("objlayer: process symbols: %w", err)
	}
	if len(addrs) != len(names) {
		return fmt.Errorf("objlayer: process symbols: executor returned %d addresses for %d names", len(addrs), len(names))
	}
	defs := orc.SymbolMap{}
	for i, ent := range set {
		a := addrs[i]
		if names[i] == "__dso_handle" && p.DSOHandle != nil {
			if a, err = p.DSOHandle(ctx); err != nil {
				return fmt.Errorf("objlayer: __dso_handle: %w", err)
			}
		}
		if a != 0 {
			defs[ent.Name] = orc.ExecutorSymbolDef{Addr: a, Flags: orc.Exported}
		}
	}
	if len(defs) == 0 {
		return nil
	}
	return jd.Define(orc.AbsoluteSymbols(defs), nil)
}
