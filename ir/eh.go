package ir

import "strings"

// Exception handling as clang++ emits it: invoke, landingpad, resume
// (docs/IR.md). The backend gives each function with invokes an LSDA.

// invokeDests reads the rest of an invoke after its arguments: `to label
// %normal unwind label %lpad`.
func (p *parser) invokeDests(in *Instr, at token, srcRet *Type) {
	if name := calleeName(in); strings.HasPrefix(name, "llvm.") {
		p.failAt(at, "invoke of the intrinsic '@%s' is not supported", name)
	}
	if hasVec2F(srcRet) {
		p.failAt(at, "invoke of a function returning '%v' is not supported", srcRet)
	}
	p.expectWord("to")
	p.expectWord("label")
	normal := p.parseLabelRef()
	p.expectWord("unwind")
	p.expectWord("label")
	unwind := p.parseLabelRef()
	in.Blocks = []*Block{normal, unwind}
}

// landingPad reads `landingpad { ptr, i32 }` and its clauses (cleanup,
// catch ptr @typeinfo, catch ptr null, filter [N x ptr] [...]), queuing the instruction and the
// extractvalues of its two fields in p.emit as aggCall does for a call.
func (p *parser) landingPad(at token) {
	tt := p.tok
	t := p.parseType()
	if t.Kind != StructKind || len(t.Fields) != 2 || !t.Fields[0].IsPtr() || !t.Fields[1].Equal(I32) {
		p.failAt(tt, "landingpad of type '%v' is not supported (clang++ uses { ptr, i32 })", t)
	}
	in := p.arena.alloc()
	*in = Instr{Op: OpLandingPad, Typ: t}
	for {
		switch {
		case p.acceptWord("cleanup"):
			in.Pred = 1
			continue
		case p.isWord("catch"):
			p.next()
			ct := p.tok
			if ty := p.parseType(); !ty.IsPtr() {
				p.failAt(ct, "catch clause of type '%v' (a ptr is expected)", ty)
			}
			v := p.parseValue(Ptr)
			switch v.(type) {
			case *Global, *ConstNull, *fwdRef:
			default:
				p.failAt(ct, "catch clause must name a type-info global or be null")
			}
			in.Ops = append(in.Ops, v)
			continue
		case p.isWord("filter"):
			// An exception specification: [N x ptr] of type-info
			// values (zeroinitializer for throw()).
			p.next()
			ft := p.tok
			ty := p.parseType()
			if ty.Kind != ArrayKind || !ty.Elem.IsPtr() {
				p.failAt(ft, "filter clause of type '%v' (an array of ptr is expected)", ty)
			}
			c := p.parseConstant(ty)
			switch x := c.(type) {
			case *ConstZero:
				if ty.Len != 0 {
					p.failAt(ft, "filter clause of %d null type-infos", ty.Len)
				}
			case *ConstAggregate:
				for _, e := range x.Elems {
					switch e.(type) {
					case *Global, *fwdRef:
					default:
						p.failAt(ft, "filter clause elements must name type-info globals")
					}
				}
			default:
				p.failAt(ft, "filter clause must be a constant array of type-info globals")
			}
			in.Ops = append(in.Ops, c)
			continue
		}
		break
	}
	if in.Pred == 0 && len(in.Ops) == 0 {
		p.failAt(at, "landingpad needs a cleanup or a clause")
	}
	p.emit = append(p.emit, in)
	leaves := make([]Value, 2)
	for i, f := range t.Fields {
		leaves[i] = p.emitInstr(OpExtractValue, f, in, p.constInt(I32, int64(i)))
	}
	p.aggRes = &aggValue{typ: t, leaves: leaves}
}

// resume reads `resume { ptr, i32 } %v`.
func (p *parser) resume(at token) *Instr {
	tt := p.tok
	t := p.parseType()
	if t.Kind != StructKind || len(t.Fields) != 2 || !t.Fields[0].IsPtr() || !t.Fields[1].Equal(I32) {
		p.failAt(tt, "resume of type '%v' is not supported (clang++ uses { ptr, i32 })", t)
	}
	leaves := p.parseAgg(t)
	in := p.arena.alloc()
	*in = Instr{Op: OpResume, Typ: Void}
	in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], leaves...)
	_ = at
	return in
}

// HasEH reports whether f has invokes or landing pads (it needs an LSDA
// and its personality; the optimizer leaves it alone).
func (f *Function) HasEH() bool {
	for _, b := range f.Blocks {
		if t := b.Terminator(); t != nil && t.Op == OpInvoke {
			return true
		}
		for _, in := range b.Instrs {
			if in.Op == OpLandingPad {
				return true
			}
		}
	}
	return false
}

// invokeAgg is an invoke returning a struct and the extractvalues of its
// fields, which go on the normal edge (placeInvokeAggs).
type invokeAgg struct {
	in  *Instr
	ext []*Instr
}

// invokeAgg queues an invoke returning a struct (in p.emit, ending the
// block) and makes its fields' extractvalues, placed on its normal edge
// when the body is read.
func (p *parser) invokeAgg(in *Instr, at token) {
	ret := in.Typ
	if !flatStruct(ret) {
		p.failAt(at, "invokes returning '%v' are not supported (a returned struct must have scalar fields only)", ret)
	}
	p.emit = append(p.emit, in)
	leaves := make([]Value, len(ret.Fields))
	ext := make([]*Instr, len(ret.Fields))
	for i, f := range ret.Fields {
		x := p.arena.alloc()
		*x = Instr{Op: OpExtractValue, Typ: f}
		x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], in, p.constInt(I32, int64(i)))
		leaves[i], ext[i] = x, x
	}
	p.aggRes = &aggValue{typ: ret, leaves: leaves}
	p.invokeAggs = append(p.invokeAggs, invokeAgg{in, ext})
}

// placeInvokeAggs puts the extractvalues of the fields of each invoke
// returning a struct on its normal edge: at the start of the normal
// destination (after its phis) when the invoke is its only
// predecessor, else on a block of their own on the edge, at which the
// destination's phis are pointed.
func (p *parser) placeInvokeAggs() {
	if len(p.invokeAggs) == 0 {
		return
	}
	f := p.f
	npred := map[*Block]int{}
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			npred[s]++
		}
	}
	for _, ia := range p.invokeAggs {
		in := ia.in
		from, normal := in.Block, in.Blocks[0]
		if npred[normal] == 1 && normal != from && len(f.Blocks) > 0 && normal != f.Blocks[0] {
			n := len(normal.Phis())
			rest := append(ia.ext, normal.Instrs[n:]...)
			for _, x := range ia.ext {
				x.Block = normal
			}
			normal.Instrs = append(normal.Instrs[:n:n], rest...)
			continue
		}
		b := p.arena.block(f, "")
		b.Index = len(f.Blocks)
		f.Blocks = append(f.Blocks, b)
		for _, x := range ia.ext {
			x.Block = b
			b.Instrs = append(b.Instrs, x)
		}
		br := p.arena.alloc()
		*br = Instr{Op: OpBr, Typ: Void, Block: b, Blocks: []*Block{normal}}
		b.Instrs = append(b.Instrs, br)
		in.Blocks[0] = b
		for _, phi := range normal.Phis() {
			for j, pb := range phi.Blocks {
				if pb == from {
					phi.Blocks[j] = b
				}
			}
		}
	}
}

// skipMetaArg skips a metadata call argument after its `metadata`:
// `!3`, `!{...}`, `!"text"` or a typed value.
func (p *parser) skipMetaArg() {
	switch {
	case p.tok.kind == tMeta:
		p.next()
	case p.isPunct("!"):
		p.next()
		if p.isPunct("{") || p.isPunct("(") {
			p.skipBalanced()
		} else {
			p.next()
		}
	default:
		p.parseType()
		p.next()
	}
}

// IsFilterClause reports whether c, an operand of a landingpad, is a
// filter clause ([N x ptr]) rather than a catch clause (ptr).
func IsFilterClause(c Value) bool {
	t := c.Type()
	return t.Kind == ArrayKind && t.Elem.IsPtr()
}

// FilterTypes returns the type-info values of a filter clause.
func FilterTypes(c Value) []Value {
	if a, ok := c.(*ConstAggregate); ok {
		return a.Elems
	}
	return nil
}
