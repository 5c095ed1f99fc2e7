package ir

import (
	"strings"
)

// ConstAggregate is a constant array ([2 x i32] [i32 1, i32 2]) or struct
// ({ i32, ptr } { i32 1, ptr @g }, packed <{ ... }>): Elems holds one
// constant per element or field (numbers, null, zeroinitializer, strings,
// globals, functions, constant expressions, nested aggregates).
type ConstAggregate struct {
	Typ   *Type
	Elems []Value
}

// ConstExpr is a constant expression: getelementptr with constant
// operands (ElemType is the source element type), or a cast (ptrtoint,
// inttoptr, bitcast) of a constant. In a global's initializer it is
// emitted as an address with an addend; as an operand of an instruction
// the parser turns it into the instruction it spells, so passes and the
// backend see only ordinary instructions.
type ConstExpr struct {
	Op       Op
	Typ      *Type
	ElemType *Type
	Flags    Flags
	Ops      []Value
}

func (c *ConstAggregate) Type() *Type { return c.Typ }
func (c *ConstExpr) Type() *Type      { return c.Typ }
func (*ConstAggregate) isConst()      {}
func (*ConstExpr) isConst()           {}
func (*fwdRef) isConst()              {}

func typedIdent(v Value) string { return v.Type().String() + " " + v.Ident() }

// Ident spells the constant as LLVM does: "[i32 1, i32 2]", "{ i8 1, ptr
// @g }", "<{ i8 1 }>".
func (c *ConstAggregate) Ident() string {
	var sb strings.Builder
	open, close := "[", "]"
	if c.Typ.Kind == StructKind {
		open, close = "{ ", " }"
		if len(c.Elems) == 0 {
			open, close = "{", "}"
		}
		if c.Typ.Packed {
			open, close = "<"+open, close+">"
		}
	}
	sb.WriteString(open)
	for i, e := range c.Elems {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(typedIdent(e))
	}
	sb.WriteString(close)
	return sb.String()
}

// Ident spells the expression: "getelementptr inbounds (i8, ptr @g, i64
// 4)", "ptrtoint (ptr @g to i64)".
func (c *ConstExpr) Ident() string {
	var sb strings.Builder
	sb.WriteString(c.Op.String())
	if c.Op == OpSub || c.Op == OpAdd {
		sb.WriteString(" (")
		sb.WriteString(typedIdent(c.Ops[0]))
		sb.WriteString(", ")
		sb.WriteString(typedIdent(c.Ops[1]))
		sb.WriteString(")")
		return sb.String()
	}
	if c.Op == OpGEP {
		if c.Flags&FlagInBounds != 0 {
			sb.WriteString(" inbounds")
		}
		sb.WriteString(" (")
		sb.WriteString(c.ElemType.String())
		for _, o := range c.Ops {
			sb.WriteString(", ")
			sb.WriteString(typedIdent(o))
		}
		sb.WriteString(")")
		return sb.String()
	}
	sb.WriteString(" (")
	sb.WriteString(typedIdent(c.Ops[0]))
	sb.WriteString(" to ")
	sb.WriteString(c.Typ.String())
	sb.WriteString(")")
	return sb.String()
}

// SymbolOffset evaluates a constant that is an address: a global or
// function, null, or a getelementptr/ptrtoint/inttoptr/bitcast of one
// with constant indices. It returns the global or function (nil for an
// absolute number) and the byte offset added to it; ok is false if c is
// not such a constant.
func SymbolOffset(c Value) (sym Value, off int64, ok bool) {
	switch x := c.(type) {
	case *Global, *Function:
		return x, 0, true
	case *ConstNull:
		return nil, 0, true
	case *ConstZero:
		return nil, 0, !x.Typ.IsAggregate()
	case *ConstInt:
		return nil, x.V, true
	case *ConstExpr:
		if x.Op != OpGEP {
			if x.Op != OpPtrToInt && x.Op != OpIntToPtr && x.Op != OpBitcast || x.Typ.Size() != 8 {
				return nil, 0, false
			}
			return SymbolOffset(x.Ops[0])
		}
		sym, off, ok = SymbolOffset(x.Ops[0])
		if !ok {
			return nil, 0, false
		}
		t := x.ElemType
		for i, idx := range x.Ops[1:] {
			ci, isInt := idx.(*ConstInt)
			if !isInt {
				return nil, 0, false
			}
			if i > 0 {
				switch t.Kind {
				case ArrayKind:
					t = t.Elem
				case StructKind:
					if ci.V < 0 || ci.V >= int64(len(t.Fields)) {
						return nil, 0, false
					}
					off += t.FieldOffset(int(ci.V))
					t = t.Fields[ci.V]
					continue
				default:
					return nil, 0, false
				}
			}
			off += ci.V * t.Size()
		}
		return sym, off, true
	}
	return nil, 0, false
}

// constExprWords are the constant expressions the parser reads.
var constExprWords = map[string]Op{
	"getelementptr": OpGEP, "ptrtoint": OpPtrToInt, "inttoptr": OpIntToPtr, "bitcast": OpBitcast,
	"trunc": OpTrunc, "sub": OpSub, "add": OpAdd,
}

// RelativeOffset matches the relative-address constant clang's lookup
// tables hold, "trunc (sub (ptrtoint X, ptrtoint Y))" (the trunc
// optional), where Y is base plus a constant offset b and X is a symbol
// plus a: it returns X's symbol and a-b.
func RelativeOffset(c Value, base *Global) (sym Value, off int64, ok bool) {
	x, isExpr := c.(*ConstExpr)
	if isExpr && x.Op == OpTrunc {
		x, isExpr = x.Ops[0].(*ConstExpr)
	}
	if !isExpr || x.Op != OpSub {
		return nil, 0, false
	}
	sa, a, okA := SymbolOffset(x.Ops[0])
	sb, b, okB := SymbolOffset(x.Ops[1])
	if !okA || !okB || sa == nil || sb != Value(base) {
		return nil, 0, false
	}
	return sa, a - b, true
}

// parseConstExpr parses a constant expression (its keyword the previous
// token, tok) of type t.
func (p *parser) parseConstExpr(tok token, op Op, t *Type) Constant {
	c := &ConstExpr{Op: op}
	if op == OpGEP {
		for p.tok.kind == tWord {
			switch p.tok.text {
			case "inbounds":
				c.Flags |= FlagInBounds
			case "nuw", "nusw":
			case "inrange":
				p.next()
				if p.isPunct("(") {
					p.skipBalanced()
				}
				continue
			default:
				p.fail("unexpected %v in getelementptr", p.tok)
			}
			p.next()
		}
		p.expectPunct("(")
		c.ElemType = p.parseType()
		if !c.ElemType.IsFirstClass() {
			p.failAt(tok, "getelementptr of unsized type %v", c.ElemType)
		}
		for p.acceptPunct(",") {
			p.acceptWord("inrange")
			it := p.parseType()
			c.Ops = append(c.Ops, p.parseValue(it))
		}
		p.expectPunct(")")
		if len(c.Ops) == 0 || !c.Ops[0].Type().IsPtr() {
			p.failAt(tok, "getelementptr needs a pointer operand")
		}
		for i, o := range c.Ops[1:] {
			if _, ok := o.(*ConstInt); !ok {
				p.failAt(tok, "getelementptr index %d is not an integer constant", i+1)
			}
		}
		c.Typ = Ptr
	} else if op == OpSub || op == OpAdd {
		for p.acceptWord("nsw") || p.acceptWord("nuw") {
		}
		p.expectPunct("(")
		vt := p.parseType()
		if !vt.IsInt() {
			p.failAt(tok, "%s constant expression of type '%v'", op, vt)
		}
		x := p.parseValue(vt)
		p.expectPunct(",")
		yt := p.parseType()
		if !yt.Equal(vt) {
			p.failAt(tok, "%s constant expression of types '%v' and '%v'", op, vt, yt)
		}
		c.Ops = []Value{x, p.parseValue(yt)}
		c.Typ = vt
		p.expectPunct(")")
	} else {
		p.expectPunct("(")
		vt := p.parseType()
		c.Ops = []Value{p.parseValue(vt)}
		p.expectWord("to")
		c.Typ = p.parseType()
		p.expectPunct(")")
		ok := false
		switch op {
		case OpPtrToInt:
			ok = vt.IsPtr() && c.Typ.IsInt()
		case OpIntToPtr:
			ok = vt.IsInt() && c.Typ.IsPtr()
		case OpBitcast:
			ok = vt.IsPtr() && c.Typ.IsPtr()
		case OpTrunc:
			ok = vt.IsInt() && c.Typ.IsInt() && c.Typ.Bits < vt.Bits
		}
		if !ok {
			p.failAt(tok, "invalid %s constant expression from '%v' to '%v'", op, vt, c.Typ)
		}
	}
	if !c.Typ.Equal(t) {
		p.failAt(tok, "constant expression of type '%v', expected '%v'", c.Typ, t)
	}
	return c
}

// parseAggregate parses a constant array or struct of type t (the
// current token is '[', '{' or '<').
func (p *parser) parseAggregate(t *Type) Constant {
	tok := p.tok
	packed := p.acceptPunct("<")
	var closer string
	switch {
	case p.acceptPunct("["):
		if t.Kind != ArrayKind || packed {
			p.failAt(tok, "constant array for type '%v'", t)
		}
		closer = "]"
	case p.acceptPunct("{"):
		if t.Kind != StructKind || t.Packed != packed || t.Opaque {
			p.failAt(tok, "constant struct for type '%v'", t)
		}
		closer = "}"
	default:
		p.failAt(tok, "vector constants are not supported")
	}
	p.typeDepth++
	if p.typeDepth > maxTypeDepth {
		p.failAt(tok, "constant nests too deeply (limit %d)", maxTypeDepth)
	}
	c := &ConstAggregate{Typ: t}
	for !p.isPunct(closer) {
		if len(c.Elems) > 0 {
			p.expectPunct(",")
		}
		var want *Type
		if t.Kind == ArrayKind {
			want = t.Elem
			if int64(len(c.Elems)) >= t.Len {
				p.fail("too many elements in a constant of type '%v'", t)
			}
		} else {
			if len(c.Elems) >= len(t.Fields) {
				p.fail("too many fields in a constant of type '%v'", t)
			}
			want = t.Fields[len(c.Elems)]
		}
		et := p.tok
		e := p.parseType()
		if !e.Equal(want) {
			p.failAt(et, "element of type '%v' in a constant of type '%v', expected '%v'", e, t, want)
		}
		c.Elems = append(c.Elems, p.parseElem(e))
	}
	p.next()
	if packed {
		p.expectPunct(">")
	}
	p.typeDepth--
	n := int64(len(c.Elems))
	if t.Kind == ArrayKind && n != t.Len || t.Kind == StructKind && n != int64(len(t.Fields)) {
		p.failAt(tok, "constant of type '%v' has %d elements", t, n)
	}
	return c
}

// resolveConst replaces the forward references to globals inside c.
func (p *parser) resolveConst(c Value) Value {
	switch x := c.(type) {
	case *fwdRef:
		if x.global {
			if v := p.m.Lookup(x.name); v != nil {
				return v
			}
		}
	case *ConstAggregate:
		for i, e := range x.Elems {
			x.Elems[i] = p.resolveConst(e)
		}
	case *ConstExpr:
		for i, e := range x.Ops {
			x.Ops[i] = p.resolveConst(e)
		}
	}
	return c
}

// materialize returns the instructions computing constant expression c
// (its operands first), queued in p.pre to go before the instruction
// being parsed, or, for a phi's operand, at the start of the entry block.
func (p *parser) materialize(c *ConstExpr) Value {
	in := p.arena.alloc()
	*in = Instr{Op: c.Op, Typ: c.Typ, ElemType: c.ElemType, Flags: c.Flags}
	ops := make([]Value, len(c.Ops))
	for i, o := range c.Ops {
		if x, ok := o.(*ConstExpr); ok {
			ops[i] = p.materialize(x)
		} else {
			ops[i] = o
		}
	}
	in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], ops...)
	p.pre = append(p.pre, in)
	return in
}
