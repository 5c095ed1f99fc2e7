package elf_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

// describe renders what a parse put in g: sections, blocks (offset, size,
// alignment, edges with their targets) and symbols, in graph order.
func describe(g *jitlink.LinkGraph) string {
	var b strings.Builder
	name := func(s *jitlink.Symbol) string {
		if s == nil {
			return "<nil>"
		}
		if s.Name != "" {
			return s.Name
		}
		if s.Block != nil {
			return fmt.Sprintf("%s+%#x+%#x", s.Block.Section.Name, s.Block.Ordinal, s.Offset)
		}
		return fmt.Sprintf("anon%d", s.Kind)
	}
	for _, sec := range g.Sections {
		fmt.Fprintf(&b, "section %s %v %#x %d\n", sec.Name, sec.Prot, sec.Flags, len(sec.Blocks))
		for _, bl := range sec.Blocks {
			fmt.Fprintf(&b, "  block %#x size %#x align %#x/%#x content %d\n", bl.Ordinal, bl.Size, bl.Align, bl.AlignOfs, len(bl.Content))
			for _, e := range bl.Edges {
				fmt.Fprintf(&b, "    edge %v %#x %s %+d\n", e.Kind, e.Offset, name(e.Target), e.Addend)
			}
		}
	}
	for _, s := range g.Symbols {
		fmt.Fprintf(&b, "symbol %s %#x %#x %v %v live=%v\n", name(s), s.Offset, s.Size, s.Linkage, s.Scope, s.Live)
	}
	fmt.Fprintf(&b, "externals %d absolutes %d comdats %d sources %d\n", len(g.Externals), len(g.Absolutes), len(g.Comdats), len(g.Sources))
	return b.String()
}

// TestParseScratchReuse: the reader's scratch memory (section headers,
// symbol index, section names, one-block lists) is reused from parse to
// parse. Parsing every member of Debian's archives on four goroutines at
// once gives the same graphs as parsing each alone, and a graph does not
// change when other objects are parsed after it (nothing of a graph
// aliases the scratch memory).
func TestParseScratchReuse(t *testing.T) {
	for _, path := range debianArchives {
		a := loadArchive(t, path)
		type member struct {
			name string
			data []byte
		}
		var ms []member
		for _, m := range a.Members {
			if jelf.IsELFObject(m.Data) {
				ms = append(ms, member{path + "(" + m.Name + ")", m.Data})
			}
		}
		graphs := make([]*jitlink.LinkGraph, len(ms))
		first := make([]string, len(ms))
		var wg sync.WaitGroup
		errs := make(chan error, len(ms))
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < len(ms); i += 4 {
					g, err := jelf.Parse(ms[i].name, ms[i].data)
					if err != nil {
						errs <- err
						continue
					}
					graphs[i], first[i] = g, describe(g)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i := len(ms) - 1; i >= 0; i-- {
			g, err := jelf.Parse(ms[i].name, ms[i].data)
			if err != nil {
				t.Fatal(err)
			}
			if d := describe(g); d != first[i] {
				t.Errorf("%s: a parse after others differs from the first:\n%s\nwant\n%s", ms[i].name, d, first[i])
			}
		}
		for i := range ms {
			if d := describe(graphs[i]); d != first[i] {
				t.Errorf("%s: the graph changed when other objects were parsed:\n%s\nwas\n%s", ms[i].name, d, first[i])
			}
		}
	}
}
