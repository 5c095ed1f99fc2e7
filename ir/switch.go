package ir

// switch is lowered by the parser, when the function's body has been
// read, into conditional branches: the IR has no switch instruction, so
// the optimizer's passes, the verifier, the backend and the printer need
// nothing new. Each distinct case target (other than the default) gets
// one block of the chain that tests "x == v1 || x == v2 ..." for its
// values and branches to it, else on to the next test; the last test
// falls through to the default. Every target is so reached from exactly
// one block, and its phis' entries for the switch's block are renamed to
// that block.

// pendingSwitch is a switch read but not yet lowered: its placeholder
// terminator (br to the default) and its operands.
type pendingSwitch struct {
	br    *Instr // the placeholder: br label %default
	cond  Value  // may be a local forward reference until the body ends
	vals  []*ConstInt
	dests []*Block
	tok   token
	tree  bool // indirectbr: a binary search over vals (distinct, one per dest), no default (blockaddr.go)
}

// parseSwitch reads "switch iN %x, label %default [ iN v, label %dest ... ]"
// (the word switch already read) and returns the placeholder terminator.
func (p *parser) parseSwitch(at token) *Instr {
	t := p.parseType()
	if !t.IsInt() {
		p.failAt(at, "switch on a value of type '%v' (an integer type is required)", t)
	}
	sw := &pendingSwitch{cond: p.parseValue(t), tok: at}
	p.expectPunct(",")
	p.expectWord("label")
	def := p.parseLabelRef()
	p.expectPunct("[")
	seen := make(map[int64]bool)
	for !p.isPunct("]") {
		ttok := p.tok
		vt := p.parseType()
		if !vt.Equal(t) {
			p.failAt(ttok, "switch case of type '%v', expected '%v'", vt, t)
		}
		vtok := p.tok
		c, ok := p.parseConstant(t).(*ConstInt)
		if !ok {
			p.failAt(vtok, "switch case value must be an integer constant")
		}
		if seen[c.V] {
			p.failAt(vtok, "duplicate switch case value %d", c.V)
		}
		seen[c.V] = true
		p.expectPunct(",")
		p.expectWord("label")
		sw.vals = append(sw.vals, c)
		sw.dests = append(sw.dests, p.parseLabelRef())
	}
	p.next() // ']'
	in := p.arena.alloc()
	*in = Instr{Op: OpBr, Typ: Void}
	in.blkBuf[0] = def
	in.Blocks = in.blkBuf[:1:1]
	sw.br = in
	p.switches = append(p.switches, sw)
	return in
}

// lowerSwitches lowers the function's switches (see the top of this file)
// once its body is read and its forward references resolved.
func (p *parser) lowerSwitches() {
	if len(p.switches) == 0 {
		return
	}
	f := p.f
	for _, sw := range p.switches {
		if sw.tree {
			p.lowerTree(sw)
			continue
		}
		x := sw.cond
		if r, ok := x.(*fwdRef); ok && !r.global {
			x = p.locals[r.name]
		}
		s := sw.br.Block
		def := sw.br.Blocks[0]
		// The distinct targets other than the default, in order of first
		// appearance, each with its values.
		var targets []*Block
		vals := make(map[*Block][]*ConstInt)
		for i, d := range sw.dests {
			if d == def {
				continue
			}
			if _, ok := vals[d]; !ok {
				targets = append(targets, d)
			}
			vals[d] = append(vals[d], sw.vals[i])
		}
		if len(targets) == 0 {
			continue // br label %default, as the placeholder is
		}
		cur := s
		cur.Instrs = cur.Instrs[:len(cur.Instrs)-1] // the placeholder
		var added []*Block
		for k, d := range targets {
			var c Value
			for _, v := range vals[d] {
				eq := p.arena.alloc()
				*eq = Instr{Op: OpICmp, Pred: ICmpEQ, Typ: I1, Block: cur}
				eq.setOps2(x, v)
				cur.Instrs = append(cur.Instrs, eq)
				if c == nil {
					c = eq
					continue
				}
				or := p.arena.alloc()
				*or = Instr{Op: OpOr, Typ: I1, Block: cur}
				or.setOps2(c, eq)
				cur.Instrs = append(cur.Instrs, or)
				c = or
			}
			var next *Block
			if k == len(targets)-1 {
				next = def
			} else {
				next = p.arena.block(f, "sw.next")
				added = append(added, next)
			}
			br := p.arena.alloc()
			*br = Instr{Op: OpBr, Typ: Void, Block: cur}
			br.setOps1(c)
			br.blkBuf = [2]*Block{d, next}
			br.Blocks = br.blkBuf[:2:2]
			cur.Instrs = append(cur.Instrs, br)
			renameIncoming(d, s, cur)
			if next != def {
				cur = next
			}
		}
		renameIncoming(def, s, cur)
		// The chain's blocks follow the switch's block.
		f.insertBlocksAfter(s, added)
	}
	p.switches = p.switches[:0]
}

// renameIncoming makes b's phis take from block to what they took from
// block from, in one entry: the switch may have had several edges from
// its block to b (one per case value, each with an entry of the same
// value), the chain has one.
func renameIncoming(b, from, to *Block) {
	for _, phi := range b.Phis() {
		j, seen := 0, false
		for i, pb := range phi.Blocks {
			if pb == from {
				if seen {
					continue
				}
				seen = true
				pb = to
			}
			phi.Ops[j], phi.Blocks[j] = phi.Ops[i], pb
			j++
		}
		clear(phi.Ops[j:])
		clear(phi.Blocks[j:])
		phi.Ops, phi.Blocks = phi.Ops[:j], phi.Blocks[:j]
	}
}

// insertBlocksAfter puts added right after block s in f's layout and
// renumbers the blocks.
func (f *Function) insertBlocksAfter(s *Block, added []*Block) {
	if len(added) == 0 {
		return
	}
	at := s.Index + 1
	bs := make([]*Block, 0, len(f.Blocks)+len(added))
	bs = append(bs, f.Blocks[:at]...)
	bs = append(bs, added...)
	bs = append(bs, f.Blocks[at:]...)
	f.Blocks = bs
	for i, b := range f.Blocks {
		b.Index = i
	}
}
