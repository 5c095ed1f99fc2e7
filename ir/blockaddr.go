package ir

import (
	"sort"
	"sync"
)

// Computed goto: blockaddress(@f, %bb) constants and indirectbr.
//
// The parser gives the address of a block a number instead of a code
// address: blockaddress(@f, %bb) reads as inttoptr (i64 N to ptr), N the
// block's number in the module (1, 2, ... in order of first mention, the
// same for every mention, whether in a global's initializer, in code, or
// in a body parsed lazily later), and "indirectbr ptr %a, [label %b1,
// ...]" as a binary search on ptrtoint %a over the numbers of its
// destinations (lowerTree, run with the function's switches). The values are only ever jumped to (GCC's
// "labels as values" allow nothing else across functions), compared and
// offset from one another (&&l1 - &&l0 tables), which numbers do as well
// as addresses; and no relocation, linker symbol or lazy-compilation
// stub has to know where a block ends up.

// blockIDs numbers the blocks whose address a module takes.
type blockIDs struct {
	mu  sync.Mutex
	ids map[string]int64 // function name + "\x00" + block name -> number
}

// blockID returns the number of block bb of function fn, giving it the
// next one if it has none yet.
func (m *Module) blockID(fn, bb string) int64 {
	m.blocks.mu.Lock()
	defer m.blocks.mu.Unlock()
	if m.blocks.ids == nil {
		m.blocks.ids = make(map[string]int64)
	}
	k := fn + "\x00" + bb
	id, ok := m.blocks.ids[k]
	if !ok {
		id = int64(len(m.blocks.ids)) + 1
		m.blocks.ids[k] = id
	}
	return id
}

// parseBlockAddress reads "(@f, %bb)" after the word blockaddress (tok)
// and returns the block's number as a pointer constant.
func (p *parser) parseBlockAddress(tok token, t *Type) Constant {
	if !t.IsPtr() {
		p.failAt(tok, "blockaddress has type ptr, expected '%v'", t)
	}
	p.expectPunct("(")
	if p.tok.kind != tGlobal {
		p.fail("expected a function in blockaddress, found %v", p.tok)
	}
	fn := p.tok.text
	p.next()
	p.expectPunct(",")
	if p.tok.kind != tLocal {
		p.fail("expected a block label in blockaddress, found %v", p.tok)
	}
	bb := p.tok.text
	p.next()
	p.expectPunct(")")
	return &ConstExpr{Op: OpIntToPtr, Typ: Ptr, Ops: []Value{p.constInt(I64, p.m.blockID(fn, bb))}}
}

// parseIndirectBr reads "indirectbr ptr %a, [label %b1, label %b2 ...]"
// (the word indirectbr already read) and returns the placeholder
// terminator of the search it becomes (lowerTree): on ptrtoint %a, over
// its distinct destinations' block numbers.
func (p *parser) parseIndirectBr(at token) *Instr {
	t := p.parseType()
	if !t.IsPtr() {
		p.failAt(at, "indirectbr on a value of type '%v' (ptr is required)", t)
	}
	addr := p.parseValue(t)
	p.expectPunct(",")
	p.expectPunct("[")
	var dests []*Block
	var names []string
	for !p.isPunct("]") {
		if len(dests) > 0 {
			p.expectPunct(",")
		}
		p.expectWord("label")
		if p.tok.kind == tLocal {
			names = append(names, p.tok.text)
		}
		dests = append(dests, p.parseLabelRef())
	}
	p.next() // ']'
	in := p.arena.alloc()
	*in = Instr{Op: OpBr, Typ: Void}
	if len(dests) == 0 {
		*in = Instr{Op: OpUnreachable, Typ: Void}
		return in
	}
	in.blkBuf[0] = dests[len(dests)-1]
	in.Blocks = in.blkBuf[:1:1]
	if len(dests) == 1 {
		return in
	}
	x := p.arena.alloc()
	*x = Instr{Op: OpPtrToInt, Typ: I64}
	x.setOps1(addr)
	p.pre = append(p.pre, x)
	sw := &pendingSwitch{cond: x, tok: at, br: in, tree: true}
	seen := make(map[*Block]bool)
	for i, b := range dests {
		if seen[b] {
			continue // listed twice: one test is enough
		}
		seen[b] = true
		sw.vals = append(sw.vals, p.constInt(I64, p.m.blockID(p.fname, names[i])))
		sw.dests = append(sw.dests, b)
	}
	if len(sw.vals) > 1 {
		p.switches = append(p.switches, sw)
	}
	return in
}

// lowerTree lowers an indirectbr's pending switch (tree) into a binary
// search over its destinations' numbers: "icmp ult" splits the sorted
// numbers in halves down to one destination, which is branched to
// without a test (the address is one of them); each destination is
// reached from one block, its phis renamed to it. n destinations take
// about log2(n) compares where a chain takes n/2.
func (p *parser) lowerTree(sw *pendingSwitch) {
	f := p.f
	x := sw.cond
	if r, ok := x.(*fwdRef); ok && !r.global {
		x = p.locals[r.name]
	}
	s := sw.br.Block
	idx := make([]int, len(sw.vals))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return sw.vals[idx[a]].V < sw.vals[idx[b]].V })
	s.Instrs = s.Instrs[:len(s.Instrs)-1] // the placeholder
	var added []*Block
	// target returns the block that branches among idx: the destination
	// itself for one (renamed from s to from in its phis).
	var build func(cur *Block, ids []int)
	target := func(from *Block, ids []int) *Block {
		if len(ids) == 1 {
			d := sw.dests[ids[0]]
			renameIncoming(d, s, from)
			return d
		}
		b := p.arena.block(f, "ibr")
		added = append(added, b)
		build(b, ids)
		return b
	}
	build = func(cur *Block, ids []int) {
		mid := len(ids) / 2
		lt := p.arena.alloc()
		*lt = Instr{Op: OpICmp, Pred: ICmpULT, Typ: I1, Block: cur}
		lt.setOps2(x, sw.vals[ids[mid]])
		cur.Instrs = append(cur.Instrs, lt)
		br := p.arena.alloc()
		*br = Instr{Op: OpBr, Typ: Void, Block: cur}
		br.setOps1(lt)
		cur.Instrs = append(cur.Instrs, br)
		br.blkBuf = [2]*Block{target(cur, ids[:mid]), target(cur, ids[mid:])}
		br.Blocks = br.blkBuf[:2:2]
	}
	build(s, idx)
	f.insertBlocksAfter(s, added)
}

// ConstNumber evaluates a constant expression that is a number, not an
// address: add, sub and trunc of numbers and of casts of numbers, as
// tables of block-address differences (trunc (sub (ptrtoint
// (blockaddress ...), ptrtoint (blockaddress ...)))) hold.
func ConstNumber(c Value) (int64, bool) {
	x, ok := c.(*ConstExpr)
	if !ok {
		sym, off, ok := SymbolOffset(c)
		return off, ok && sym == nil
	}
	switch x.Op {
	case OpAdd, OpSub:
		a, okA := ConstNumber(x.Ops[0])
		b, okB := ConstNumber(x.Ops[1])
		if !okA || !okB {
			return 0, false
		}
		if x.Op == OpSub {
			b = -b
		}
		return a + b, true
	case OpTrunc:
		v, ok := ConstNumber(x.Ops[0])
		if !ok || !x.Typ.IsInt() || x.Typ.Bits >= 64 {
			return 0, false
		}
		return v << (64 - x.Typ.Bits) >> (64 - x.Typ.Bits), true
	}
	sym, off, ok := SymbolOffset(c)
	return off, ok && sym == nil
}
