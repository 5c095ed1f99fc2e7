package ir

import (
	"io"
	"strconv"
	"strings"
)

// printer writes LLVM IR text. It numbers unnamed values per function the
// way LLVM does (parameters, then blocks and instructions in order).
type printer struct {
	sb    strings.Builder
	nums  map[Value]int
	names map[Value]string // renamed duplicates
	// aggTemp numbers the insertvalue temporaries a struct ret prints.
	aggTemp int
}

func newPrinter() *printer { return &printer{} }

// String returns the module as LLVM IR text.
func (m *Module) String() string {
	p := newPrinter()
	p.module(m)
	return p.sb.String()
}

// WriteTo writes the module as LLVM IR text to w.
func (m *Module) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, m.String())
	return int64(n), err
}

// String returns the function as LLVM IR text.
func (f *Function) String() string {
	p := newPrinter()
	p.function(f)
	return p.sb.String()
}

func (p *printer) module(m *Module) {
	if m.Name != "" {
		p.sb.WriteString("; ModuleID = '" + strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, m.Name) + "'\n")
	}
	if m.SourceFilename != "" {
		p.sb.WriteString("source_filename = " + llvmQuote(m.SourceFilename) + "\n")
	}
	if m.DataLayout != "" {
		p.sb.WriteString("target datalayout = " + llvmQuote(m.DataLayout) + "\n")
	}
	if m.TargetTriple != "" {
		p.sb.WriteString("target triple = " + llvmQuote(m.TargetTriple) + "\n")
	}
	if len(m.Types) > 0 {
		p.sb.WriteByte('\n')
	}
	for _, t := range m.Types {
		p.sb.WriteString(localIdent(t.Name))
		p.sb.WriteString(" = type ")
		p.sb.WriteString(t.Body())
		p.sb.WriteByte('\n')
	}
	if len(m.Globals) > 0 {
		p.sb.WriteByte('\n')
	}
	for _, g := range m.Globals {
		p.global(g)
	}
	for _, a := range m.Aliases {
		p.sb.WriteString(a.Ident() + " = ")
		if l := a.Linkage.String(); l != "" {
			p.sb.WriteString(l + " ")
		}
		t := "ptr" // a function type is not kept: any type reads back
		if a.Type != nil {
			t = a.Type.String()
		}
		p.sb.WriteString("alias " + t + ", ptr " + a.Target.Ident() + "\n")
	}
	for _, i := range m.IFuncs {
		p.sb.WriteString(i.Ident() + " = ")
		if l := i.Linkage.String(); l != "" {
			p.sb.WriteString(l + " ")
		}
		p.sb.WriteString("ifunc " + i.Func.Sig.String() + ", ptr " + i.Resolver.Ident() + "\n")
	}
	for _, f := range m.Funcs {
		p.sb.WriteByte('\n')
		p.function(f)
	}
}

// llvmQuote spells s as an LLVM string literal: printable ASCII as is,
// other bytes, '"' and '\\' as \XX escapes.
func llvmQuote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			sb.WriteByte(c)
		} else {
			sb.WriteString("\\")
			sb.WriteByte("0123456789ABCDEF"[c>>4])
			sb.WriteByte("0123456789ABCDEF"[c&15])
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func (p *printer) global(g *Global) {
	p.sb.WriteString(g.Ident())
	p.sb.WriteString(" = ")
	if g.Init == nil {
		p.sb.WriteString("external ")
	} else if l := g.Linkage.String(); l != "" {
		p.sb.WriteString(l)
		p.sb.WriteByte(' ')
	}
	if g.ThreadLocal {
		p.sb.WriteString("thread_local ")
	}
	if g.UnnamedAddr {
		p.sb.WriteString("unnamed_addr ")
	}
	if g.Constant {
		p.sb.WriteString("constant ")
	} else {
		p.sb.WriteString("global ")
	}
	p.sb.WriteString(g.ValueType.String())
	if g.Init != nil {
		p.sb.WriteByte(' ')
		p.sb.WriteString(p.ident(g.Init))
	}
	if g.Section != "" {
		p.sb.WriteString(", section ")
		p.sb.WriteString(llvmQuote(g.Section))
	}
	if g.Align > 0 {
		p.sb.WriteString(", align ")
		p.sb.WriteString(strconv.FormatInt(g.Align, 10))
	}
	p.sb.WriteByte('\n')
}

func (p *printer) number(f *Function) {
	p.nums = make(map[Value]int)
	p.uniquify(f)
	n := 0
	for _, a := range f.Params {
		if a.Name == "" {
			p.nums[a] = n
			n++
		}
	}
	for _, b := range f.Blocks {
		if b.Name == "" {
			p.nums[b] = n
			n++
		}
		for _, in := range b.Instrs {
			if in.Name == "" && in.HasResult() {
				p.nums[in] = n
				n++
			}
		}
	}
}

func (p *printer) ident(v Value) string {
	if v == nil {
		return "<nil>"
	}
	if n, ok := p.nums[v]; ok {
		return "%" + strconv.Itoa(n)
	}
	if s, ok := p.names[v]; ok {
		return localIdent(s)
	}
	return v.Ident()
}

// uniquify gives every value or block of f whose name repeats an earlier
// one a fresh name (name1, name2, ...) for printing, avoiding every name
// already present.
func (p *printer) uniquify(f *Function) {
	p.names = nil
	all := make(map[string]int, f.NumInstrs()+len(f.Params)+len(f.Blocks))
	dup := false
	note := func(name string) {
		if name == "" {
			return
		}
		if _, ok := all[name]; ok {
			dup = true
		}
		all[name] = 0
	}
	for _, a := range f.Params {
		note(a.Name)
	}
	for _, b := range f.Blocks {
		note(b.Name)
		for _, in := range b.Instrs {
			if in.HasResult() {
				note(in.Name)
			}
		}
	}
	if !dup {
		return
	}
	p.names = make(map[Value]string)
	used := make(map[string]bool, len(all))
	assign := func(v Value, name string) {
		if name == "" {
			return
		}
		if !used[name] {
			used[name] = true
			return
		}
		for {
			all[name]++
			cand := name + strconv.Itoa(all[name])
			if _, taken := all[cand]; !taken && !used[cand] {
				used[cand] = true
				p.names[v] = cand
				return
			}
		}
	}
	for _, a := range f.Params {
		assign(a, a.Name)
	}
	for _, b := range f.Blocks {
		assign(b, b.Name)
		for _, in := range b.Instrs {
			if in.HasResult() {
				assign(in, in.Name)
			}
		}
	}
}

func (p *printer) typedIdent(v Value) string {
	if v == nil {
		return "<nil>"
	}
	return v.Type().String() + " " + p.ident(v)
}

func (p *printer) function(f *Function) {
	p.number(f)
	if f.IsDeclaration() {
		p.sb.WriteString("declare ")
	} else {
		p.sb.WriteString("define ")
	}
	if l := f.Linkage.String(); l != "" {
		p.sb.WriteString(l)
		p.sb.WriteByte(' ')
	}
	p.sb.WriteString(f.Sig.Ret.String())
	p.sb.WriteByte(' ')
	p.sb.WriteString(f.Ident())
	p.sb.WriteByte('(')
	for i, a := range f.Params {
		if i > 0 {
			p.sb.WriteString(", ")
		}
		p.sb.WriteString(a.Typ.String())
		if i < len(f.Sig.ByVal) && f.Sig.ByVal[i] != nil {
			p.sb.WriteString(" byval(" + f.Sig.ByVal[i].String() + ")")
		}
		if f.Sig.SRet == i+1 && f.Sig.SRetType != nil {
			p.sb.WriteString(" sret(" + f.Sig.SRetType.String() + ")")
		}
		if !f.IsDeclaration() {
			p.sb.WriteByte(' ')
			p.sb.WriteString(p.ident(a))
		}
	}
	if f.Sig.Variadic {
		if len(f.Params) > 0 {
			p.sb.WriteString(", ")
		}
		p.sb.WriteString("...")
	}
	p.sb.WriteByte(')')
	for _, a := range f.Attrs {
		p.sb.WriteByte(' ')
		p.sb.WriteString(a)
	}
	if f.IsDeclaration() {
		p.sb.WriteByte('\n')
		return
	}
	if f.Personality != "" {
		p.sb.WriteString(" personality ptr " + globalIdent(f.Personality))
	}
	p.sb.WriteString(" {\n")
	for i, b := range f.Blocks {
		if i > 0 {
			p.sb.WriteByte('\n')
		}
		id := p.ident(b)
		p.sb.WriteString(id[1:])
		p.sb.WriteString(":\n")
		for _, in := range b.Instrs {
			p.sb.WriteString("  ")
			p.instr(in)
			p.sb.WriteByte('\n')
		}
	}
	p.sb.WriteString("}\n")
}

func fmfString(f Flags) string {
	if f&FlagFast == FlagFast {
		return "fast "
	}
	s := ""
	for _, x := range []struct {
		f Flags
		n string
	}{{FlagReassoc, "reassoc"}, {FlagNNan, "nnan"}, {FlagNInf, "ninf"}, {FlagNSZ, "nsz"}, {FlagARCP, "arcp"}, {FlagContract, "contract"}, {FlagAFN, "afn"}} {
		if f&x.f != 0 {
			s += x.n + " "
		}
	}
	return s
}

func (p *printer) instr(in *Instr) {
	sb := &p.sb
	if in.HasResult() {
		sb.WriteString(p.ident(in))
		sb.WriteString(" = ")
	}
	op := in.Op
	switch {
	case op.IsBinary():
		sb.WriteString(op.String())
		sb.WriteByte(' ')
		if op.IsFloatBinary() {
			sb.WriteString(fmfString(in.Flags))
		} else {
			if in.Flags&FlagNUW != 0 {
				sb.WriteString("nuw ")
			}
			if in.Flags&FlagNSW != 0 {
				sb.WriteString("nsw ")
			}
			if in.Flags&FlagExact != 0 {
				sb.WriteString("exact ")
			}
		}
		p.operands(in.Ops, true)
	case op == OpFNeg:
		sb.WriteString("fneg ")
		sb.WriteString(fmfString(in.Flags))
		p.operands(in.Ops, true)
	case op == OpFCmp || op == OpICmp:
		sb.WriteString(op.String())
		sb.WriteByte(' ')
		if op == OpFCmp {
			sb.WriteString(fmfString(in.Flags))
		}
		sb.WriteString(in.Pred.String())
		sb.WriteByte(' ')
		p.operands(in.Ops, true)
	case op.IsCast():
		sb.WriteString(op.String())
		sb.WriteByte(' ')
		if len(in.Ops) > 0 {
			sb.WriteString(p.typedIdent(in.Ops[0]))
		}
		sb.WriteString(" to ")
		sb.WriteString(in.Typ.String())
	case op == OpSelect:
		sb.WriteString("select ")
		p.operands(in.Ops, false)
	case op == OpPhi:
		sb.WriteString("phi ")
		sb.WriteString(in.Typ.String())
		for i, v := range in.Ops {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(" [ ")
			sb.WriteString(p.ident(v))
			sb.WriteString(", ")
			if i < len(in.Blocks) {
				sb.WriteString(p.ident(in.Blocks[i]))
			}
			sb.WriteString(" ]")
		}
	case op == OpCall || op == OpInvoke:
		if in.Flags&FlagTail != 0 {
			sb.WriteString("tail ")
		}
		sb.WriteString(op.String() + " ")
		sb.WriteString(fmfString(in.Flags &^ FlagTail))
		ft := in.FnType
		if ft != nil && ft.Variadic {
			sb.WriteString(ft.String())
		} else if ft != nil {
			sb.WriteString(ft.Ret.String())
		} else {
			sb.WriteString(in.Typ.String())
		}
		sb.WriteByte(' ')
		sb.WriteString(p.ident(in.Callee()))
		sb.WriteByte('(')
		if ft != nil && ft.ByVal != nil {
			for i, a := range in.Args() {
				if i > 0 {
					sb.WriteString(", ")
				}
				if a == nil {
					sb.WriteString("<nil>")
					continue
				}
				sb.WriteString(a.Type().String())
				if i < len(ft.ByVal) && ft.ByVal[i] != nil {
					sb.WriteString(" byval(" + ft.ByVal[i].String() + ")")
				}
				sb.WriteString(" " + p.ident(a))
			}
		} else {
			p.operands(in.Args(), false)
		}
		sb.WriteByte(')')
		if op == OpInvoke && len(in.Blocks) == 2 {
			sb.WriteString(" to label " + p.ident(in.Blocks[0]) + " unwind label " + p.ident(in.Blocks[1]))
		}
	case op == OpLandingPad:
		sb.WriteString("landingpad " + in.Typ.String())
		if in.Pred != 0 {
			sb.WriteString(" cleanup")
		}
		for _, c := range in.Ops {
			if IsFilterClause(c) {
				sb.WriteString(" filter " + p.typedIdent(c))
			} else {
				sb.WriteString(" catch " + p.typedIdent(c))
			}
		}
	case op == OpResume:
		// The exception and selector: rebuilt with insertvalue for LLVM.
		agg := "poison"
		const ts = "{ ptr, i32 }"
		for i, x := range in.Ops {
			p.aggTemp++
			name := localIdent("resume.agg." + strconv.Itoa(p.aggTemp))
			sb.WriteString(name + " = insertvalue " + ts + " " + agg + ", " + p.typedIdent(x) + ", " + strconv.Itoa(i) + "\n  ")
			agg = name
		}
		sb.WriteString("resume " + ts + " " + agg)
	case op == OpAlloca:
		sb.WriteString("alloca ")
		sb.WriteString(in.ElemType.String())
		if len(in.Ops) > 0 {
			sb.WriteString(", ")
			sb.WriteString(p.typedIdent(in.Ops[0]))
		}
		p.align(in.Align)
	case op == OpLoad:
		sb.WriteString("load ")
		if in.Flags&FlagAtomic != 0 {
			sb.WriteString("atomic ") // (volatile implied)
		} else if in.Flags&FlagVolatile != 0 {
			sb.WriteString("volatile ")
		}
		sb.WriteString(in.Typ.String())
		sb.WriteString(", ")
		p.operands(in.Ops, false)
		p.ordering(in)
		p.align(in.Align)
	case op == OpStore:
		sb.WriteString("store ")
		if in.Flags&FlagAtomic != 0 {
			sb.WriteString("atomic ")
		} else if in.Flags&FlagVolatile != 0 {
			sb.WriteString("volatile ")
		}
		p.operands(in.Ops, false)
		p.ordering(in)
		p.align(in.Align)
	case op == OpFence:
		sb.WriteString("fence")
		p.ordering(in)
	case op == OpAtomicRMW:
		sb.WriteString("atomicrmw ")
		if in.Flags&FlagVolatile != 0 {
			sb.WriteString("volatile ")
		}
		sb.WriteString(in.RMW().String())
		sb.WriteByte(' ')
		p.operands(in.Ops, false)
		p.ordering(in)
		p.align(in.Align)
	case op == OpCmpXchg:
		sb.WriteString("cmpxchg ")
		if in.Weak() {
			sb.WriteString("weak ")
		}
		if in.Flags&FlagVolatile != 0 {
			sb.WriteString("volatile ")
		}
		p.operands(in.Ops, false)
		p.ordering(in)
		sb.WriteByte(' ')
		sb.WriteString(in.FailureOrdering().String())
		p.align(in.Align)
	case op == OpGEP:
		sb.WriteString("getelementptr ")
		if in.Flags&FlagInBounds != 0 {
			sb.WriteString("inbounds ")
		}
		sb.WriteString(in.ElemType.String())
		sb.WriteString(", ")
		p.operands(in.Ops, false)
	case op == OpBr:
		sb.WriteString("br ")
		if len(in.Ops) > 0 {
			sb.WriteString(p.typedIdent(in.Ops[0]))
			sb.WriteString(", ")
		}
		for i, b := range in.Blocks {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("label ")
			sb.WriteString(p.ident(b))
		}
	case op == OpRet:
		if rt := retType(in); rt != nil && rt.Kind == StructKind {
			// One scalar per field: rebuilt with insertvalue for LLVM.
			agg := "poison"
			ts := rt.String()
			for i, x := range in.Ops {
				p.aggTemp++
				name := localIdent("ret.agg." + strconv.Itoa(p.aggTemp))
				sb.WriteString(name + " = insertvalue " + ts + " " + agg + ", " + p.typedIdent(x) + ", " + strconv.Itoa(i) + "\n  ")
				agg = name
			}
			sb.WriteString("ret " + ts + " " + agg)
			break
		}
		sb.WriteString("ret ")
		if len(in.Ops) == 0 {
			sb.WriteString("void")
		} else {
			sb.WriteString(p.typedIdent(in.Ops[0]))
		}
	case op == OpUnreachable:
		sb.WriteString("unreachable")
	case op == OpExtractValue:
		sb.WriteString("extractvalue ")
		if len(in.Ops) == 2 {
			sb.WriteString(p.typedIdent(in.Ops[0]))
			sb.WriteString(", ")
			sb.WriteString(p.ident(in.Ops[1]))
		}
	default:
		sb.WriteString(op.String())
	}
}

// ordering prints " ORDERING" for an atomic instruction.
func (p *printer) ordering(in *Instr) {
	if o := in.Ordering(); o != NotAtomic {
		p.sb.WriteByte(' ')
		p.sb.WriteString(o.String())
	}
}

func (p *printer) align(a int64) {
	if a > 0 {
		p.sb.WriteString(", align ")
		p.sb.WriteString(strconv.FormatInt(a, 10))
	}
}

// operands prints "T a, b" (sameType) or "T a, U b".
func (p *printer) operands(vs []Value, sameType bool) {
	for i, v := range vs {
		if i > 0 {
			p.sb.WriteString(", ")
		}
		if sameType && i > 0 {
			p.sb.WriteString(p.ident(v))
		} else {
			p.sb.WriteString(p.typedIdent(v))
		}
	}
}

// retType is the return type of the function of ret instruction in, or
// nil when in is not in a function.
func retType(in *Instr) *Type {
	if in.Block == nil || in.Block.Func == nil || in.Block.Func.Sig == nil {
		return nil
	}
	return in.Block.Func.Sig.Ret
}
