package ir

// Op is an instruction's operation. The comment on each constant gives the
// operand layout in Instr.Ops / Instr.Blocks.
type Op uint8

// Operations.
const (
	OpInvalid Op = iota

	// Floating-point binary operations: Ops = [x, y]; Typ = type of x.
	OpFAdd
	OpFSub
	OpFMul
	OpFDiv
	OpFRem
	// OpFNeg: Ops = [x].
	OpFNeg

	// Integer binary operations: Ops = [x, y]; Typ = type of x.
	OpAdd
	OpSub
	OpMul
	OpSDiv
	OpUDiv
	OpSRem
	OpURem
	OpAnd
	OpOr
	OpXor
	OpShl
	OpLShr
	OpAShr

	// Comparisons: Ops = [x, y]; Pred holds the predicate; Typ = I1.
	OpFCmp
	OpICmp

	// Conversions: Ops = [x]; Typ = destination type.
	OpUIToFP
	OpSIToFP
	OpFPToUI
	OpFPToSI
	OpZExt
	OpSExt
	OpTrunc
	OpFPExt
	OpFPTrunc
	OpBitcast
	OpPtrToInt
	OpIntToPtr

	// OpSelect: Ops = [cond (i1), ifTrue, ifFalse].
	OpSelect
	// OpPhi: Ops[i] flows in from Blocks[i].
	OpPhi
	// OpCall: Ops = [callee, args...]; FnType is the callee's function
	// type; Typ = FnType.Ret.
	OpCall
	// OpAlloca: Ops = [] or [count]; ElemType is the allocated type;
	// Typ = Ptr.
	OpAlloca
	// OpLoad: Ops = [ptr]; Typ = loaded type.
	OpLoad
	// OpStore: Ops = [value, ptr]; Typ = Void.
	OpStore
	// OpGEP (getelementptr): Ops = [ptr, indices...]; ElemType is the
	// source element type; Typ = Ptr.
	OpGEP

	// Terminators.
	// OpBr: unconditional: Ops = [], Blocks = [dest];
	// conditional: Ops = [cond], Blocks = [ifTrue, ifFalse].
	OpBr
	// OpRet: Ops = [] (ret void) or [value]; a function returning a
	// struct returns [field0, field1, ...], one scalar per field.
	OpRet
	// OpUnreachable: no operands.
	OpUnreachable

	// OpExtractValue: Ops = [agg, idx (a constant)]: field idx of agg, a
	// call returning a struct of scalars (the only values of struct type
	// the parser keeps: the others it splits into one value per field);
	// Typ = the field's type.
	OpExtractValue

	// OpAtomicRMW (atomicrmw): Ops = [ptr, val]; Typ = type of val (the
	// old value is the result); Pred packs the ordering and the
	// operation (Instr.Ordering, Instr.RMW).
	OpAtomicRMW
	// OpCmpXchg (cmpxchg): Ops = [ptr, cmp, new]; Typ = { T, i1 } (the
	// old value and whether it was cmp), its fields read by
	// OpExtractValue as a call's are; Pred packs the success and failure
	// orderings and weak (Instr.Ordering, Instr.FailureOrdering,
	// Instr.Weak).
	OpCmpXchg
	// OpFence (fence): no operands; Pred = the ordering.
	OpFence

	// Exception handling (C++ compiled by clang++).
	// OpInvoke: a call that ends its block: Ops = [callee, args...] and
	// FnType as OpCall's; Blocks = [normal, unwind]: the call returns to
	// normal, and an exception unwinding through it lands in unwind,
	// whose first instruction after its phis is an OpLandingPad.
	OpInvoke
	// OpLandingPad: Typ = { ptr, i32 } (the exception and the selector,
	// read by OpExtractValue as a call's struct result); Ops = the
	// clauses in order: a catch clause's type-info value (a ConstNull
	// catches everything), or a filter clause's [N x ptr] constant (a
	// ConstAggregate of type-info globals, or ConstZero for throw());
	// Pred = 1 when the pad is also a cleanup.
	OpLandingPad
	// OpResume: Ops = [exception, selector]: continues unwinding
	// (_Unwind_Resume of the exception).
	OpResume

	numOps
)

var opNames = [numOps]string{
	OpInvalid: "invalid",
	OpFAdd:    "fadd", OpFSub: "fsub", OpFMul: "fmul", OpFDiv: "fdiv", OpFRem: "frem", OpFNeg: "fneg",
	OpAdd: "add", OpSub: "sub", OpMul: "mul", OpSDiv: "sdiv", OpUDiv: "udiv", OpSRem: "srem", OpURem: "urem",
	OpAnd: "and", OpOr: "or", OpXor: "xor", OpShl: "shl", OpLShr: "lshr", OpAShr: "ashr",
	OpFCmp: "fcmp", OpICmp: "icmp",
	OpUIToFP: "uitofp", OpSIToFP: "sitofp", OpFPToUI: "fptoui", OpFPToSI: "fptosi",
	OpZExt: "zext", OpSExt: "sext", OpTrunc: "trunc", OpFPExt: "fpext", OpFPTrunc: "fptrunc",
	OpBitcast: "bitcast", OpPtrToInt: "ptrtoint", OpIntToPtr: "inttoptr",
	OpSelect: "select", OpPhi: "phi", OpCall: "call", OpAlloca: "alloca", OpLoad: "load",
	OpStore: "store", OpGEP: "getelementptr", OpBr: "br", OpRet: "ret", OpUnreachable: "unreachable",
	OpExtractValue: "extractvalue",
	OpAtomicRMW:    "atomicrmw", OpCmpXchg: "cmpxchg", OpFence: "fence",
	OpInvoke: "invoke", OpLandingPad: "landingpad", OpResume: "resume",
}

// String returns the LLVM mnemonic.
func (op Op) String() string {
	if op < numOps {
		return opNames[op]
	}
	return "invalid"
}

// OpByName maps an LLVM mnemonic to its Op.
func OpByName(s string) (Op, bool) {
	for i, n := range opNames {
		if n == s && i != int(OpInvalid) {
			return Op(i), true
		}
	}
	return OpInvalid, false
}

// IsTerminator reports whether op ends a block.
func (op Op) IsTerminator() bool { return opProps[op]&propTerminator != 0 }

// IsCall reports whether op calls a function: call or invoke.
func (op Op) IsCall() bool { return op == OpCall || op == OpInvoke }

// IsFloatBinary reports whether op is fadd, fsub, fmul, fdiv or frem.
func (op Op) IsFloatBinary() bool { return op >= OpFAdd && op <= OpFRem }

// IsIntBinary reports whether op is an integer binary operation.
func (op Op) IsIntBinary() bool { return op >= OpAdd && op <= OpAShr }

// IsBinary reports whether op is a two-operand arithmetic or logic
// operation.
func (op Op) IsBinary() bool { return op.IsFloatBinary() || op.IsIntBinary() }

// IsCast reports whether op is a conversion.
func (op Op) IsCast() bool { return op >= OpUIToFP && op <= OpIntToPtr }

// IsCommutative reports whether x op y == y op x.
func (op Op) IsCommutative() bool { return opProps[op]&propCommutative != 0 }

// HasSideEffects reports whether an instruction with this op must be kept
// even if its result is unused (calls, stores, terminators).
func (op Op) HasSideEffects() bool { return opProps[op]&propSideEffects != 0 }

// IsAtomic reports whether op is atomicrmw, cmpxchg or fence: memory
// operations that the optimizer keeps, in order, as it keeps calls.
func (op Op) IsAtomic() bool { return op == OpAtomicRMW || op == OpCmpXchg || op == OpFence }

// Properties of the ops by table (opProps): one load and a test where the
// comparisons of IsTerminator and HasSideEffects were up to eleven, on
// every instruction of every pass's walk.
const (
	propTerminator = 1 << iota
	propSideEffects
	propCommutative
)

// opProps holds each op's properties, indexed by every value of an Op
// (a uint8: no bounds check); ops past numOps have none.
var opProps = func() (t [256]uint8) {
	for _, op := range []Op{OpBr, OpRet, OpUnreachable, OpInvoke, OpResume} {
		t[op] |= propTerminator | propSideEffects
	}
	for _, op := range []Op{OpCall, OpStore, OpAtomicRMW, OpCmpXchg, OpFence, OpLandingPad} {
		t[op] |= propSideEffects
	}
	for _, op := range []Op{OpFAdd, OpFMul, OpAdd, OpMul, OpAnd, OpOr, OpXor} {
		t[op] |= propCommutative
	}
	return t
}()

// Ordering is an atomic instruction's memory ordering, numbered as LLVM's
// AtomicOrdering (0: not atomic).
type Ordering uint8

// Orderings.
const (
	NotAtomic Ordering = iota
	Unordered
	Monotonic
	_ // (consume, which LLVM does not spell)
	Acquire
	Release
	AcqRel
	SeqCst
)

var orderingNames = [...]string{"", "unordered", "monotonic", "", "acquire", "release", "acq_rel", "seq_cst"}

// String returns the ordering's LLVM spelling.
func (o Ordering) String() string {
	if int(o) < len(orderingNames) {
		return orderingNames[o]
	}
	return "badordering"
}

// OrderingByName maps an LLVM ordering to its Ordering.
func OrderingByName(s string) (Ordering, bool) {
	for i, n := range orderingNames {
		if n == s && n != "" {
			return Ordering(i), true
		}
	}
	return NotAtomic, false
}

// RMWOp is an atomicrmw operation.
type RMWOp uint8

// atomicrmw operations, in LLVM's order.
const (
	RMWXchg RMWOp = iota
	RMWAdd
	RMWSub
	RMWAnd
	RMWNand
	RMWOr
	RMWXor
	RMWMax
	RMWMin
	RMWUMax
	RMWUMin
	RMWFAdd
	RMWFSub
	numRMWOps
)

var rmwNames = [numRMWOps]string{"xchg", "add", "sub", "and", "nand", "or", "xor", "max", "min", "umax", "umin", "fadd", "fsub"}

// String returns the operation's LLVM spelling.
func (r RMWOp) String() string {
	if r < numRMWOps {
		return rmwNames[r]
	}
	return "badrmw"
}

// RMWOpByName maps an atomicrmw operation's spelling to its RMWOp.
func RMWOpByName(s string) (RMWOp, bool) {
	for i, n := range rmwNames {
		if n == s {
			return RMWOp(i), true
		}
	}
	return 0, false
}

// Ordering is the memory ordering of an atomic load, store, atomicrmw or
// fence, or cmpxchg's success ordering (NotAtomic for other
// instructions).
func (in *Instr) Ordering() Ordering {
	switch in.Op {
	case OpLoad, OpStore:
		if in.Flags&FlagAtomic == 0 {
			return NotAtomic
		}
		return Ordering(in.Pred & 7)
	case OpAtomicRMW, OpCmpXchg, OpFence:
		return Ordering(in.Pred & 7)
	}
	return NotAtomic
}

// FailureOrdering is cmpxchg's failure ordering.
func (in *Instr) FailureOrdering() Ordering { return Ordering(in.Pred >> 3 & 7) }

// Weak reports whether a cmpxchg is weak (it may fail spuriously; on
// x86-64 it never does).
func (in *Instr) Weak() bool { return in.Pred&0x40 != 0 }

// RMW is an atomicrmw's operation.
func (in *Instr) RMW() RMWOp { return RMWOp(in.Pred >> 3) }

// SetAtomic sets the ordering of an atomic load, store, atomicrmw or
// fence (for atomicrmw, with its operation).
func (in *Instr) SetAtomic(o Ordering, rmw RMWOp) {
	in.Pred = Pred(o&7) | Pred(rmw)<<3
	if in.Op == OpLoad || in.Op == OpStore {
		in.Flags |= FlagAtomic | FlagVolatile
	}
}

// SetCmpXchg sets a cmpxchg's orderings and weak.
func (in *Instr) SetCmpXchg(success, failure Ordering, weak bool) {
	in.Pred = Pred(success&7) | Pred(failure&7)<<3
	if weak {
		in.Pred |= 0x40
	}
}

// Pred is a comparison predicate of fcmp or icmp.
type Pred uint8

// Floating-point predicates (fcmp), in LLVM's order: o = ordered (neither
// operand NaN), u = unordered (either may be NaN).
const (
	FCmpFalse Pred = iota
	FCmpOEQ
	FCmpOGT
	FCmpOGE
	FCmpOLT
	FCmpOLE
	FCmpONE
	FCmpORD
	FCmpUNO
	FCmpUEQ
	FCmpUGT
	FCmpUGE
	FCmpULT
	FCmpULE
	FCmpUNE
	FCmpTrue
	// Integer predicates (icmp).
	ICmpEQ
	ICmpNE
	ICmpUGT
	ICmpUGE
	ICmpULT
	ICmpULE
	ICmpSGT
	ICmpSGE
	ICmpSLT
	ICmpSLE
	numPreds
)

var predNames = [numPreds]string{
	"false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "uno", "ueq", "ugt", "uge", "ult", "ule", "une", "true",
	"eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle",
}

// String returns the predicate's LLVM spelling.
func (p Pred) String() string {
	if p < numPreds {
		return predNames[p]
	}
	return "badpred"
}

// IsFloat reports whether p is an fcmp predicate.
func (p Pred) IsFloat() bool { return p <= FCmpTrue }

// PredByName returns the fcmp (float = true) or icmp predicate named s.
func PredByName(s string, float bool) (Pred, bool) {
	lo, hi := ICmpEQ, numPreds
	if float {
		lo, hi = FCmpFalse, FCmpTrue+1
	}
	for p := lo; p < hi; p++ {
		if predNames[p] == s {
			return p, true
		}
	}
	return 0, false
}

// Swapped returns the predicate q with (x p y) == (y q x).
func (p Pred) Swapped() Pred {
	switch p {
	case FCmpOGT:
		return FCmpOLT
	case FCmpOLT:
		return FCmpOGT
	case FCmpOGE:
		return FCmpOLE
	case FCmpOLE:
		return FCmpOGE
	case FCmpUGT:
		return FCmpULT
	case FCmpULT:
		return FCmpUGT
	case FCmpUGE:
		return FCmpULE
	case FCmpULE:
		return FCmpUGE
	case ICmpUGT:
		return ICmpULT
	case ICmpULT:
		return ICmpUGT
	case ICmpUGE:
		return ICmpULE
	case ICmpULE:
		return ICmpUGE
	case ICmpSGT:
		return ICmpSLT
	case ICmpSLT:
		return ICmpSGT
	case ICmpSGE:
		return ICmpSLE
	case ICmpSLE:
		return ICmpSGE
	}
	return p
}

// Flags are instruction flags that survive printing: fast-math flags,
// nsw/nuw/exact, inbounds, tail.
type Flags uint16

// Flag bits.
const (
	FlagNNan Flags = 1 << iota
	FlagNInf
	FlagNSZ
	FlagARCP
	FlagContract
	FlagAFN
	FlagReassoc
	FlagNSW
	FlagNUW
	FlagExact
	FlagInBounds
	FlagTail
	FlagDisjoint
	FlagNNeg
	// FlagVolatile marks a volatile load or store: the optimizer keeps
	// it, unmerged and in its order with the other memory accesses and
	// calls, even if its result is unused (Instr.HasSideEffects).
	FlagVolatile
	// FlagAtomic marks an atomic load or store (Pred holds its
	// ordering, Instr.Ordering); such an access is also FlagVolatile, so
	// that the optimizer keeps it unmerged and in its order.
	FlagAtomic

	// FlagFast is LLVM's "fast": all fast-math flags.
	FlagFast = FlagNNan | FlagNInf | FlagNSZ | FlagARCP | FlagContract | FlagAFN | FlagReassoc
)

// HasSideEffects reports whether in must be kept even if its result is
// unused: its operation has side effects (Op.HasSideEffects) or it is a
// volatile load.
func (in *Instr) HasSideEffects() bool {
	return in.Op.HasSideEffects() || in.Flags&FlagVolatile != 0
}

// Instr is one instruction. An instruction with a non-void Typ is also the
// Value it computes.
type Instr struct {
	// Op, Pred and Flags share one word (the struct is 200 bytes, in
	// the allocator's 208-byte class rather than 224).
	Op       Op
	Pred     Pred     // fcmp/icmp predicate
	Flags    Flags    // fast-math, nsw/nuw, inbounds, tail
	Typ      *Type    // result type; Void if none
	Name     string   // result name without '%'; "" for unnamed
	Ops      []Value  // operands (see the Op constants)
	Blocks   []*Block // br targets / phi incoming blocks
	FnType   *Type    // call: callee function type
	ElemType *Type    // alloca: allocated type; gep: source element type
	Align    int64    // load/store/alloca alignment; 0 = default
	Block    *Block   // the containing block
	ID       int      // scratch number for passes and the backend
	Aux      any      // scratch slot for passes and the backend

	// Inline storage for the operands and targets of small instructions,
	// saving an allocation per instruction in the builder.
	opsBuf [3]Value
	blkBuf [2]*Block
}

// OperandSlots returns n operand slots (nil) for in, its inline storage
// when they fit there (up to three) and a new array otherwise: for a pass
// that makes an instruction as a value (a copy) rather than through a
// Builder. It does not set in.Ops.
func (in *Instr) OperandSlots(n int) []Value {
	if n <= len(in.opsBuf) {
		clear(in.opsBuf[:n])
		return in.opsBuf[:n:n]
	}
	return make([]Value, n)
}

// setOps sets in.Ops to the given operands, using inline storage.
func (in *Instr) setOps(vs ...Value) {
	// One to three operands by assignment: copy of a slice of
	// interfaces is a runtime call (typedslicecopy) per instruction.
	switch len(vs) {
	case 1:
		in.opsBuf[0] = vs[0]
		in.Ops = in.opsBuf[:1:1]
		return
	case 2:
		in.opsBuf[0], in.opsBuf[1] = vs[0], vs[1]
		in.Ops = in.opsBuf[:2:2]
		return
	case 3:
		in.opsBuf[0], in.opsBuf[1], in.opsBuf[2] = vs[0], vs[1], vs[2]
		in.Ops = in.opsBuf[:3:3]
		return
	}
	n := copy(in.opsBuf[:], vs)
	if n < len(vs) {
		in.Ops = append([]Value(nil), vs...)
		return
	}
	in.Ops = in.opsBuf[:n:n]
}

func (in *Instr) Type() *Type   { return in.Typ }
func (in *Instr) Ident() string { return localIdent(in.Name) }

// HasResult reports whether the instruction produces a value.
func (in *Instr) HasResult() bool { return in.Typ != nil && in.Typ.Kind != VoidKind }

// Callee returns a call's callee (usually a *Function), or nil.
func (in *Instr) Callee() Value {
	if !in.Op.IsCall() || len(in.Ops) == 0 {
		return nil
	}
	return in.Ops[0]
}

// Args returns a call's arguments.
func (in *Instr) Args() []Value {
	if !in.Op.IsCall() || len(in.Ops) == 0 {
		return nil
	}
	return in.Ops[1:]
}

// AddIncoming adds the pair [v, from] to a phi.
func (in *Instr) AddIncoming(v Value, from *Block) {
	in.Ops = append(in.Ops, v)
	in.Blocks = append(in.Blocks, from)
}

// Incoming returns the value a phi receives from block b, or nil.
func (in *Instr) Incoming(b *Block) Value {
	for i, p := range in.Blocks {
		if p == b && i < len(in.Ops) {
			return in.Ops[i]
		}
	}
	return nil
}

// RemoveIncoming removes every incoming pair of a phi that comes from b.
func (in *Instr) RemoveIncoming(b *Block) {
	j := 0
	for i := range in.Blocks {
		if in.Blocks[i] != b {
			in.Ops[j], in.Blocks[j] = in.Ops[i], in.Blocks[i]
			j++
		}
	}
	in.Ops, in.Blocks = in.Ops[:j], in.Blocks[:j]
}

// String prints the instruction as one line of LLVM IR (unnamed values as
// "%?"; use Module.String for numbered output).
func (in *Instr) String() string {
	p := newPrinter()
	p.instr(in)
	return p.sb.String()
}
