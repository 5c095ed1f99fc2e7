package worker

import (
	"fmt"
	"strings"

	"github.com/gorc-jit/gorc/ir"
)

// Part is a set of a module's defined functions compiled together.
type Part struct {
	Funcs []*ir.Function
	// OwnsGlobals says this part defines the module's global variables
	// (exactly one part does; the others reference them).
	OwnsGlobals bool
}

// Split cuts m's defined functions into at most k parts of about equal
// size (in IR instructions), each a run of consecutive functions (so a
// part keeps callers near their callees, as written). The first part
// defines the global variables. A module with no functions gives one part
// (for its globals).
func Split(m *ir.Module, k int) []Part {
	var defs []*ir.Function
	total := 0
	for _, f := range m.Funcs {
		if !f.IsDeclaration() {
			defs = append(defs, f)
			total += f.NumInstrs() + 1
		}
	}
	if k < 1 {
		k = 1
	}
	if k > len(defs) {
		k = max(len(defs), 1)
	}
	parts := make([]Part, 0, k)
	cur := Part{OwnsGlobals: true}
	size, done := 0, 0
	for i, f := range defs {
		cur.Funcs = append(cur.Funcs, f)
		size += f.NumInstrs() + 1
		left := len(defs) - i - 1
		want := k - len(parts) - 1 // parts still to make after this one
		// Close this part once it has its share of what is left, keeping
		// at least one function for each part still to make.
		if want > 0 && left >= want && (done+size)*k >= total*(len(parts)+1) {
			parts = append(parts, cur)
			done += size
			cur, size = Part{}, 0
		}
	}
	if len(cur.Funcs) > 0 || len(parts) == 0 {
		parts = append(parts, cur)
	}
	return parts
}

// Request returns the compile request of one part of m: IR text holding
// the part's functions, declarations of the functions they call that
// other parts define (or that m only declares), and m's globals —
// defined if the part owns them, declared external otherwise.
func (pt Part) Request(m *ir.Module, name, triple string, optLevel int) *Request {
	var sb strings.Builder
	hm := &ir.Module{Name: m.Name, SourceFilename: m.SourceFilename, DataLayout: m.DataLayout, TargetTriple: m.TargetTriple}
	if pt.OwnsGlobals {
		hm.Globals = m.Globals
	} else {
		hm.Globals = make([]*ir.Global, len(m.Globals))
		for i, g := range m.Globals {
			d := *g
			d.Init, d.Linkage = nil, ir.External
			hm.Globals[i] = &d
		}
	}
	sb.WriteString(hm.String())
	mine := make(map[*ir.Function]bool, len(pt.Funcs))
	for _, f := range pt.Funcs {
		mine[f] = true
	}
	declared := map[*ir.Function]bool{}
	declare := func(f *ir.Function) {
		if mine[f] || declared[f] {
			return
		}
		declared[f] = true
		d := &ir.Function{Name: f.Name, Sig: f.Sig, Params: f.Params, Attrs: f.Attrs}
		if f.IsDeclaration() {
			d.Linkage = f.Linkage
		}
		sb.WriteByte('\n')
		sb.WriteString(d.String())
	}
	for _, f := range pt.Funcs {
		for _, b := range f.Blocks {
			for _, in := range b.Instrs {
				for _, op := range in.Ops {
					if callee, ok := op.(*ir.Function); ok {
						declare(callee)
					}
				}
			}
		}
	}
	only := make([]string, len(pt.Funcs))
	for i, f := range pt.Funcs {
		sb.WriteByte('\n')
		sb.WriteString(f.String())
		only[i] = f.Name
	}
	return &Request{Name: name, Triple: triple, OptLevel: optLevel, Only: only, OmitGlobals: !pt.OwnsGlobals, IR: []byte(sb.String())}
}

// RenameInternal gives m's defined internal and private functions and
// globals names unique to this module (NAME.SUFFIX, or NAME.SUFFIX.N if
// that is taken), for compiling m in parts: a part's internal symbols
// become hidden globals so that the other parts reach them by name, and
// two modules of one session must not then clash.
func RenameInternal(m *ir.Module, suffix string) {
	taken := map[string]bool{}
	for _, f := range m.Funcs {
		taken[f.Name] = true
	}
	for _, g := range m.Globals {
		taken[g.Name] = true
	}
	unique := func(n string) string {
		for i := 0; ; i++ {
			c := n + "." + suffix
			if i > 0 {
				c = fmt.Sprintf("%s.%s.%d", n, suffix, i)
			}
			if !taken[c] {
				taken[c] = true
				return c
			}
		}
	}
	for _, f := range m.Funcs {
		if !f.IsDeclaration() && (f.Linkage == ir.Internal || f.Linkage == ir.Private) {
			f.Name = unique(f.Name)
		}
	}
	for _, g := range m.Globals {
		if g.Init != nil && (g.Linkage == ir.Internal || g.Linkage == ir.Private) {
			g.Name = unique(g.Name)
		}
	}
}
