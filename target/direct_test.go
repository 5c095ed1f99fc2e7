package target_test

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	backend "github.com/gorc-jit/gorc/backend/amd64"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/objfile/elfw"
	"github.com/gorc-jit/gorc/target"
)

// dumpGraph describes a graph completely enough that two graphs with the
// same dump link the same: sections, blocks (content, alignment, order),
// symbols (by block and offset), edges (kind, offset, addend, target),
// externals and absolutes.
func dumpGraph(g *jitlink.LinkGraph) string {
	var sb strings.Builder
	blockID := map[*jitlink.Block]string{}
	for si, s := range g.Sections {
		fmt.Fprintf(&sb, "section %d %q prot=%v flags=%#x prio=%d ordinal=%d comdat=%v blocks=%d\n", si, s.Name, s.Prot, s.Flags, s.Priority, s.Ordinal, s.Comdat != nil, len(s.Blocks))
		for bi, b := range s.Blocks {
			blockID[b] = fmt.Sprintf("%d.%d", si, bi)
			fmt.Fprintf(&sb, "  block %d.%d size=%d align=%d/%d ordinal=%d flags=%d zero=%v content=%x\n", si, bi, b.Size, b.Align, b.AlignOfs, b.Ordinal, b.Flags, b.IsZeroFill(), b.Content)
		}
	}
	sym := func(s *jitlink.Symbol) string {
		if s == nil {
			return "<nil>"
		}
		switch s.Kind {
		case jitlink.SymDefined:
			return fmt.Sprintf("def(%q @%s+%d size=%d %v %v callable=%v live=%v tls=%v)", s.Name, blockID[s.Block], s.Offset, s.Size, s.Linkage, s.Scope, s.Callable, s.Live, s.TLS)
		case jitlink.SymExternal:
			return fmt.Sprintf("ext(%q weak=%v tls=%v)", s.Name, s.WeakRef, s.TLS)
		}
		return fmt.Sprintf("abs(%q %#x %v %v)", s.Name, s.Addr, s.Linkage, s.Scope)
	}
	for i, s := range g.Symbols {
		fmt.Fprintf(&sb, "symbol %d %s\n", i, sym(s))
	}
	var ext []string
	for n, s := range g.Externals {
		ext = append(ext, n+" "+sym(s))
	}
	sort.Strings(ext)
	for _, e := range ext {
		fmt.Fprintf(&sb, "external %s\n", e)
	}
	for _, s := range g.Absolutes {
		fmt.Fprintf(&sb, "absolute %s\n", sym(s))
	}
	for si, s := range g.Sections {
		for bi, b := range s.Blocks {
			for _, e := range b.Edges {
				fmt.Fprintf(&sb, "edge %d.%d+%d %s %s%+d\n", si, bi, e.Offset, g.EdgeKindName(e.Kind), sym(e.Target), e.Addend)
			}
		}
	}
	fmt.Fprintf(&sb, "low2GiB=%v comdats=%d sources=%d\n", g.Low2GiB, len(g.Comdats), len(g.Sources))
	return sb.String()
}

// compareDirect builds the graph of the compiled object both ways — from
// the writer and from the written bytes — and fails if they differ.
func compareDirect(t *testing.T, name string, w *elfw.Writer) {
	t.Helper()
	direct, err := jelf.FromWriter(name, w)
	if err != nil {
		t.Fatalf("%s: FromWriter: %v", name, err)
	}
	data, err := w.Bytes()
	if err != nil {
		t.Fatalf("%s: Bytes: %v", name, err)
	}
	parsed, err := jelf.Parse(name, data)
	if err != nil {
		t.Fatalf("%s: Parse: %v", name, err)
	}
	if d, p := dumpGraph(direct), dumpGraph(parsed); d != p {
		t.Fatalf("%s: the direct graph differs from the parsed one:\n%s", name, firstDiff(d, p))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n direct: %s\n parsed: %s", i+1, x, y)
		}
	}
	return "(no difference)"
}

// compileWays compiles m as the JIT does: whole (eager), one function per
// object (lazy partitions, with the globals omitted) and the globals
// alone (the lazy data object). It returns the writers by name.
func compileWays(t *testing.T, name string, parse func() *ir.Module) map[string]*elfw.Writer {
	t.Helper()
	out := map[string]*elfw.Writer{}
	compile := func(what string, m *ir.Module, opts target.Options) {
		opts.SourceName = name
		w, err := compileWriter(m, opts)
		if err != nil {
			t.Fatalf("%s (%s): compile: %v", name, what, err)
		}
		out[what] = w
	}
	m := parse()
	if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
		t.Fatalf("%s: optimize: %v", name, err)
	}
	compile("whole", m, target.Options{})
	compile("globals", m, target.Options{Only: []*ir.Function{}})
	for i, f := range m.Funcs {
		if f.IsDeclaration() || i >= 40 {
			continue
		}
		compile("@"+f.Name, m, target.Options{Only: []*ir.Function{f}, OmitGlobals: true})
	}
	return out
}

func kaleidoModule(t *testing.T, path string) func() *ir.Module {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return func() *ir.Module {
		m, diags, err := kaleidoscope.Compile(context.Background(), filepath.Base(path), []string{path}, [][]byte{src})
		if err != nil || m == nil {
			t.Fatalf("%s: %v %v", path, err, diags)
		}
		return m
	}
}

// TestFromWriterMatchesParse is the differential test of the direct
// hand-off: on the Kaleidoscope and IR corpora, compiled whole, per
// function and globals-only, the graph built from the backend's writer
// equals the graph parsed from the object it writes.
func TestFromWriterMatchesParse(t *testing.T) {
	var inputs []string
	for _, pat := range []string{"../kaleidoscope/testdata/*.k", "../kaleidoscope/testdata/bench/*.k", "../ir/testdata/*.ll", "../ir/passes/testdata/*.ll", "../backend/amd64/testdata/*.ll", "../cmd/gorc/testdata/*.ll"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, m...)
	}
	inputs = append(inputs, "synthetic:300")
	n := 0
	for _, in := range inputs {
		var mod func() *ir.Module
		switch {
		case in == "synthetic:300":
			src := kaleidoscope.SyntheticProgram(300)
			mod = func() *ir.Module {
				m, diags, err := kaleidoscope.Compile(context.Background(), "synthetic.k", []string{"synthetic.k"}, [][]byte{src})
				if err != nil || m == nil {
					t.Fatalf("synthetic: %v %v", err, diags)
				}
				return m
			}
		case strings.HasSuffix(in, ".k"):
			if strings.HasSuffix(in, "errors.k") {
				continue
			}
			mod = kaleidoModule(t, in)
		default:
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if m, err := ir.Parse(in, src); err != nil || ir.Verify(m) != nil {
				continue // not a program of the subset (a pass test's input)
			} else if _, err := compileWriter(m, target.Options{}); err != nil {
				continue
			}
			mod = func() *ir.Module {
				m, err := ir.Parse(in, src)
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
		}
		t.Run(filepath.Base(in), func(t *testing.T) {
			ws := compileWays(t, in, mod)
			for what, w := range ws {
				compareDirect(t, in+" "+what, w)
				n++
			}
		})
	}
	if n < 50 {
		t.Fatalf("compared only %d objects", n)
	}
}

// compileWriter compiles m with the host backend and returns its writer
// (through the backend package: target.Result carries graphs, not
// writers).
func compileWriter(m *ir.Module, opts target.Options) (*elfw.Writer, error) {
	r, err := backend.CompileModule(context.Background(), m, backend.Options{SourceName: opts.SourceName, Only: opts.Only, OmitGlobals: opts.OmitGlobals, NoObject: true})
	if err != nil {
		return nil, err
	}
	return r.Writer, nil
}

// TestGraphNameGivesTheDirectGraph checks that target.Options.GraphName
// returns the graph and no bytes.
func TestGraphNameGivesTheDirectGraph(t *testing.T) {
	tg, err := target.Host()
	if err != nil {
		t.Fatal(err)
	}
	m := kaleidoModule(t, "../kaleidoscope/testdata/fib.k")()
	res, err := tg.Backend.Compile(context.Background(), m, target.Options{GraphName: "fib.o", NoObject: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Object != nil || res.Graph == nil || res.Graph.Name != "fib.o" {
		t.Fatalf("GraphName: Object %d bytes, Graph %v", len(res.Object), res.Graph)
	}
	if res.Graph.FindSymbol("fib") == nil {
		t.Fatalf("graph lacks fib:\n%s", dumpGraph(res.Graph))
	}
}

// FuzzFromWriter mutates a compiled object's writer through its exported
// fields (what a caller can get wrong) and checks that FromWriter never
// panics, and that whenever it accepts the writer, the written object
// parses to the same graph.
func FuzzFromWriter(f *testing.F) {
	f.Add(uint8(0), uint16(0), uint64(0), int64(0))
	f.Add(uint8(1), uint16(3), uint64(1<<20), int64(-4))
	f.Add(uint8(2), uint16(1), uint64(3), int64(7))
	f.Add(uint8(5), uint16(2), uint64(0x70000001), int64(0))
	f.Add(uint8(9), uint16(4), uint64(0), int64(99))
	src, err := os.ReadFile("../kaleidoscope/testdata/mandel.k")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, idx uint16, val uint64, addend int64) {
		m, _, err := kaleidoscope.Compile(context.Background(), "mandel.k", []string{"mandel.k"}, [][]byte{src})
		if err != nil || m == nil {
			t.Skip()
		}
		w, err := compileWriter(m, target.Options{})
		if err != nil {
			t.Fatal(err)
		}
		mutateWriter(w, op, idx, val, addend)
		direct, derr := jelf.FromWriter("fuzz.o", w)
		if derr != nil {
			if strings.Contains(derr.Error(), "runtime error") {
				t.Fatalf("FromWriter: %v", derr)
			}
			return
		}
		data, err := w.Bytes()
		if err != nil {
			t.Fatalf("FromWriter accepted a writer that Bytes refuses: %v", err)
		}
		parsed, err := jelf.Parse("fuzz.o", data)
		if err != nil {
			t.Fatalf("FromWriter accepted an object that Parse refuses: %v", err)
		}
		if d, p := dumpGraph(direct), dumpGraph(parsed); d != p {
			t.Fatalf("graphs differ:\n%s", firstDiff(d, p))
		}
	})
}

// mutateWriter changes one exported field of w's sections, symbols or
// relocations.
func mutateWriter(w *elfw.Writer, op uint8, idx uint16, val uint64, addend int64) {
	secs := w.Sections()
	syms := w.Symbols()
	if len(secs) == 0 {
		return
	}
	s := secs[int(idx)%len(secs)]
	var r *elfw.Reloc
	if len(s.Relocs) > 0 {
		r = &s.Relocs[int(idx)%len(s.Relocs)]
	}
	var sym *elfw.Symbol
	if len(syms) > 0 {
		sym = &syms[int(idx)%len(syms)]
	}
	switch op % 16 {
	case 0:
		s.Align = val
	case 1:
		s.Flags = elf.SectionFlag(val)
	case 2:
		s.Type = elf.SectionType(val)
	case 3:
		s.Name = fmt.Sprintf(".x%d\x00y", val%4)
	case 4:
		if n := uint64(len(s.Data)); n > 0 {
			s.Data = s.Data[:val%n]
		}
	case 5:
		if r != nil {
			r.Offset = val
		}
	case 6:
		if r != nil {
			r.Type = elfw.RelocType(val % 64)
		}
	case 7:
		if r != nil {
			r.Sym = elfw.SymID(int32(val))
		}
	case 8:
		if r != nil {
			r.Addend = addend
		}
	case 9:
		if sym != nil {
			sym.Value = val
		}
	case 10:
		if sym != nil {
			sym.Size = val
		}
	case 11:
		if sym != nil {
			sym.Bind = elfw.Bind(val % 4)
		}
	case 12:
		if sym != nil {
			sym.Type = elfw.SymType(val % 8)
		}
	case 13:
		if sym != nil {
			sym.Section = nil
		}
	case 14:
		if sym != nil {
			sym.Name = fmt.Sprintf("n%d", val%3)
		}
	case 15:
		if s.Type == elf.SHT_NOBITS {
			s.Size = val
		} else if len(s.Data) > 0 {
			s.Data[int(val)%len(s.Data)] ^= byte(addend)
		}
	}
}

// BenchmarkHandOff measures the object → linker hand-off of a compiled
// object: "parse" serializes the writer (Bytes) and reads the object back
// (elf.Parse), as the JIT did before; "direct" builds the graph from the
// writer (elf.FromWriter). "small" is one lazily compiled function (a
// partition of kgen's program), "module" a 500-function program compiled
// whole (the eager path).
// wholeAndOneFunction compiles the n-function synthetic program (at -O2
// when optimize) to an object, and its first function again as a
// module of its own, as a lazy JIT compiles a partition.
func wholeAndOneFunction(tb testing.TB, n int, optimize bool) (whole, small *elfw.Writer) {
	tb.Helper()
	src := kaleidoscope.SyntheticProgram(n)
	m, diags, err := kaleidoscope.Compile(context.Background(), "synthetic.k", []string{"synthetic.k"}, [][]byte{src})
	if err != nil || m == nil {
		tb.Fatal(err, diags)
	}
	if optimize {
		if err := passes.ForLevel(2).Run(context.Background(), m); err != nil {
			tb.Fatal(err)
		}
	}
	var fn *ir.Function
	for _, f := range m.Funcs {
		if !f.IsDeclaration() && f.Name != "main" {
			fn = f
			break
		}
	}
	if whole, err = compileWriter(m, target.Options{}); err != nil {
		tb.Fatal(err)
	}
	pm := ir.NewModule("synthetic.k")
	pm.Funcs = []*ir.Function{fn}
	fn.Module = pm
	if small, err = compileWriter(pm, target.Options{OmitGlobals: true}); err != nil {
		tb.Fatal(err)
	}
	return whole, small
}

func BenchmarkHandOff(b *testing.B) {
	whole, small := wholeAndOneFunction(b, 500, true)
	for _, c := range []struct {
		name string
		w    *elfw.Writer
	}{{"small", small}, {"module", whole}} {
		b.Run(c.name+"/parse", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				data, err := c.w.Bytes()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := jelf.Parse("x.o", data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/direct", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := jelf.FromWriter("x.o", c.w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFromWriterReusesScratch: FromWriter's lists of sections, blocks
// and symbols serve the next object (a lazy JIT builds a graph per first
// call): graphs of a small and a large object built in turn, and
// concurrently, are each the graph built the first time, and a
// one-function object's graph costs fewer allocations than with the
// lists made afresh (25 before, counted on the same object).
func TestFromWriterReusesScratch(t *testing.T) {
	whole, small := wholeAndOneFunction(t, 60, false)
	dump := func(w *elfw.Writer) string {
		g, err := jelf.FromWriter("x.o", w)
		if err != nil {
			t.Error(err)
			return ""
		}
		return dumpGraph(g)
	}
	want := map[*elfw.Writer]string{small: dump(small), whole: dump(whole)}
	done := make(chan bool)
	for k := 0; k < 4; k++ {
		go func() {
			defer func() { done <- true }()
			for i := 0; i < 20; i++ {
				for _, w := range []*elfw.Writer{whole, small, small} {
					if got := dump(w); got != want[w] {
						t.Errorf("graph built again differs:\n%s", firstDiff(got, want[w]))
						return
					}
				}
			}
		}()
	}
	for k := 0; k < 4; k++ {
		<-done
	}
	if raceEnabled {
		return // sync.Pool drops items at random under the race detector
	}
	n := testing.AllocsPerRun(50, func() {
		if _, err := jelf.FromWriter("x.o", small); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%.0f allocations per one-function graph", n)
	if n > 21 {
		t.Errorf("%.0f allocations per one-function graph, want at most 21 (25 with FromWriter's lists made afresh)", n)
	}
}
