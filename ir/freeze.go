package ir

// freeze. clang-19 -O2 emits `freeze` where it hoists a condition or a
// division past a branch (loop unswitching, select formation): it stops
// undef and poison from spreading. The parser reads it as an identity
// copy: the result is its operand (no instruction is left), an `undef` or
// `poison` operand becomes the zero of its type (one fixed value, as
// freeze requires). Aggregates and vectors are frozen leaf by leaf.

// freezeInstr parses the rest of a freeze (the word consumed) and queues
// its result in p.aggRes.
func (p *parser) freezeInstr() {
	tt := p.tok
	t := p.parseType()
	if t.IsVoid() || t.Kind == LabelKind || t.Kind == FuncKind {
		p.failAt(tt, "freeze of type '%v'", t)
	}
	if isAggType(t) {
		xs := p.parseAgg(t)
		leaves := make([]Value, len(xs))
		for i, x := range xs {
			leaves[i] = p.frozen(x)
		}
		p.aggRes = &aggValue{typ: t, leaves: leaves}
		return
	}
	p.aggRes = p.frozen(p.parseValue(t))
}

// frozen is x with undef and poison replaced by zero.
func (p *parser) frozen(x Value) Value {
	if u, ok := x.(*Undef); ok {
		return p.zeroLeaf(u.Typ)
	}
	return x
}
