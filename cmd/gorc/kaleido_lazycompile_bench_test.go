package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/kaleidoscope"
)

// lazyCompileDefs parses SyntheticProgram(n) with lazy bodies, as gorc
// kaleido -lazy does, and returns a lazyDefs knowing every definition
// (without a session: only what compile needs) and the definitions in
// program order.
func lazyCompileDefs(tb testing.TB, n, level int) (*lazyDefs, []*kaleidoscope.FunctionDef) {
	return lazyCompileSource(tb, "bench.k", kaleidoscope.SyntheticProgram(n), level)
}

// lazyCompileSource is lazyCompileDefs for the program src in file (its
// externs declared, its top-level expressions left out).
func lazyCompileSource(tb testing.TB, file string, src []byte, level int) (*lazyDefs, []*kaleidoscope.FunctionDef) {
	tb.Helper()
	tg, err := batchTarget()
	if err != nil {
		tb.Fatal(err)
	}
	pm := passes.ForLevel(level)
	l := &lazyDefs{j: &jit.JIT{Target: tg}, level: level, pm: pm, modName: file, defs: map[string]*lazyDef{},
		ssa: len(pm.Passes) > 0 && pm.Passes[0].Name == "mem2reg"}
	p := kaleidoscope.NewParser(file, src)
	p.SetLazyBodies(true)
	var defs []*kaleidoscope.FunctionDef
	for {
		item, d := p.Next()
		if d != nil {
			tb.Fatal(d)
		}
		if item == nil {
			break
		}
		switch it := item.(type) {
		case *kaleidoscope.Extern:
			l.declare(it.Proto)
			if it.Proto.Kind == kaleidoscope.ProtoBinary {
				p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
			}
		case *kaleidoscope.FunctionDef:
			if it.TopLevel {
				continue
			}
			if it.Proto.Kind == kaleidoscope.ProtoBinary {
				p.SetPrecedence(it.Proto.OperatorChar(), it.Proto.Precedence)
			}
			l.defs[it.Proto.Name] = &lazyDef{proto: it.Proto, version: 1, def: it, file: file}
			defs = append(defs, it)
		}
	}
	return l, defs
}

// BenchmarkLazyCompileKaleido measures the compile half of a lazy first
// call in gorc kaleido -lazy: one small definition (a function of the
// synthetic program, its body skipped by the parser) parsed, generated
// to IR, optimized at -O2 and compiled to the link graph handed to the
// linker — lazyDefs.compile, one function per op, each function once.
func BenchmarkLazyCompileKaleido(b *testing.B) {
	l, defs := lazyCompileDefs(b, b.N+4, 2)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		def := defs[4+i]
		if _, err := l.compile(ctx, "bench.k", def, def.Proto.Name+"$1"); err != nil {
			b.Fatal(err)
		}
	}
}

// graphText is a canonical text of a link graph: its sections, blocks
// (contents, alignment, edges) and symbols, for comparing the graphs of
// two compiles.
func graphText(g *jitlink.LinkGraph) string {
	var sb strings.Builder
	ids := map[*jitlink.Block]int{}
	symName := func(s *jitlink.Symbol) string {
		if s == nil {
			return "<nil>"
		}
		if s.Name != "" {
			return s.Name
		}
		return fmt.Sprintf("<anon b%d+%d>", ids[s.Block], s.Offset)
	}
	for _, sec := range g.Sections {
		for _, b := range sec.Blocks {
			ids[b] = len(ids)
		}
	}
	for _, sec := range g.Sections {
		fmt.Fprintf(&sb, "section %s prot %v flags %#x prio %d\n", sec.Name, sec.Prot, sec.Flags, sec.Priority)
		for _, b := range sec.Blocks {
			fmt.Fprintf(&sb, "  block b%d size %d align %d/%d ord %d: %x\n", ids[b], b.Size, b.Align, b.AlignOfs, b.Ordinal, b.Content)
			for _, e := range b.Edges {
				fmt.Fprintf(&sb, "    edge %s @%d -> %s %+d\n", g.EdgeKindName(e.Kind), e.Offset, symName(e.Target), e.Addend)
			}
		}
	}
	for _, s := range g.Symbols {
		fmt.Fprintf(&sb, "symbol %q b%d+%d size %d linkage %v scope %v callable %v live %v\n", s.Name, ids[s.Block], s.Offset, s.Size, s.Linkage, s.Scope, s.Callable, s.Live)
	}
	ext := make([]string, 0, len(g.Externals))
	for n, s := range g.Externals {
		ext = append(ext, fmt.Sprintf("external %q weak %v\n", n, s.Linkage == jitlink.LinkageWeak))
	}
	sort.Strings(ext)
	sb.WriteString(strings.Join(ext, ""))
	return sb.String()
}

// TestLazyCompileGolden writes the graphs lazyDefs.compile makes for the
// synthetic program and the corpus to $GORC_LAZYCOMP_GOLDEN (a check of
// a change against the code before it; skipped without it).
func TestLazyCompileGolden(t *testing.T) {
	out := os.Getenv("GORC_LAZYCOMP_GOLDEN")
	if out == "" {
		t.Skip("GORC_LAZYCOMP_GOLDEN not set")
	}
	var sb strings.Builder
	files, _ := filepath.Glob("../../kaleidoscope/testdata/*.k")
	for _, level := range []int{0, 1, 2} {
		l, defs := lazyCompileDefs(t, 60, level)
		progs := []struct {
			l    *lazyDefs
			file string
			defs []*kaleidoscope.FunctionDef
		}{{l, "bench.k", defs}}
		for _, f := range files {
			if filepath.Base(f) == "errors.k" {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			l, defs := lazyCompileSource(t, f, src, level)
			progs = append(progs, struct {
				l    *lazyDefs
				file string
				defs []*kaleidoscope.FunctionDef
			}{l, f, defs})
		}
		for _, p := range progs {
			for _, def := range p.defs {
				g, err := p.l.compile(context.Background(), p.file, def, def.Proto.Name+"$1")
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&sb, "== O%d %s %s\n%s", level, filepath.Base(p.file), def.Proto.Name, graphText(g))
			}
		}
	}
	if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLazyCompileConcurrent: first calls compile at once (each with a
// compiler of its own from the idle list, sharing the pass manager and
// the pools below), and each function's graph is the one a compile on
// its own gives. Run with -race.
func TestLazyCompileConcurrent(t *testing.T) {
	l, defs := lazyCompileDefs(t, 120, 2)
	ctx := context.Background()
	want := make([]string, len(defs))
	for i, def := range defs {
		def.ParseBody()
		g, err := l.compile(ctx, "bench.k", def, def.Proto.Name+"$1")
		if err != nil {
			t.Fatal(err)
		}
		want[i] = graphText(g)
	}
	got := make([]string, len(defs))
	errs := make([]error, len(defs))
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(defs); i += 8 {
				def := defs[i]
				g, err := l.compile(ctx, "bench.k", def, def.Proto.Name+"$1")
				if err != nil {
					errs[i] = err
					continue
				}
				got[i] = graphText(g)
			}
		}(w)
	}
	wg.Wait()
	for i := range defs {
		if errs[i] != nil {
			t.Fatalf("%s: %v", defs[i].Proto.Name, errs[i])
		}
		if got[i] != want[i] {
			t.Fatalf("%s compiled concurrently differs from compiled alone", defs[i].Proto.Name)
		}
	}
	if n := len(l.idle); n < 1 || n > 8 {
		t.Errorf("%d idle compilers after 8 concurrent compilers, want 1 to 8", n)
	}
}
