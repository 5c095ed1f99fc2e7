package passes

import (
	"math"
	"sync"

	"github.com/gorc-jit/gorc/ir"
)

// gvnOperand is an operand in a value-numbering key: tag says what v
// holds (a parameter index, an instruction ID, or a constant's bits).
type gvnOperand struct {
	tag uint64
	v   uint64
}

// gvnKey identifies a pure computation: operation, predicate, flags,
// scalar result/element types and operands.
type gvnKey struct {
	hdr     uint64
	a, b, c gvnOperand
}

func scalarCode(t *ir.Type) (uint64, bool) {
	if t == nil {
		return 0, true
	}
	switch t.Kind {
	case ir.IntKind, ir.FloatKind:
		return uint64(t.Kind)<<8 | uint64(t.Bits), true
	case ir.PtrKind, ir.VoidKind:
		return uint64(t.Kind) << 8, true
	}
	return 0, false
}

func operandKey(v ir.Value) (gvnOperand, bool) {
	switch c := v.(type) {
	case *ir.Param:
		return gvnOperand{1, uint64(c.Index)}, true
	case *ir.Instr:
		return gvnOperand{2, uint64(c.ID)}, true
	case *ir.ConstFloat:
		return gvnOperand{3 | uint64(c.Typ.Bits)<<8, math.Float64bits(c.V)}, true
	case *ir.ConstInt:
		return gvnOperand{4 | uint64(c.Typ.Bits)<<8, uint64(c.V)}, true
	}
	return gvnOperand{}, false
}

// keyOf returns the value-numbering key of a pure instruction.
func keyOf(in *ir.Instr) (gvnKey, bool) {
	var k gvnKey
	if !keyInto(in, &k) {
		return gvnKey{}, false
	}
	return k, true
}

// keyInto is keyOf writing the key to *k (which it may change even when
// it reports false): a key is seven words, and returning it by value
// copied it at each of the candidate check's calls.
func keyInto(in *ir.Instr, k *gvnKey) bool {
	switch {
	case in.Op.IsBinary(), in.Op == ir.OpFCmp, in.Op == ir.OpICmp, in.Op == ir.OpFNeg, in.Op.IsCast(), in.Op == ir.OpSelect, in.Op == ir.OpGEP:
	default:
		return false
	}
	if len(in.Ops) > 3 || len(in.Ops) == 0 {
		return false
	}
	tc, ok1 := scalarCode(in.Typ)
	ec, ok2 := scalarCode(in.ElemType)
	if !ok1 || !ok2 {
		return false
	}
	*k = gvnKey{hdr: uint64(in.Op) | uint64(in.Pred)<<8 | uint64(in.Flags)<<16 | uint64(len(in.Ops))<<32 | tc<<36 | ec<<50}
	ops := in.Ops
	x, y := ops[0], ir.Value(nil)
	if len(ops) > 1 {
		y = ops[1]
	}
	if in.Op.IsCommutative() && y != nil && rank(y) < rank(x) {
		x, y = y, x
	}
	var ok bool
	if k.a, ok = operandKey(x); !ok {
		return false
	}
	if y != nil {
		if k.b, ok = operandKey(y); !ok {
			return false
		}
	}
	if len(ops) > 2 {
		if k.c, ok = operandKey(ops[2]); !ok {
			return false
		}
	}
	return true
}

// rank orders operands of commutative operations: parameters and
// instructions by their scratch ID (set by GVN), constants last.
func rank(v ir.Value) int {
	switch x := v.(type) {
	case *ir.Param:
		return x.Index
	case *ir.Instr:
		return x.ID
	}
	if isConst(v) {
		return math.MaxInt32
	}
	return -1
}

// GVN removes redundant pure computations: an instruction that repeats
// one computed in a dominating block (or earlier in the same block) with
// the same operands is replaced by the earlier result. Commutative
// operands are compared in canonical order. Within a block it also
// forwards a stored or loaded value to a later load from the same pointer
// when no store to another pointer or call intervenes, and deletes
// identical phis of one block.
func GVN(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	sc := gvnPool.Get().(*gvnScratch)
	defer sc.put()
	if !gvnCandidates(f, &sc.seen) {
		// Nothing the walk could find: no dominator tree, no value
		// table (most functions of a program GVN finds nothing in).
		return false
	}
	return gvnWalk(f, sc)
}

// gvnWalk is GVN proper: the walk of f's dominator tree.
func gvnWalk(f *ir.Function, sc *gvnScratch) bool {
	dt := ir.NewDomTree(f)
	defer dt.Release()
	// Number instructions (reachable ones in RPO first) so that IDs are
	// unique and order commutative operands.
	n := len(f.Params)
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			in.ID = -1
		}
	}
	for _, b := range dt.RPO() {
		for _, in := range b.Instrs {
			in.ID = n
			n++
		}
	}
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.ID < 0 {
				in.ID = n
				n++
			}
		}
	}
	rep := replacer{}
	dead := make(map[*ir.Instr]bool)
	table := sc.table
	log := sc.log[:0]
	avail := sc.avail // ptr -> value known in memory (per block)
	visit := func(b *ir.Block) {
		// identical phis
		phis := b.Phis()
		for i, p := range phis {
			for _, q := range phis[:i] {
				if !dead[q] && samePhi(p, q, rep) {
					rep[p] = q
					dead[p] = true
					break
				}
			}
		}
		clear(avail)
		for _, in := range b.Instrs {
			if len(rep) > 0 {
				for i, v := range in.Ops {
					if _, ok := rep[v]; ok {
						in.Ops[i] = rep.resolve(v)
					}
				}
			}
			switch in.Op {
			case ir.OpLoad:
				if in.Flags&ir.FlagVolatile != 0 {
					clear(avail) // neither reused nor a value to reuse
					continue
				}
				if v, ok := avail[in.Ops[0]]; ok && v.Type().Equal(in.Typ) {
					rep[in] = v
					dead[in] = true
					continue
				}
				avail[in.Ops[0]] = in
				continue
			case ir.OpStore:
				clear(avail)
				if in.Flags&ir.FlagVolatile == 0 {
					avail[in.Ops[1]] = in.Ops[0]
				}
				continue
			case ir.OpCall, ir.OpAtomicRMW, ir.OpCmpXchg, ir.OpFence:
				clear(avail)
				continue
			}
			k, ok := keyOf(in)
			if !ok {
				continue
			}
			if prev, found := table[k]; found {
				rep[in] = prev
				dead[in] = true
				continue
			}
			// k was not in the table: leaving this block's subtree
			// deletes it again.
			log = append(log, k)
			table[k] = in
		}
	}
	walkDom(dt, &log, visit, func(k gvnKey) { delete(table, k) })
	sc.log = log
	if len(dead) == 0 {
		return false
	}
	rep.apply(f)
	removeInstrs(f, func(in *ir.Instr) bool { return dead[in] })
	return true
}

// gvnCandidates reports whether GVN might change f: whether two pure
// instructions anywhere in f compute the same key (ignoring dominance),
// two phis of a block are identical, or a load follows a load or store in
// its block with no call between. When none of these holds, GVN's walk
// finds nothing to replace (it replaces only on a key seen before, an
// identical phi or a known memory value, and with no replacement made the
// keys of later instructions are their original ones), so it can return
// at once. Key equality does not depend on how instructions are numbered
// (commutative operands are put in one order by any unique numbering), so
// f's instructions are numbered in block order, without an RPO.
func gvnCandidates(f *ir.Function, seen *gvnKeySet) bool {
	n := len(f.Params)
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			in.ID = n
			n++
		}
	}
	seen.reset(n)
	for _, b := range f.Blocks {
		phis := b.Phis()
		for i, p := range phis {
			for _, q := range phis[:i] {
				if samePhi(p, q, nil) {
					return true
				}
			}
		}
		mem := false // a load or store since the block's start or last call
		for _, in := range b.Instrs[len(phis):] {
			switch in.Op {
			case ir.OpLoad:
				if mem {
					return true
				}
				mem = true
				continue
			case ir.OpStore:
				mem = true
				continue
			case ir.OpCall, ir.OpAtomicRMW, ir.OpCmpXchg, ir.OpFence:
				mem = false
				continue
			}
			if dup, _ := seen.addInstr(in); dup {
				return true
			}
		}
	}
	return false
}

// gvnKeySet is a set of pure instructions by value-numbering key, with
// open addressing, emptied and reused from function to function
// (gvnCandidates). It keeps each instruction with its key's hash
// (keyHash), not the key: the hash is computed from the instruction's
// fields directly, and two keys are built and compared (keyInto) only
// when two hashes agree, which on most functions never happens.
type gvnKeySet struct {
	slots []int32 // 0: empty; i: ents[i-1]
	ents  []gvnKeyEntry
	ka    gvnKey // scratch keys for a full comparison
	kb    gvnKey
}

type gvnKeyEntry struct {
	h  uint64
	in *ir.Instr
}

// reset empties the set for up to n keys.
func (s *gvnKeySet) reset(n int) {
	size := 16
	for size < 2*n {
		size <<= 1
	}
	if cap(s.slots) >= size {
		s.slots = s.slots[:size]
		clear(s.slots)
	} else {
		s.slots = make([]int32, size)
	}
	clear(s.ents) // keep no instructions alive
	s.ents = s.ents[:0]
}

// addInstr puts in's key in the set and reports whether an instruction
// with the same key was there already; ok is false (and nothing is added)
// when in has no key (keyInto).
func (s *gvnKeySet) addInstr(in *ir.Instr) (dup, ok bool) {
	h, ok := keyHash(in)
	if !ok {
		return false, false
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := s.slots[i]
		if j == 0 {
			s.ents = append(s.ents, gvnKeyEntry{h, in})
			s.slots[i] = int32(len(s.ents))
			return false, true
		}
		if e := s.ents[j-1]; e.h == h {
			keyInto(e.in, &s.ka)
			keyInto(in, &s.kb)
			if s.ka == s.kb {
				return true, true
			}
		}
	}
}

// hashKey is the hash of a value-numbering key.
func hashKey(k *gvnKey) uint64 {
	return mixKey(k.hdr, k.a.tag, k.a.v, k.b.tag, k.b.v, k.c.tag, k.c.v)
}

func mixKey(hdr, at, av, bt, bv, ct, cv uint64) uint64 {
	// Four independent products rather than a chain of seven: the
	// tags are small (they fit beside each other in one word).
	h := (hdr ^ at<<3 ^ bt<<23 ^ ct<<43) * 0x9e3779b97f4a7c15
	h ^= av * 0xbf58476d1ce4e5b9
	h ^= bv * 0x94d049bb133111eb
	h ^= cv * 0xd6e8feb86659fd93
	// A product's low bits depend only on its factors' low bits, and a
	// constant's bits are mostly high: fold the high half down, then mix.
	h ^= h >> 32
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h
}

// keyHash returns hashKey of in's key (keyInto) without building the
// key: the same checks, the operands' parts and ranks read with one type
// switch each.
func keyHash(in *ir.Instr) (uint64, bool) {
	op := in.Op
	if int(op) >= len(keyedOps) || !keyedOps[op] {
		return 0, false
	}
	ops := in.Ops
	if len(ops) > 3 || len(ops) == 0 {
		return 0, false
	}
	var tc, ec uint64
	if t := in.Typ; t != nil {
		switch t.Kind {
		case ir.IntKind, ir.FloatKind:
			tc = uint64(t.Kind)<<8 | uint64(t.Bits)
		case ir.PtrKind, ir.VoidKind:
			tc = uint64(t.Kind) << 8
		default:
			return 0, false
		}
	}
	if t := in.ElemType; t != nil {
		var ok bool
		if ec, ok = scalarCode(t); !ok {
			return 0, false
		}
	}
	hdr := uint64(op) | uint64(in.Pred)<<8 | uint64(in.Flags)<<16 | uint64(len(ops))<<32 | tc<<36 | ec<<50
	at, av, ar, ok := operandParts(ops[0])
	if !ok {
		return 0, false
	}
	var bt, bv, ct, cv uint64
	if len(ops) > 1 {
		var br int
		if bt, bv, br, ok = operandParts(ops[1]); !ok {
			return 0, false
		}
		if br < ar && op.IsCommutative() {
			at, av, bt, bv = bt, bv, at, av
		}
		if len(ops) > 2 {
			if ct, cv, _, ok = operandParts(ops[2]); !ok {
				return 0, false
			}
		}
	}
	return mixKey(hdr, at, av, bt, bv, ct, cv), true
}

// keyedOps are the operations keyInto gives a key (with valid operands
// and types), by opcode.
var keyedOps = func() (t [256]bool) {
	for i := range t {
		op := ir.Op(i)
		t[i] = op.IsBinary() || op == ir.OpFCmp || op == ir.OpICmp || op == ir.OpFNeg || op.IsCast() || op == ir.OpSelect || op == ir.OpGEP
	}
	return t
}()

// operandParts is operandKey's tag and value of v, with v's rank.
func operandParts(v ir.Value) (tag, val uint64, rank int, ok bool) {
	switch c := v.(type) {
	case *ir.Param:
		return 1, uint64(c.Index), c.Index, true
	case *ir.Instr:
		return 2, uint64(c.ID), c.ID, true
	case *ir.ConstFloat:
		return 3 | uint64(c.Typ.Bits)<<8, math.Float64bits(c.V), math.MaxInt32, true
	case *ir.ConstInt:
		return 4 | uint64(c.Typ.Bits)<<8, uint64(c.V), math.MaxInt32, true
	}
	return 0, 0, 0, false
}

// gvnScratch is GVN's working memory, reused from function to function
// (a fresh value table per function was a fifth of the optimiser's
// allocation).
type gvnScratch struct {
	table map[gvnKey]*ir.Instr
	avail map[ir.Value]ir.Value
	log   []gvnKey // keys to delete when the walk leaves their block
	seen  gvnKeySet
}

var gvnPool = sync.Pool{New: func() any {
	return &gvnScratch{table: make(map[gvnKey]*ir.Instr), avail: make(map[ir.Value]ir.Value)}
}}

// put empties the scratch and returns it to the pool; tables grown large
// by a big function are dropped rather than cleared again and again.
func (sc *gvnScratch) put() {
	const keep = 4096
	if len(sc.table) > keep || cap(sc.log) > keep {
		// The table held up to cap(sc.log) entries.
		sc.table = make(map[gvnKey]*ir.Instr)
		sc.log = nil
	} else {
		clear(sc.table)
	}
	if len(sc.avail) > keep {
		sc.avail = make(map[ir.Value]ir.Value)
	} else {
		clear(sc.avail)
	}
	sc.log = sc.log[:0]
	if cap(sc.seen.slots) > 4*keep {
		sc.seen = gvnKeySet{}
	}
	gvnPool.Put(sc)
}

func samePhi(p, q *ir.Instr, rep replacer) bool {
	if !p.Typ.Equal(q.Typ) || len(p.Ops) != len(q.Ops) {
		return false
	}
	for i := range p.Ops {
		v := q.Incoming(p.Blocks[i])
		if v == nil || !sameValue(rep.resolve(v), rep.resolve(p.Ops[i])) {
			return false
		}
	}
	return true
}
