package amd64

import (
	"math/bits"
	"slices"
	"sort"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
)

// Register allocation: liveness by iterative data flow over the machine
// blocks, live intervals with holes (lists of [from, to) ranges over
// instruction positions), and linear scan. Positions: instruction i of the
// layout reads its operands at 2i and writes its results at 2i+1; a "late"
// operand is still read at 2i+1, so it cannot share a register with the
// result. Physical registers appear as fixed intervals (argument set-up,
// results, division), which the scan treats as already allocated; a
// call's clobbers of the caller-saved registers are kept once, in
// ra.calls, rather than as a range of each register's interval.
// Intervals are not split: a virtual register that does not get a
// register lives in a stack slot for its whole life, and the emitter
// reloads it through reserved scratch registers (r10, r11, xmm15).

type rng struct{ from, to int32 }

// interval is a virtual register's live ranges, rs, disjoint and in
// descending order of position: the backward walk that builds them adds
// each range before the ones already there, at the list's end, and the
// list is read in that order (it was reversed once built, a pass over
// every interval).
type interval struct {
	rs       []rng
	reg      asm.Reg // allocated register, or asm.NoReg
	spill    int32   // spill slot, or -1
	weight   float32
	hintPhys asm.Reg
	hintV    vreg
	remat    bool  // a float constant: "spilling" reloads it from the pool
	bits     int64 // its value
}

func (iv *interval) start() int32 { return iv.rs[len(iv.rs)-1].from }
func (iv *interval) end() int32   { return iv.rs[0].to }

type regAlloc struct {
	ivs  []interval
	live []uint64 // scratch bitset
	// liveIn, gen and kill hold a bit set of liveW words per block,
	// block b's at words b*liveW to (b+1)*liveW (one array each, not a
	// slice per block: the data-flow loops index them without loading a
	// slice header per block).
	liveIn   []uint64
	gen      []uint64
	kill     []uint64
	liveW    int
	order    []vreg
	assigned [numPhys][]vreg
	nSpill   int32
	used     [numPhys]bool // registers assigned to something
	count    []int32       // scratch of sortByStart
	// defs holds every definition of a virtual register the interval
	// walk met, in the walk's (descending) order of position; multiDef
	// is set when one instruction defined two virtual registers (then
	// defs' order does not break the tie by number); noFwdPred when a
	// block of the layout but its first has no predecessor before it.
	// orderByDefs builds the allocation order from them.
	defs      []vreg
	multiDef  bool
	noFwdPred bool
	fwdPred   []bool // scratch of allocate: by block
	// calls holds [p+1, p+2) for every call at position p, in descending
	// order: the points where every caller-saved register is defined
	// (clobbered).
	calls     []rng
	layoutIdx []int32 // scratch of allocate: layout index by block
	// occ holds, for each physical register r, a bit set of the
	// positions where it is taken (its fixed interval and the intervals
	// assigned to it): word k of r's set is occ[k*numPhys+r], so the
	// registers' words for one word of positions lie together (most
	// intervals fit in one word: allocBits tests every register there
	// through one row). The calls' clobber points, taken in every
	// caller-saved register, are in callb alone. ivb is the current
	// interval's set. free is a few word ANDs, where walking the range
	// lists of every interval assigned to r was most of allocOne.
	occ    []uint64
	ivb    []uint64
	callb  []uint64
	header []bool // scratch of allocate: by block, the target of a back edge
	// succ holds block b's successors (succs) at 2b and 2b+1, for the
	// blocks of the layout: liveOut reads them, twice or more per block.
	succ []int32
}

// callerSavedMask has bit r set for every caller-saved register r
// (callerSaved; all are below 64).
var callerSavedMask = func() uint64 {
	var m uint64
	for _, r := range callerSaved {
		m |= 1 << r
	}
	return m
}()

// fullSearch turns off allocOne's short cut for intervals live across a
// call (tests check that it does not change the allocation).
var fullSearch = false

// fullLiveness makes allocate repeat the liveness passes until no set
// changes, not only while a loop header's does (tests check that it does
// not change the allocation).
var fullLiveness = false

// countingSortOnly makes allocate order the intervals by sortByStart
// always, not by orderByDefs (tests check that the order is the same).
var countingSortOnly = false

// checkOrder, when set (by tests), is given each order orderByDefs
// builds and the one sortByStart builds for the same intervals.
var checkOrder func(byDefs, sorted []vreg)

// calleeSavedGPRs is gprOrder without the caller-saved registers: the
// registers an interval live across a call can get (every caller-saved
// register's fixed interval holds the call's clobber point).
var calleeSavedGPRs = func() []asm.Reg {
	var o []asm.Reg
	for _, r := range gprOrder {
		if callerSavedMask&(1<<r) == 0 {
			o = append(o, r)
		}
	}
	return o
}()

// Allocation orders: caller-saved registers first (no save cost), then
// callee-saved ones, which values live across calls end up in. r10, r11
// and xmm15 are reserved as scratch registers for the emitter; rsp is the
// stack pointer.
var (
	gprOrder = []asm.Reg{asm.RAX, asm.RCX, asm.RDX, asm.RSI, asm.RDI, asm.R8, asm.R9, asm.RBX, asm.R12, asm.R13, asm.R14, asm.R15, asm.RBP}
	xmmOrder = []asm.Reg{asm.X0, asm.X1, asm.X2, asm.X3, asm.X4, asm.X5, asm.X6, asm.X7, asm.X8, asm.X9, asm.X10, asm.X11, asm.X12, asm.X13, asm.X14}
)

// gprOrderMask and xmmOrderMask have bit r set for every register r of
// gprOrder and xmmOrder (all below 64); rbp is gprOrder's last.
var (
	gprOrderMask = regMask(gprOrder)
	xmmOrderMask = regMask(xmmOrder)
)

func regMask(rs []asm.Reg) uint64 {
	var m uint64
	for _, r := range rs {
		m |= 1 << r
	}
	return m
}

const (
	scratchGPR  = asm.R11
	scratchGPR2 = asm.R10
	scratchXMM  = asm.X15
)

// opUse is a register operand read by a machine instruction; late: it is
// still read when the result is written (so the two cannot share a
// register).
type opUse struct {
	v    vreg
	late bool
}

// operands returns the registers m reads and writes, in scratch slices
// of fc that the next call overwrites, except a call's clobbers of the
// caller-saved registers, which allocate handles in bulk
// (callerSavedMask): a call clobbers 25 registers, and an operand each
// was a third of the operand walk's time in a lazy compile's profile.
// (A walk calling a use and a def callback per operand cost an indirect
// call each; filling two small slices that the caller loops over is
// plain code the compiler inlines.)
func (fc *fnCompiler) operands(m *minst) (uses []opUse, defs []vreg) {
	uses, defs = fc.opUses[:0], fc.opDefs[:0]
	switch m.op {
	case mEntry:
		defs = append(defs, fc.entry...)
	case mLandPad:
		defs = append(defs, vreg(asm.RAX), vreg(asm.RDX))
	case mCall:
		ci := &fc.calls[m.imm]
		for _, r := range ci.uses {
			uses = append(uses, opUse{r, false})
		}
		if m.a != noVReg {
			uses = append(uses, opUse{m.a, false})
		}
	case mDiv:
		uses = append(uses, opUse{vreg(asm.RAX), false}, opUse{m.b, false})
		defs = append(defs, vreg(asm.RAX), vreg(asm.RDX))
	case mAtomic:
		base := m.addr.kind == addrBase && m.sub != atomFence
		switch m.sub {
		case atomXchg, atomXadd:
			// dst is written before the address is used.
			uses = append(uses, opUse{m.a, false})
			if base {
				uses = append(uses, opUse{m.addr.base, true})
			}
			defs = append(defs, m.dst)
		case atomLoop:
			// The loop reads a and the address after writing rax.
			uses = append(uses, opUse{m.a, true})
			if base {
				uses = append(uses, opUse{m.addr.base, true})
			}
			defs = append(defs, vreg(asm.RAX))
		case atomCmpxchg:
			uses = append(uses, opUse{vreg(asm.RAX), false}, opUse{m.b, false})
			if base {
				uses = append(uses, opUse{m.addr.base, false})
			}
			defs = append(defs, vreg(asm.RAX), m.dst)
		}
	case mRet:
		if m.a != noVReg {
			uses = append(uses, opUse{m.a, false})
		}
		// A struct's fields returned in several registers (bit r: phys r).
		for mask := uint64(m.imm); mask != 0; mask &= mask - 1 {
			uses = append(uses, opUse{vreg(bits.TrailingZeros64(mask)), false})
		}
	default:
		if m.a != noVReg {
			uses = append(uses, opUse{m.a, m.flags&flLateA != 0})
		}
		if m.b != noVReg {
			uses = append(uses, opUse{m.b, m.flags&flLateB != 0})
		}
		if m.c != noVReg {
			uses = append(uses, opUse{m.c, true})
		}
		if readsAddr(m.op) && m.addr.kind == addrBase {
			uses = append(uses, opUse{m.addr.base, false})
		}
		if m.dst != noVReg {
			defs = append(defs, m.dst)
		}
	}
	// Kept only when an append grew them: storing the slices back on
	// every call cost a write barrier each while the GC was marking.
	if cap(uses) > cap(fc.opUses) {
		fc.opUses = uses
	}
	if cap(defs) > cap(fc.opDefs) {
		fc.opDefs = defs
	}
	return uses, defs
}

func (fc *fnCompiler) succs(b *mblock) (int32, int32) {
	if len(b.insts) == 0 {
		return -1, -1
	}
	last := &b.insts[len(b.insts)-1]
	switch last.op {
	case mJmp:
		if last.flags&flUnwind != 0 {
			return last.t, last.f
		}
		return last.t, -1
	case mBr, mCmpBr, mFCmpBr:
		return last.t, last.f
	}
	return -1, -1
}

func words(n int) int { return (n + 63) / 64 }

func (fc *fnCompiler) allocate() {
	ra := &fc.ra
	nv := len(fc.class)
	nb := len(fc.blocks)
	w := words(nv)

	// Positions and loop depths.
	pos := int32(0)
	for _, bi := range fc.layout {
		b := &fc.blocks[bi]
		b.from = pos
		pos += 2 * int32(len(b.insts))
		b.to = pos
		b.depth = 0
	}
	if cap(ra.layoutIdx) < nb {
		ra.layoutIdx = make([]int32, nb)
	}
	layoutIdx := ra.layoutIdx[:nb]
	for i, bi := range fc.layout {
		layoutIdx[bi] = int32(i)
	}
	// header[b]: b is the target of a back edge (an edge to a block at
	// or before its source in the layout).
	ra.header = append(ra.header[:0], make([]bool, nb)...)
	header := ra.header
	if cap(ra.succ) < 2*nb {
		ra.succ = make([]int32, 2*nb)
	}
	ra.succ = ra.succ[:2*nb]
	// fwdPred[b]: b has a predecessor before it in the layout
	// (orderByDefs).
	ra.fwdPred = append(ra.fwdPred[:0], make([]bool, nb)...)
	for i, bi := range fc.layout {
		b := &fc.blocks[bi]
		t, f := fc.succs(b)
		ra.succ[2*bi], ra.succ[2*bi+1] = t, f
		for _, s := range [2]int32{t, f} {
			if s < 0 {
				continue
			}
			if layoutIdx[s] > int32(i) {
				ra.fwdPred[s] = true
				continue
			}
			header[s] = true
			for j := layoutIdx[s]; j <= int32(i); j++ {
				fc.blocks[fc.layout[j]].depth++
			}
		}
	}
	ra.noFwdPred = false
	for _, bi := range fc.layout[min(1, len(fc.layout)):] {
		if !ra.fwdPred[bi] {
			ra.noFwdPred = true
		}
	}

	// Local gen/kill sets.
	ra.liveW = w
	ra.gen = growWords(ra.gen, nb*w)
	ra.kill = growWords(ra.kill, nb*w)
	ra.liveIn = growWords(ra.liveIn, nb*w)
	for bi := range fc.blocks {
		gen, kill := ra.gen[bi*w:(bi+1)*w], ra.kill[bi*w:(bi+1)*w]
		insts := fc.blocks[bi].insts
		for k := range insts {
			m := &insts[k]
			if plainOperands(m.op) {
				// operands' default case, without its slices.
				if m.a != noVReg {
					genUse(gen, kill, m.a)
				}
				if m.b != noVReg {
					genUse(gen, kill, m.b)
				}
				if m.c != noVReg {
					genUse(gen, kill, m.c)
				}
				if m.addr.kind == addrBase && readsAddr(m.op) {
					genUse(gen, kill, m.addr.base)
				}
				if m.dst != noVReg {
					kill[uint32(m.dst)>>6] |= 1 << (uint32(m.dst) & 63)
				}
				continue
			}
			uses, defs := fc.operands(m)
			for _, u := range uses {
				genUse(gen, kill, u.v)
			}
			for _, v := range defs {
				kill[uint32(v)>>6] |= 1 << (uint32(v) & 63)
			}
			if m.op == mCall {
				kill[0] |= callerSavedMask
			}
		}
	}
	// Iterate liveIn = gen | (liveOut &^ kill) to a fixed point. The
	// layout lists every block after its predecessors but for back edges
	// (split edge blocks follow their source), so walking it backwards
	// sees each block's successors first, updated in the same pass, but
	// for the targets of back edges (headers), whose sets are the previous
	// pass's: another pass is needed only when a header's set changed.
	// Without a loop that is one pass, with one loop usually two; passes
	// until nothing changed at all were one more each time, which only
	// confirmed the result.
	if cap(ra.live) < w {
		ra.live = make([]uint64, w)
	}
	live := ra.live[:w]
	for again := true; again; {
		again = false
		for i := len(fc.layout) - 1; i >= 0; i-- {
			bi := fc.layout[i]
			fc.liveOut(bi, live)
			o := int(bi) * w
			in, gen, kill := ra.liveIn[o:o+w], ra.gen[o:o+w], ra.kill[o:o+w]
			for k := range live {
				n := gen[k] | live[k]&^kill[k]
				if n != in[k] {
					in[k] = n
					if header[bi] || fullLiveness {
						again = true
					}
				}
			}
		}
	}

	// Intervals.
	for cap(ra.ivs) < nv {
		ra.ivs = append(ra.ivs[:cap(ra.ivs)], interval{})
	}
	ra.ivs = ra.ivs[:nv]
	for i := range ra.ivs {
		iv := &ra.ivs[i]
		iv.rs = iv.rs[:0]
		iv.reg = asm.NoReg
		iv.spill = -1
		iv.weight = 0
		iv.hintPhys = asm.NoReg
		iv.hintV = noVReg
		iv.remat = false
		if i < numPhys {
			iv.reg = asm.Reg(i)
		}
	}
	ra.calls = ra.calls[:0]
	ra.defs = ra.defs[:0]
	ra.multiDef = false
	for i := len(fc.layout) - 1; i >= 0; i-- {
		bi := fc.layout[i]
		b := &fc.blocks[bi]
		fc.liveOut(bi, live)
		for k, word := range live {
			for word != 0 {
				j := trailingZeros(word)
				word &= word - 1
				ra.addRange(vreg(k*64+j), b.from, b.to)
			}
		}
		wt := float32(1)
		for d := int32(0); d < b.depth && d < 6; d++ {
			wt *= 10
		}
		for k := len(b.insts) - 1; k >= 0; k-- {
			m := &b.insts[k]
			p := b.from + 2*int32(k)
			if plainOperands(m.op) {
				// operands' default case, without its slices: the
				// definition, then the uses in operands' order.
				if v := m.dst; v != noVReg {
					// def, inline (it is over the inliner's budget).
					iv := &ra.ivs[v]
					iv.weight += wt
					w, bit := uint32(v)>>6, uint64(1)<<(uint32(v)&63)
					if live[w]&bit == 0 {
						iv.addRange(p+1, p+2) // dead definition
					} else {
						iv.rs[len(iv.rs)-1].from = p + 1
						live[w] &^= bit
					}
					if v >= numPhys {
						ra.defs = append(ra.defs, v)
					}
				}
				if m.a != noVReg {
					ra.use(live, m.a, b.from, p+1+int32((m.flags&flLateA)/flLateA), wt)
				}
				if m.b != noVReg {
					ra.use(live, m.b, b.from, p+1+int32((m.flags&flLateB)/flLateB), wt)
				}
				if m.c != noVReg {
					ra.use(live, m.c, b.from, p+2, wt)
				}
				if m.addr.kind == addrBase && readsAddr(m.op) {
					ra.use(live, m.addr.base, b.from, p+1, wt)
				}
			} else {
				if m.op == mCall {
					// The clobbers: a definition of every caller-saved
					// register at p+1, as def below makes it, for those
					// live after the call (a result). A dead one (the
					// clobber point alone) gets no range: ra.calls holds
					// the point for every caller-saved register
					// (ra.callb in the scan), which saved a range per
					// register and call. (The weight of a physical
					// register's interval is never read.)
					for mask := live[0] & callerSavedMask; mask != 0; mask &= mask - 1 {
						iv := &ra.ivs[trailingZeros(mask)]
						iv.rs[len(iv.rs)-1].from = p + 1
					}
					live[0] &^= callerSavedMask
					ra.calls = append(ra.calls, rng{p + 1, p + 2})
				}
				uses, defs := fc.operands(m)
				nd := len(ra.defs)
				for _, v := range defs {
					ra.def(live, v, p, wt)
					if v >= numPhys {
						ra.defs = append(ra.defs, v)
					}
				}
				if len(ra.defs) > nd+1 {
					ra.multiDef = true
				}
				for _, u := range uses {
					end := p + 1
					if u.late {
						end = p + 2
					}
					ra.use(live, u.v, b.from, end, wt)
				}
			}
			// Hints for coalescing.
			switch m.op {
			case mCopy:
				fc.hint(m.dst, m.a)
				fc.hint(m.a, m.dst)
			case mAlu, mImul, mSse, mShift, mFNeg, mExt, mSelect:
				fc.hint(m.dst, m.a)
			}
		}
	}
	for _, c := range fc.fconsts {
		iv := &ra.ivs[c.v]
		iv.remat, iv.bits = true, int64(c.bits)
		iv.weight *= 0.25
	}

	// Linear scan, in order of start position (ties by number).
	if ra.multiDef || ra.noFwdPred || countingSortOnly || !ra.orderByDefs(live) {
		ra.sortByStart(nv, pos)
	} else if checkOrder != nil {
		fast := slices.Clone(ra.order)
		ra.sortByStart(nv, pos)
		checkOrder(fast, ra.order)
	}
	for r := range ra.assigned {
		ra.assigned[r] = ra.assigned[r][:0]
	}
	ra.used = [numPhys]bool{}
	ra.nSpill = 0
	ow := words(int(pos))
	ra.occ = growWords(ra.occ, numPhys*ow)
	ra.ivb = growWords(ra.ivb, ow)
	ra.callb = growWords(ra.callb, ow)
	for _, x := range ra.calls {
		setBits(ra.callb, x.from, x.to)
	}
	for r := range numPhys {
		for _, x := range ra.ivs[r].rs {
			setRegBits(ra.occ, r, x.from, x.to)
		}
	}
	for _, v := range ra.order {
		fc.allocOne(v)
	}
}

// growWords returns s resized to n words, all zero.
func growWords(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// setBits sets the bits of positions [from, to) in b.
func setBits(b []uint64, from, to int32) {
	if from >= to {
		return
	}
	lo, hi := from>>6, (to-1)>>6
	fm := ^uint64(0) << (from & 63)
	lm := ^uint64(0) >> (63 - (to-1)&63)
	if lo == hi {
		b[lo] |= fm & lm
		return
	}
	b[lo] |= fm
	for k := lo + 1; k < hi; k++ {
		b[k] = ^uint64(0)
	}
	b[hi] |= lm
}

// setRegBits sets the bits of positions [from, to) in register r's set
// of occ (regAlloc.occ's layout: word k of r's set at k*numPhys+r).
func setRegBits(occ []uint64, r int, from, to int32) {
	if from >= to {
		return
	}
	lo, hi := int(from>>6), int((to-1)>>6)
	fm := ^uint64(0) << (from & 63)
	lm := ^uint64(0) >> (63 - (to-1)&63)
	if lo == hi {
		occ[lo*numPhys+r] |= fm & lm
		return
	}
	occ[lo*numPhys+r] |= fm
	for k := lo + 1; k < hi; k++ {
		occ[k*numPhys+r] = ^uint64(0)
	}
	occ[hi*numPhys+r] |= lm
}

// clearRegBits clears the bits of positions [from, to) in register r's
// set of occ.
func clearRegBits(occ []uint64, r int, from, to int32) {
	if from >= to {
		return
	}
	lo, hi := int(from>>6), int((to-1)>>6)
	fm := ^uint64(0) << (from & 63)
	lm := ^uint64(0) >> (63 - (to-1)&63)
	if lo == hi {
		occ[lo*numPhys+r] &^= fm & lm
		return
	}
	occ[lo*numPhys+r] &^= fm
	for k := lo + 1; k < hi; k++ {
		occ[k*numPhys+r] = 0
	}
	occ[hi*numPhys+r] &^= lm
}

// plainOperands reports whether operands handles op in its default
// case: reads a, b, c (late) and, for a load, store, lea or x87
// operation, the base of the address (readsAddr); writes dst. The allocator's walks handle these inline.
func plainOperands(op mop) bool { return opFlags[op]&opPlain != 0 }

// opFlags holds plainOperands and readsAddr by op: one load where the
// switches were several compares, twice per instruction in allocate.
var opFlags = func() (t [256]uint8) {
	for op := range t {
		switch mop(op) {
		case mEntry, mCall, mDiv, mAtomic, mRet, mLandPad:
		default:
			t[op] |= opPlain
		}
		switch mop(op) {
		case mLoad, mStore, mLea, mX87:
			t[op] |= opReadsAddr
		}
	}
	return t
}()

const (
	opPlain = 1 << iota
	opReadsAddr
)

// readsAddr reports whether a plain op reads the base register of its
// address (operands' default case and the walks' inline copies of it
// must agree: an x87 operation's address missed by one of them shared
// its register with a value defined while it was live).
func readsAddr(op mop) bool { return opFlags[op]&opReadsAddr != 0 }

// genUse records a read of v in a block's local sets: v is in gen
// unless the block defined it before.
func genUse(gen, kill []uint64, v vreg) {
	w, bit := uint32(v)>>6, uint64(1)<<(uint32(v)&63)
	if kill[w]&bit == 0 {
		gen[w] |= bit
	}
}

// addRange adds [from, to) to v's interval, which the backward walk
// builds from its last range to its first: it merges with the range
// added last when they touch or overlap.
func (ra *regAlloc) addRange(v vreg, from, to int32) {
	ra.ivs[v].addRange(from, to)
}

// addRange is regAlloc.addRange on iv.
func (iv *interval) addRange(from, to int32) {
	if n := len(iv.rs); n > 0 {
		last := &iv.rs[n-1]
		if to >= last.from {
			last.from = min(last.from, from)
			last.to = max(last.to, to)
			return
		}
	}
	iv.rs = append(iv.rs, rng{from, to})
}

// def is the backward walk's definition of v at position p+1: it ends
// the live range the uses after it started, or is a dead definition.
func (ra *regAlloc) def(live []uint64, v vreg, p int32, wt float32) {
	iv := &ra.ivs[v]
	iv.weight += wt
	w, bit := uint32(v)>>6, uint64(1)<<(uint32(v)&63)
	if live[w]&bit == 0 {
		iv.addRange(p+1, p+2) // dead definition
	} else {
		iv.rs[len(iv.rs)-1].from = p + 1
		live[w] &^= bit
	}
}

// use is the backward walk's read of v before position end in a block
// starting at from: v is live from the block's start (until a
// definition before the read cuts the range).
func (ra *regAlloc) use(live []uint64, v vreg, from, end int32, wt float32) {
	iv := &ra.ivs[v]
	iv.weight += wt
	// addRange, where every range already added starts at or after
	// from (the block's start): a merge starts at from, and it ends
	// where it did (the range it merges with is the block's live-out
	// range, a later read's in the block, or this instruction's
	// definition's, each ending at or after end).
	if n := len(iv.rs); n > 0 && end >= iv.rs[n-1].from {
		iv.rs[n-1].from = from
	} else {
		iv.rs = append(iv.rs, rng{from, end})
	}
	live[uint32(v)>>6] |= 1 << (uint32(v) & 63)
}

// orderByDefs sets ra.order to the virtual registers numPhys..nv-1 that
// have an interval, sorted by start position and then by number, from
// the definitions the interval walk recorded, and reports whether it
// could; live holds the values live into the layout's first block
// (the walk's state at its end), and it is used as scratch.
//
// Every range of an interval starts at a definition (position p+1, odd)
// or at a block's start (even) where the value is live in. A value
// live into a block is live out of each of its predecessors; when each
// block but the first has a predecessor before it in the layout
// (!ra.noFwdPred), the value's range reaches back into that one, so an
// interval can start at a block's start only at the first block's,
// position 0: a value live into the function (used before any
// definition), in live. Without those, every interval starts at its
// lowest definition, the one the backward walk met last: ra.defs read
// backwards, each register taken at its first occurrence, is the order
// by start, and by number among equal starts, as one position defines
// one virtual register unless ra.multiDef. (The counting sort's passes
// over every position were most of the allocator's ordering.)
func (ra *regAlloc) orderByDefs(live []uint64) bool {
	if live[0]>>numPhys != 0 {
		return false
	}
	for _, x := range live[1:] {
		if x != 0 {
			return false
		}
	}
	seen := live // all zero now but for physical registers
	order := ra.order[:0]
	for i := len(ra.defs) - 1; i >= 0; i-- {
		v := ra.defs[i]
		w, bit := uint32(v)>>6, uint64(1)<<(uint32(v)&63)
		if seen[w]&bit == 0 {
			seen[w] |= bit
			order = append(order, v)
		}
	}
	ra.order = order
	return true
}

// sortByStart sets ra.order to the virtual registers numPhys..nv-1 that
// have an interval, sorted by start position and then by number: a
// counting sort over the positions (all below end), which is linear where
// a comparison sort was a twentieth of the allocator's time.
func (ra *regAlloc) sortByStart(nv int, end int32) {
	n := int(end) + 2
	if cap(ra.count) < n {
		ra.count = make([]int32, n)
	}
	count := ra.count[:n]
	clear(count)
	total := 0
	for v := numPhys; v < nv; v++ {
		if rs := ra.ivs[v].rs; len(rs) > 0 {
			count[rs[len(rs)-1].from+1]++
			total++
		}
	}
	for i := 1; i < n; i++ {
		count[i] += count[i-1]
	}
	if cap(ra.order) < total {
		ra.order = make([]vreg, total)
	}
	ra.order = ra.order[:total]
	for v := numPhys; v < nv; v++ {
		if rs := ra.ivs[v].rs; len(rs) > 0 {
			at := &count[rs[len(rs)-1].from]
			ra.order[*at] = vreg(v)
			*at++
		}
	}
}

// trailingZeros is the index of x's lowest set bit (x != 0).
func trailingZeros(x uint64) int { return bits.TrailingZeros64(x) }

// liveOut sets out to the union of block bi's successors' live-in sets.
func (fc *fnCompiler) liveOut(bi int32, out []uint64) {
	ra := &fc.ra
	t, f := ra.succ[2*bi], ra.succ[2*bi+1]
	w := len(out) // ra.liveW
	switch {
	case t >= 0 && f >= 0:
		a, b := ra.liveIn[int(t)*w:][:w], ra.liveIn[int(f)*w:][:w]
		for k := range out {
			out[k] = a[k] | b[k]
		}
	case t >= 0:
		a := ra.liveIn[int(t)*w:][:w]
		for k := range out { // a loop, not copy: a call for 1-3 words
			out[k] = a[k]
		}
	default:
		clear(out)
	}
}

// in returns block b's live-in set.
func (ra *regAlloc) in(b int32) []uint64 {
	return ra.liveIn[int(b)*ra.liveW : int(b+1)*ra.liveW]
}

// hint records that v would like the register of other.
func (fc *fnCompiler) hint(v, other vreg) {
	if v < numPhys || other == noVReg {
		return
	}
	iv := &fc.ra.ivs[v]
	if other < numPhys {
		if iv.hintPhys == asm.NoReg {
			iv.hintPhys = asm.Reg(other)
		}
		return
	}
	if iv.hintV == noVReg {
		iv.hintV = other
	}
}

// intersects reports whether two range lists (in descending order, as
// intervals keep them) overlap. It walks them from their ends, in
// ascending order.
func intersects(a, b []rng) bool {
	i, j := len(a)-1, len(b)-1
	if len(b) > 8 {
		// Skip ranges of b that end before a starts (b's last ones).
		start := a[i].from
		j = sort.Search(len(b), func(k int) bool { return b[k].to <= start }) - 1
	}
	for i >= 0 && j >= 0 {
		if a[i].to <= b[j].from {
			i--
		} else if b[j].to <= a[i].from {
			j--
		} else {
			return true
		}
	}
	return false
}

// free reports whether register r is free over the positions of the
// current interval, words lo to hi of ra.ivb: neither its fixed
// interval nor an interval assigned to it holds one of them. (The
// calls' clobber points are not in occ: allocBits checks them once per
// interval, as cross.)
func (ra *regAlloc) free(r asm.Reg, lo, hi int) bool {
	for k := lo; k <= hi; k++ {
		if ra.occ[k*numPhys+int(r)]&ra.ivb[k] != 0 {
			return false
		}
	}
	return true
}

// hitsCalls reports whether the current interval holds a call's
// clobber point.
func (ra *regAlloc) hitsCalls(lo, hi int) bool {
	for k := lo; k <= hi; k++ {
		if ra.callb[k]&ra.ivb[k] != 0 {
			return true
		}
	}
	return false
}

func (fc *fnCompiler) allocOne(v vreg) {
	ra := &fc.ra
	iv := &ra.ivs[v]
	for _, x := range iv.rs {
		if lo := x.from >> 6; lo == (x.to-1)>>6 && x.from < x.to {
			// Within a word (most ranges): setBits' first case, inline.
			ra.ivb[lo] |= ^uint64(0) << (x.from & 63) & (^uint64(0) >> (63 - (x.to-1)&63))
		} else {
			setBits(ra.ivb, x.from, x.to)
		}
	}
	lo, hi := int(iv.start()>>6), int((iv.end()-1)>>6)
	fc.allocBits(v, iv, lo, hi)
	for k := lo; k <= hi; k++ { // a loop, not clear: a call for 1-3 words
		ra.ivb[k] = 0
	}
}

// allocBits gives v a register or a spill slot; ra.ivb holds its
// interval's positions in words lo to hi.
func (fc *fnCompiler) allocBits(v vreg, iv *interval, lo, hi int) {
	ra := &fc.ra
	// orderMask has bit r set for every register r of order.
	order, orderMask := gprOrder, gprOrderMask
	if fc.class[v] == classXMM {
		order, orderMask = xmmOrder, xmmOrderMask
	} else if fc.dynStack {
		order = gprOrder[:len(gprOrder)-1] // rbp is the frame pointer
		orderMask &^= 1 << asm.RBP
	}
	// Most intervals lie within one word of positions (lo == hi): then
	// m is that word of ra.ivb and row the registers' words of occ
	// there, and a register's test is one AND.
	one := lo == hi
	m := ra.ivb[lo]
	row := (*[numPhys]uint64)(ra.occ[lo*numPhys:])
	// cross: iv holds a call's clobber point, part of every caller-saved
	// register's fixed interval (kept in ra.callb, not in occ).
	cross := false
	if len(ra.calls) > 0 {
		if one {
			cross = ra.callb[lo]&m != 0
		} else {
			cross = ra.hitsCalls(lo, hi)
		}
	}
	if cross && !fullSearch {
		// Live across a call: every caller-saved register's fixed
		// interval intersects iv's, so none can be taken or evicted
		// from. All xmm registers are caller-saved: iv is spilled, as
		// the search below would conclude after trying each.
		if fc.class[v] == classXMM {
			fc.spill(iv)
			return
		}
		order, orderMask = calleeSavedGPRs, gprOrderMask&^callerSavedMask
		if fc.dynStack {
			order = order[:len(order)-1]
			orderMask &^= 1 << asm.RBP
		}
	}
	// take assigns r (of order) to v if r is free for v's interval.
	take := func(r asm.Reg) bool {
		if cross && callerSavedMask&(1<<r) != 0 {
			return false
		}
		if one {
			if row[r&(numPhys-1)]&m != 0 {
				return false
			}
			row[r&(numPhys-1)] |= m
		} else {
			if !ra.free(r, lo, hi) {
				return false
			}
			for k := lo; k <= hi; k++ {
				ra.occ[k*numPhys+int(r)] |= ra.ivb[k]
			}
		}
		iv.reg = r
		ra.assigned[r] = append(ra.assigned[r], v)
		ra.used[r] = true
		return true
	}
	// try is take for a hinted register, which may be of the other class.
	try := func(r asm.Reg) bool {
		return r != asm.NoReg && orderMask&(1<<r) != 0 && take(r)
	}
	if try(iv.hintPhys) {
		return
	}
	if iv.hintV != noVReg && try(ra.ivs[iv.hintV].reg) {
		return
	}
	// Prefer a register some later copy wants (phi temporaries and
	// argument set-up hint backwards through hintV of the other side).
	for _, r := range order {
		if take(r) {
			return
		}
	}
	// No register is free for the whole interval: evict cheaper
	// intervals or spill this one. (assigned[r] also holds intervals
	// that ended before iv starts; they do not intersect it.)
	myW := iv.weight / float32(iv.end()-iv.start()+1)
	best, bestW := asm.NoReg, myW
	for _, r := range order {
		if fixed := ra.ivs[r].rs; len(fixed) > 0 && intersects(iv.rs, fixed) {
			continue
		}
		if cross && callerSavedMask&(1<<r) != 0 {
			continue // the calls' clobbers are part of r's fixed interval
		}
		var sum float32
		for _, o := range ra.assigned[r] {
			oi := &ra.ivs[o]
			if intersects(iv.rs, oi.rs) {
				sum += oi.weight / float32(oi.end()-oi.start()+1)
			}
		}
		if sum < bestW {
			best, bestW = r, sum
		}
	}
	if best == asm.NoReg {
		fc.spill(iv)
		return
	}
	l := ra.assigned[best]
	j := 0
	for _, o := range l {
		oi := &ra.ivs[o]
		if intersects(iv.rs, oi.rs) {
			oi.reg = asm.NoReg
			fc.spill(oi)
			for _, x := range oi.rs {
				clearRegBits(ra.occ, int(best), x.from, x.to)
			}
		} else {
			l[j] = o
			j++
		}
	}
	ra.assigned[best] = append(l[:j], v)
	for k := lo; k <= hi; k++ {
		ra.occ[k*numPhys+int(best)] |= ra.ivb[k]
	}
	iv.reg = best
	ra.used[best] = true
}

func (fc *fnCompiler) spill(iv *interval) {
	if iv.remat {
		iv.spill = -2
		return
	}
	iv.spill = fc.ra.nSpill
	fc.ra.nSpill++
}

// regAlloc.occ's registers are numbered below 32.
const _ = uint32(1) << (numPhys - 1)
