package amd64

import (
	"debug/elf"
	"fmt"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/objfile/elfw"
)

// C++ exceptions (clang++'s invoke, landingpad, resume): each invoke is a
// call whose return address range the function's LSDA (in
// .gcc_except_table) maps to a landing pad. The unwinder enters a landing
// pad with the exception in RAX and the selector in RDX and the
// callee-saved registers restored from the CFI; every value live into
// the pad is live across the call, so it is in a callee-saved register or
// a spill slot. Each unwind edge gets a machine block of its own (the
// address the LSDA names): it takes RAX and RDX into the landingpad's
// two values (mLandPad, then copies), does the edge's phi copies and
// jumps to the IR landing pad block. Functions with an LSDA have FDEs
// under a second CIE, augmentation "zPLR" with the personality routine;
// the others keep the plain CIE and their FDEs byte for byte.

// ehState is a function's exception-handling state (fnCompiler.eh).
type ehState struct {
	on      bool
	types   []ir.Value // the type table: selector i+1 is types[i] (nil: catch-all)
	sites   []ehSite   // the invokes' calls, in emission order
	blockPC []int      // by machine block: its offset in the text (raw, before Shrink)
}

// ehSite is one invoke's call: its code [start, end) and the landing pad
// (machine block lpad, reached with the landingpad instruction pad).
type ehSite struct {
	start, end int
	lpad       int32
	pad        *ir.Instr
}

func (eh *ehState) reset(f *ir.Function) {
	eh.on = f.HasEH()
	eh.types = eh.types[:0]
	eh.sites = eh.sites[:0]
	eh.blockPC = eh.blockPC[:0]
	if !eh.on {
		return
	}
	// The types in the order of their first catch clause, as LLVM
	// numbers them.
	for _, b := range f.Blocks {
		for _, in := range b.Instrs {
			if in.Op == ir.OpLandingPad {
				for _, c := range in.Ops {
					if ir.IsFilterClause(c) {
						for _, t := range ir.FilterTypes(c) {
							eh.typeIndex(t)
						}
						continue
					}
					eh.typeIndex(c)
				}
			}
		}
	}
}

// typeIndex is the selector of type-info value v (1-based), added to the
// table if new.
func (eh *ehState) typeIndex(v ir.Value) int {
	if _, ok := v.(*ir.ConstNull); ok {
		v = nil
	}
	for i, t := range eh.types {
		if t == v || (t != nil && v != nil && typeName(t) == typeName(v)) {
			return i + 1
		}
	}
	eh.types = append(eh.types, v)
	return len(eh.types)
}

func typeName(v ir.Value) string {
	switch x := v.(type) {
	case *ir.Global:
		return x.Name
	case *ir.Function:
		return x.Name
	}
	return v.Ident()
}

// landingPadOf is the landingpad instruction beginning block b.
func landingPadOf(b *ir.Block) *ir.Instr {
	n := len(b.Phis())
	if n < len(b.Instrs) && b.Instrs[n].Op == ir.OpLandingPad {
		return b.Instrs[n]
	}
	return nil
}

// selectInvoke lowers an invoke: the call, then a jump to the normal
// destination that also names the unwind edge's block (flUnwind), so
// that what the landing pad reads is live across the call.
func (fc *fnCompiler) selectInvoke(in *ir.Instr) {
	if len(in.Blocks) != 2 || in.Blocks[0] == nil || in.Blocks[1] == nil || !fc.eh.on {
		fc.failf(in, "malformed invoke")
		return
	}
	from, normal, unwind := in.Block, in.Blocks[0], in.Blocks[1]
	pad := landingPadOf(unwind)
	if pad == nil {
		fc.failf(in, "invoke's unwind destination %s does not begin with a landingpad", unwind.Ident())
		return
	}
	n := len(fc.calls)
	fc.selectCall(in)
	if fc.err != nil {
		return
	}
	if len(fc.calls) != n+1 {
		fc.failf(in, "invoke of %s is not a call", in.Ops[0].Ident())
		return
	}
	// The unwind edge's block.
	saved := fc.cur
	u := fc.newSplitBlock()
	fc.calls[n].lpad = u + 1
	fc.calls[n].pad = pad
	fc.cur = int(u)
	fc.emit(minst{op: mLandPad, dst: noVReg, a: noVReg, b: noVReg, c: noVReg})
	if pad.ID >= numPhys {
		fc.mov(vreg(pad.ID), vreg(asm.RAX))
		fc.mov(vreg(pad.ID+1), vreg(asm.RDX))
	}
	fc.phiCopies(from, unwind)
	fc.emit(minst{op: mJmp, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, t: int32(unwind.ID)})
	fc.cur = saved
	t := fc.edgeTarget(from, normal)
	fc.emit(minst{op: mJmp, flags: flUnwind, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, t: t, f: u})
}

// selectResume lowers resume: _Unwind_Resume(exception), which does not
// return.
func (fc *fnCompiler) selectResume(in *ir.Instr) {
	if !fc.hasOps(in, 2) {
		return
	}
	fc.lowerCall(in, fc.mc.externSym("_Unwind_Resume"), nil, in.Ops[:1], false)
	fc.emit(fc.inst(mUd2, noVReg, noVReg, noVReg))
}

// selectTypeIDFor lowers llvm.eh.typeid.for(@typeinfo): the type's
// selector in this function's LSDA.
func (fc *fnCompiler) selectTypeIDFor(in *ir.Instr) {
	if len(in.Ops) != 2 || !fc.eh.on {
		fc.failf(in, "llvm.eh.typeid.for outside a function with landing pads")
		return
	}
	if fc.useCount(in) == 0 {
		return
	}
	fc.emit(minst{op: mImm, dst: vreg(in.ID), a: noVReg, b: noVReg, c: noVReg, imm: int64(fc.eh.typeIndex(in.Ops[1]))})
}

func sleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// ulebLen is the length of v's ULEB128 encoding.
func ulebLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// exceptTable returns the module's .gcc_except_table.
func (mc *moduleCompiler) exceptTable() (*elfw.Section, error) {
	if s := mc.w.Section(".gcc_except_table"); s != nil {
		return s, nil
	}
	return mc.w.AddSection(".gcc_except_table", elf.SHT_PROGBITS, elf.SHF_ALLOC, 8)
}

// emitLSDA writes the function's LSDA once its code is final (after
// Shrink; moved maps a raw text offset to the final one) and returns its
// offset in .gcc_except_table. The call-site table covers the whole
// function: the invokes' calls with their landing pads and actions, the
// code between them with none (an exception from a plain call unwinds
// on; the personality terminates on an address the table does not
// cover).
func (fc *fnCompiler) emitLSDA(fnStart, fnEnd int, moved func(int) int) (int, error) {
	mc := fc.mc
	eh := &fc.eh
	sec, err := mc.exceptTable()
	if err != nil {
		return 0, fmt.Errorf("amd64: %w", err)
	}
	// The exception specifications of filter clauses, after the type
	// table: lists of ULEB128 type indices ending in 0; a filter's value
	// is -(1 + its list's offset).
	var specs []byte
	specOff := map[string]int{}
	filterValue := func(c ir.Value) int {
		var list []byte
		for _, t := range ir.FilterTypes(c) {
			list = uleb(list, uint64(eh.typeIndex(t)))
		}
		list = append(list, 0)
		off, ok := specOff[string(list)]
		if !ok {
			off = len(specs)
			specOff[string(list)] = off
			specs = append(specs, list...)
		}
		return -(1 + off)
	}
	// The action table: one chain per landing pad, its clauses in order
	// then a cleanup record; a cleanup-only pad has none (action 0).
	var actions []byte
	first := map[*ir.Instr]int{}
	for _, s := range eh.sites {
		if _, ok := first[s.pad]; ok {
			continue
		}
		n := len(s.pad.Ops)
		if s.pad.Pred != 0 && n > 0 {
			n++
		}
		if n == 0 {
			first[s.pad] = 0
			continue
		}
		first[s.pad] = len(actions) + 1
		for i := 0; i < n; i++ {
			filter := 0
			if i < len(s.pad.Ops) {
				if c := s.pad.Ops[i]; ir.IsFilterClause(c) {
					filter = filterValue(c)
				} else {
					filter = eh.typeIndex(c)
				}
			}
			actions = sleb(actions, int64(filter))
			if i == n-1 {
				actions = append(actions, 0)
			} else {
				actions = append(actions, 1) // the next record follows
			}
		}
	}
	// The call-site table (offsets from the function's start, ULEB128).
	var sites []byte
	pc := 0
	size := fnEnd - fnStart
	for _, s := range eh.sites {
		start, end := moved(s.start)-fnStart, moved(s.end)-fnStart
		lp := moved(eh.blockPC[s.lpad]) - fnStart
		if start < pc || end <= start || end > size || lp <= 0 || lp >= size {
			return 0, fc.errorf("invoke call site [%d, %d) out of order or outside the function", start, end)
		}
		if start > pc {
			sites = uleb(sites, uint64(pc))
			sites = uleb(sites, uint64(start-pc))
			sites = append(sites, 0, 0)
		}
		sites = uleb(sites, uint64(start))
		sites = uleb(sites, uint64(end-start))
		sites = uleb(sites, uint64(lp))
		sites = uleb(sites, uint64(first[s.pad]))
		pc = end
	}
	if pc < size {
		sites = uleb(sites, uint64(pc))
		sites = uleb(sites, uint64(size-pc))
		sites = append(sites, 0, 0)
	}
	sec.AlignTo(4, 0)
	off := int(sec.Len())
	b := make([]byte, 0, 16+len(sites)+len(actions)+8*len(eh.types)+len(specs))
	b = append(b, 0xff) // LPStart: the function's start
	if len(eh.types) > 0 || len(specs) > 0 {
		b = append(b, 0x00) // TType: absolute 8-byte pointers
		// The offset from after it to the end of the type table.
		n := 1 + ulebLen(uint64(len(sites))) + len(sites) + len(actions) + 8*len(eh.types)
		b = uleb(b, uint64(n))
	} else {
		b = append(b, 0xff)
	}
	b = append(b, 0x01) // call sites: ULEB128
	b = uleb(b, uint64(len(sites)))
	b = append(b, sites...)
	b = append(b, actions...)
	tt := off + len(b)
	b = append(b, make([]byte, 8*len(eh.types))...)
	b = append(b, specs...)
	sec.Append(b)
	// Type i+1 sits 8*(i+1) bytes before the table's end.
	for i, t := range eh.types {
		if t == nil {
			continue
		}
		sym, _ := mc.symbolFor(t)
		if _, ok := t.(*ir.Global); !ok || sym < 0 {
			return 0, fc.errorf("catch clause type %s is not a global", t.Ident())
		}
		at := tt + 8*(len(eh.types)-1-i)
		if err := sec.AddReloc(uint64(at), elfw.R_X86_64_64, elfw.SymID(sym), 0); err != nil {
			return 0, fmt.Errorf("amd64: .gcc_except_table: %w", err)
		}
	}
	return off, nil
}

// emitInvokeCall emits an invoke's call and records its range.
func (fc *fnCompiler) emitInvokeCall(ci *callInfo, m *minst) {
	a := &fc.mc.a
	var r asm.Reg
	if ci.sym < 0 {
		r = fc.regOf(m.a, scratchGPR) // (a load of a spilled callee is not part of the range)
	}
	start := a.Len()
	if ci.sym >= 0 {
		a.CallSym(ci.sym)
	} else {
		a.CallR(r)
	}
	fc.eh.sites = append(fc.eh.sites, ehSite{start: start, end: a.Len(), lpad: ci.lpad - 1, pad: ci.pad})
}
