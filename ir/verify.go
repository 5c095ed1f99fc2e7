package ir

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gorc-jit/gorc/internal/diag"
)

// idPool recycles VerifyFunction's copies of the instructions' scratch
// IDs (one per verified function; a fresh array each time was garbage).
var idPool = sync.Pool{New: func() any { return new([]int) }}

// VerifyError describes one malformed construct, naming its function,
// block and instruction.
type VerifyError struct {
	Func  string // function name without '@'
	Block string // block label ("" for module-level problems)
	Instr string // the offending instruction as text, if any
	Msg   string
}

// Error formats the problem; names are clipped to diag.MaxQuote bytes and
// the instruction to four times that.
func (e *VerifyError) Error() string {
	s := "verify: @" + diag.Clip(e.Func)
	if e.Block != "" {
		s += ", block %" + diag.Clip(e.Block)
	}
	s += ": " + e.Msg
	if e.Instr != "" {
		s += ": " + diag.ClipN(e.Instr, 4*diag.MaxQuote)
	}
	return s
}

// Verify checks every function of m (see VerifyFunction) and that calls
// and globals refer to this module. It returns all problems found, joined
// with errors.Join.
func Verify(m *Module) error {
	var errs []error
	seen := make(map[string]bool)
	for _, f := range m.Funcs {
		if seen[f.Name] {
			errs = append(errs, &VerifyError{Func: f.Name, Msg: "duplicate definition"})
		}
		seen[f.Name] = true
		if err := VerifyFunction(f); err != nil {
			errs = append(errs, err)
		}
	}
	for _, g := range m.Globals {
		if seen[g.Name] {
			errs = append(errs, &VerifyError{Func: g.Name, Msg: "duplicate definition"})
		}
		seen[g.Name] = true
		if _, err := g.ValueType.CheckSize(); err != nil {
			errs = append(errs, &VerifyError{Func: g.Name, Msg: fmt.Sprintf("global: %v", err)})
		}
		if g.Init != nil && !g.Init.Type().Equal(g.ValueType) {
			errs = append(errs, &VerifyError{Func: g.Name, Msg: fmt.Sprintf("initializer of type %v for global of type %v", g.Init.Type(), g.ValueType)})
		}
	}
	return errors.Join(errs...)
}

type verifier struct {
	f    *Function
	errs []error
	p    *printer // made on the first error: numbering a function costs more than checking it
}

// printer returns the printer that names values in messages.
func (v *verifier) printer() *printer {
	if v.p == nil {
		v.p = newPrinter()
		v.p.number(v.f)
	}
	return v.p
}

// ident names x as the printer would, for messages.
func (v *verifier) ident(x Value) string { return v.printer().ident(x) }

func (v *verifier) errorf(b *Block, in *Instr, format string, args ...any) {
	e := &VerifyError{Func: v.f.Name, Msg: fmt.Sprintf(format, diag.ClipArgs(args)...)}
	if b != nil {
		e.Block = v.ident(b)[1:]
	}
	if in != nil {
		v.printer().sb.Reset()
		v.p.instr(in)
		e.Instr = v.p.sb.String()
	}
	if len(v.errs) < 20 {
		v.errs = append(v.errs, e)
	}
}

// VerifyFunction checks f: every block ends in exactly one terminator;
// phis come first and have one entry per predecessor; operand types match
// each instruction's rules; branch targets and operands belong to f; and
// every use of an instruction result is dominated by its definition (SSA).
func VerifyFunction(f *Function) (err error) {
	return verifyFunction(f, true)
}

// VerifyFunctionScratch is VerifyFunction for a caller about to overwrite
// every instruction's scratch ID (a backend numbering the values it
// compiles): it leaves each instruction's ID at its position in its block
// instead of putting the IDs back, which saves two walks over the
// function.
func VerifyFunctionScratch(f *Function) error {
	return verifyFunction(f, false)
}

func verifyFunction(f *Function, restoreIDs bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &VerifyError{Func: f.Name, Msg: fmt.Sprintf("malformed function (%v)", r)}
		}
	}()
	if f.Sig == nil || f.Sig.Kind != FuncKind {
		return &VerifyError{Func: f.Name, Msg: "missing function type"}
	}
	if len(f.Params) != len(f.Sig.Params) {
		return &VerifyError{Func: f.Name, Msg: "parameter count does not match the signature"}
	}
	if f.IsDeclaration() {
		return nil
	}
	v := &verifier{f: f}
	f.Renumber()
	// Each instruction's ID is its position in its block while the
	// checks run (instead of a map from instructions to positions, which
	// cost as much as the rest): an operand d is an instruction of f at
	// position d.ID of d.Block exactly when d.Block.Instrs[d.ID] is d.
	// The IDs are scratch of passes and backends: put them back, unless
	// the caller is about to overwrite them (VerifyFunctionScratch).
	if !restoreIDs {
		for _, b := range f.Blocks {
			for i, in := range b.Instrs {
				in.ID = i
			}
		}
	} else {
		saved := idPool.Get().(*[]int)
		ids := (*saved)[:0]
		for _, b := range f.Blocks {
			for i, in := range b.Instrs {
				ids = append(ids, in.ID)
				in.ID = i
			}
		}
		defer restore(f, saved, ids)
	}
	return v.check()
}

// restore puts back the IDs VerifyFunction saved in ids (in block and
// instruction order) and returns the array to idPool.
func restore(f *Function, saved *[]int, ids []int) {
	// Backwards: an instruction listed twice (invalid IR) gets back its
	// ID from before the first.
	k := len(ids)
	for bi := len(f.Blocks) - 1; bi >= 0; bi-- {
		ins := f.Blocks[bi].Instrs
		for i := len(ins) - 1; i >= 0; i-- {
			k--
			ins[i].ID = ids[k]
		}
	}
	if cap(ids) <= 1<<16 { // keep only modest arrays
		*saved = ids[:0]
		idPool.Put(saved)
	}
}

// check runs the checks of VerifyFunction on v.f, whose instructions are
// numbered by position, and returns the errors found.
func (v *verifier) check() error {
	f := v.f
	dt := NewDomTree(f)
	defer dt.Release()
	if len(dt.PredsOf(f.Blocks[0])) > 0 {
		v.errorf(f.Blocks[0], nil, "entry block must not have predecessors")
	}
	for _, b := range f.Blocks {
		if len(b.Instrs) == 0 {
			v.errorf(b, nil, "empty block")
			continue
		}
		for i, in := range b.Instrs {
			if in.Block != b {
				v.errorf(b, in, "instruction's Block field does not point to its block")
			}
			last := i == len(b.Instrs)-1
			if in.Op.IsTerminator() != last {
				if last {
					v.errorf(b, in, "block does not end with a terminator")
				} else {
					v.errorf(b, in, "terminator in the middle of a block")
				}
			}
			if in.Op == OpPhi && i > 0 && b.Instrs[i-1].Op != OpPhi {
				v.errorf(b, in, "phi after a non-phi instruction")
			}
			v.instr(dt, b, i, in)
		}
	}
	return errors.Join(v.errs...)
}

func (v *verifier) instr(dt *DomTree, b *Block, pos int, in *Instr) {
	f := v.f
	for _, op := range in.Ops {
		if op == nil {
			v.errorf(b, in, "nil operand")
			return
		}
		if _, ok := op.(*fwdRef); ok {
			v.errorf(b, in, "unresolved reference %s", op.Ident())
			return
		}
	}
	for _, t := range in.Blocks {
		if t == nil || t.Index < 0 || t.Index >= len(f.Blocks) || f.Blocks[t.Index] != t {
			v.errorf(b, in, "target block is not in this function")
			return
		}
	}
	nops := func(n int) bool {
		if len(in.Ops) != n {
			v.errorf(b, in, "%s needs %d operands, has %d", in.Op, n, len(in.Ops))
			return false
		}
		return true
	}
	switch op := in.Op; {
	case op.IsFloatBinary():
		if nops(2) && (!in.Typ.IsFloat() || !in.Ops[0].Type().Equal(in.Typ) || !in.Ops[1].Type().Equal(in.Typ)) {
			v.errorf(b, in, "%s needs two floating-point operands of the result type", op)
		}
	case op == OpFNeg:
		if nops(1) && (!in.Typ.IsFloat() || !in.Ops[0].Type().Equal(in.Typ)) {
			v.errorf(b, in, "fneg needs a floating-point operand")
		}
	case op.IsIntBinary():
		if nops(2) && (!in.Typ.IsInt() || !in.Ops[0].Type().Equal(in.Typ) || !in.Ops[1].Type().Equal(in.Typ)) {
			v.errorf(b, in, "%s needs two integer operands of the result type", op)
		}
	case op == OpFCmp, op == OpICmp:
		if !nops(2) {
			return
		}
		t := in.Ops[0].Type()
		if in.Typ != I1 && !in.Typ.Equal(I1) {
			v.errorf(b, in, "comparison result must be i1")
		}
		if !t.Equal(in.Ops[1].Type()) {
			v.errorf(b, in, "comparison operands have different types")
		} else if op == OpFCmp && (!t.IsFloat() || !in.Pred.IsFloat()) {
			v.errorf(b, in, "fcmp needs floating-point operands and an fcmp predicate")
		} else if op == OpICmp && (!(t.IsInt() || t.IsPtr()) || in.Pred.IsFloat()) {
			v.errorf(b, in, "icmp needs integer or pointer operands and an icmp predicate")
		}
	case op.IsCast():
		if nops(1) {
			v.cast(b, in)
		}
	case op == OpSelect:
		if nops(3) && (!in.Ops[0].Type().Equal(I1) || !in.Ops[1].Type().Equal(in.Typ) || !in.Ops[2].Type().Equal(in.Typ)) {
			v.errorf(b, in, "select needs an i1 condition and two operands of the result type")
		}
	case op == OpPhi:
		if len(in.Ops) != len(in.Blocks) {
			v.errorf(b, in, "phi has %d values but %d blocks", len(in.Ops), len(in.Blocks))
			return
		}
		if !in.Typ.IsFirstClass() {
			v.errorf(b, in, "phi of type %v", in.Typ)
		}
		preds := dt.PredsOf(b)
		if dt.Reachable(b) && len(preds) != len(in.Blocks) {
			v.errorf(b, in, "phi has %d entries but the block has %d predecessors", len(in.Blocks), len(preds))
		}
		for i, x := range in.Ops {
			if !x.Type().Equal(in.Typ) {
				v.errorf(b, in, "phi operand %s has type %v, want %v", v.ident(x), x.Type(), in.Typ)
			}
			isPred := false
			for _, p := range preds {
				if p == in.Blocks[i] {
					isPred = true
				}
			}
			if !isPred && dt.Reachable(b) {
				v.errorf(b, in, "phi entry for %s, which is not a predecessor", v.ident(in.Blocks[i]))
			}
		}
	case op == OpLandingPad:
		if t := in.Typ; t.Kind != StructKind || len(t.Fields) != 2 || !t.Fields[0].IsPtr() || !t.Fields[1].Equal(I32) {
			v.errorf(b, in, "landingpad must be of type { ptr, i32 }")
		}
		for _, c := range in.Ops {
			if c == nil || !c.Type().IsPtr() && !IsFilterClause(c) {
				v.errorf(b, in, "landingpad clause must be a ptr (catch) or an array of ptr (filter)")
			}
		}
		if n := len(b.Phis()); n >= len(b.Instrs) || b.Instrs[n] != in {
			v.errorf(b, in, "landingpad must be the first instruction after the phis")
		}
		for _, p := range dt.PredsOf(b) {
			if t := p.Terminator(); t == nil || t.Op != OpInvoke || len(t.Blocks) != 2 || t.Blocks[1] != b || t.Blocks[0] == b {
				v.errorf(b, in, "landingpad block is reached from %s other than by an invoke's unwind edge", v.ident(p))
				break
			}
		}
	case op == OpResume:
		if len(in.Ops) != 2 || in.Ops[0] == nil || in.Ops[1] == nil || !in.Ops[0].Type().IsPtr() || !in.Ops[1].Type().Equal(I32) {
			v.errorf(b, in, "resume needs the exception (ptr) and the selector (i32)")
		}
	case op == OpCall || op == OpInvoke:
		if op == OpInvoke && (len(in.Blocks) != 2 || in.Blocks[0] == nil || in.Blocks[1] == nil) {
			v.errorf(b, in, "invoke needs a normal and an unwind destination")
			return
		}
		if op == OpInvoke && !hasLandingPad(in.Blocks[1]) {
			v.errorf(b, in, "invoke's unwind destination %s does not begin with a landingpad", v.ident(in.Blocks[1]))
		}
		ft := in.FnType
		if len(in.Ops) == 0 || ft == nil || ft.Kind != FuncKind {
			v.errorf(b, in, "call without callee or function type")
			return
		}
		if !in.Ops[0].Type().IsPtr() {
			v.errorf(b, in, "callee is not a pointer")
		}
		if cf, ok := in.Ops[0].(*Function); ok && !cf.Sig.Equal(ft) {
			v.errorf(b, in, "call type %v does not match @%s's type %v", ft, cf.Name, cf.Sig)
		}
		args := in.Ops[1:]
		if len(args) < len(ft.Params) || (!ft.Variadic && len(args) != len(ft.Params)) {
			v.errorf(b, in, "call passes %d arguments, function takes %d", len(args), len(ft.Params))
			return
		}
		for i, pt := range ft.Params {
			if !args[i].Type().Equal(pt) {
				v.errorf(b, in, "argument %d has type %v, want %v", i+1, args[i].Type(), pt)
			}
		}
		if !in.Typ.Equal(ft.Ret) {
			v.errorf(b, in, "call result type differs from the function's")
		}
	case op == OpAlloca:
		if !in.ElemType.IsFirstClass() || !in.Typ.IsPtr() {
			v.errorf(b, in, "alloca of a non-first-class type")
		} else if _, err := in.ElemType.CheckSize(); err != nil {
			v.errorf(b, in, "alloca: %v", err)
		}
		if len(in.Ops) > 1 || len(in.Ops) == 1 && !in.Ops[0].Type().IsInt() {
			v.errorf(b, in, "alloca count must be one integer")
		}
	case op == OpLoad:
		if nops(1) && (!in.Ops[0].Type().IsPtr() || !in.Typ.IsFirstClass()) {
			v.errorf(b, in, "load needs a pointer operand and a first-class result")
		}
	case op == OpStore:
		if nops(2) && (!in.Ops[1].Type().IsPtr() || !in.Ops[0].Type().IsFirstClass()) {
			v.errorf(b, in, "store needs a first-class value and a pointer")
		}
	case op == OpGEP:
		if len(in.Ops) < 1 || !in.Ops[0].Type().IsPtr() || in.ElemType == nil || !in.ElemType.IsFirstClass() {
			v.errorf(b, in, "getelementptr needs a pointer and a sized element type")
			return
		}
		t := in.ElemType
		for i, x := range in.Ops[1:] {
			if !x.Type().IsInt() {
				v.errorf(b, in, "getelementptr index is not an integer")
				return
			}
			if i > 0 {
				switch t.Kind {
				case ArrayKind:
					t = t.Elem
				case StructKind:
					c, ok := x.(*ConstInt)
					if !ok || c.V < 0 || c.V >= int64(len(t.Fields)) {
						v.errorf(b, in, "getelementptr index into struct type %v is not a constant field number", t)
						return
					}
					t = t.Fields[c.V]
				default:
					v.errorf(b, in, "getelementptr indexes into non-aggregate type %v", t)
					return
				}
			}
		}
	case op == OpBr:
		switch {
		case len(in.Ops) == 0 && len(in.Blocks) == 1:
		case len(in.Ops) == 1 && len(in.Blocks) == 2:
			if !in.Ops[0].Type().Equal(I1) {
				v.errorf(b, in, "branch condition must be i1")
			}
		default:
			v.errorf(b, in, "malformed br")
		}
	case op == OpRet:
		want := f.Sig.Ret
		if want.IsVoid() {
			if len(in.Ops) != 0 {
				v.errorf(b, in, "ret with a value in a void function")
			}
		} else if want.Kind == StructKind {
			// A struct is returned as one scalar per field.
			ok := len(in.Ops) == len(want.Fields)
			for i := 0; ok && i < len(in.Ops); i++ {
				ok = in.Ops[i] != nil && in.Ops[i].Type().Equal(want.Fields[i])
			}
			if !ok {
				v.errorf(b, in, "ret must return the %d fields of %v", len(want.Fields), want)
			}
		} else if len(in.Ops) != 1 || !in.Ops[0].Type().Equal(want) {
			v.errorf(b, in, "ret must return a %v", want)
		}
	case op == OpExtractValue:
		if !nops(2) {
			return
		}
		call, ok := in.Ops[0].(*Instr)
		idx, ok2 := in.Ops[1].(*ConstInt)
		if !ok || (!call.Op.IsCall() && call.Op != OpCmpXchg && call.Op != OpLandingPad) || call.Typ.Kind != StructKind || !ok2 || idx.V < 0 || idx.V >= int64(len(call.Typ.Fields)) {
			v.errorf(b, in, "extractvalue needs a call returning a struct and a constant field number")
			return
		}
		if !in.Typ.Equal(call.Typ.Fields[idx.V]) {
			v.errorf(b, in, "extractvalue result type %v differs from field %d of %v", in.Typ, idx.V, call.Typ)
		}
	case op == OpUnreachable:
	case op == OpFence:
		if len(in.Ops) != 0 || in.Ordering() < Acquire {
			v.errorf(b, in, "fence needs no operands and an ordering of acquire or stronger")
		}
	case op == OpAtomicRMW:
		if nops(2) && (!in.Ops[0].Type().IsPtr() || !in.Ops[1].Type().Equal(in.Typ) || !atomicScalar(in.Typ) || in.Ordering() == NotAtomic) {
			v.errorf(b, in, "atomicrmw needs a pointer, a value of its type and an ordering")
		}
	case op == OpCmpXchg:
		if nops(3) {
			t := in.Ops[1].Type()
			if !in.Ops[0].Type().IsPtr() || !in.Ops[2].Type().Equal(t) || !atomicScalar(t) || t.IsFloat() ||
				in.Typ.Kind != StructKind || len(in.Typ.Fields) != 2 || !in.Typ.Fields[0].Equal(t) || !in.Typ.Fields[1].Equal(I1) || in.Ordering() == NotAtomic {
				v.errorf(b, in, "cmpxchg needs a pointer, two values of one integer or pointer type, a { T, i1 } result and orderings")
			}
		}
	default:
		v.errorf(b, in, "unknown op %d", in.Op)
	}
	// SSA: each instruction/param operand must belong to f and dominate
	// this use.
	for i, x := range in.Ops {
		switch d := x.(type) {
		case *Param:
			if d.Func != f {
				v.errorf(b, in, "operand %s is a parameter of another function", v.ident(x))
			}
		case *Instr:
			if !v.inF(d) {
				v.errorf(b, in, "operand is an instruction not in this function")
				continue
			}
			if !d.HasResult() {
				v.errorf(b, in, "operand %d has no value", i)
				continue
			}
			use := b
			if in.Op == OpPhi {
				use = in.Blocks[i]
				if d.Block == use || dt.Dominates(d.Block, use) {
					continue
				}
			} else if d.Block == b {
				if d.ID < pos {
					continue
				}
				v.errorf(b, in, "operand %s does not dominate its use", v.ident(x))
				continue
			} else if dt.Dominates(d.Block, use) {
				continue
			}
			v.errorf(b, in, "operand %s does not dominate its use", v.ident(x))
		case *Block:
			v.errorf(b, in, "a label used as a value")
		}
	}
}

// inF reports whether d is an instruction of v.f, in the block its
// Block field names (VerifyFunction numbers instructions by position).
func (v *verifier) inF(d *Instr) bool {
	blk := d.Block
	if blk == nil || blk.Func != v.f || blk.Index < 0 || blk.Index >= len(v.f.Blocks) || v.f.Blocks[blk.Index] != blk {
		return false
	}
	return d.ID >= 0 && d.ID < len(blk.Instrs) && blk.Instrs[d.ID] == d
}

func (v *verifier) cast(b *Block, in *Instr) {
	from, to := in.Ops[0].Type(), in.Typ
	ok := false
	switch in.Op {
	case OpUIToFP, OpSIToFP:
		ok = from.IsInt() && to.IsFloat()
	case OpFPToUI, OpFPToSI:
		ok = from.IsFloat() && to.IsInt()
	case OpZExt, OpSExt:
		ok = from.IsInt() && to.IsInt() && from.Bits < to.Bits
	case OpTrunc:
		ok = from.IsInt() && to.IsInt() && from.Bits > to.Bits
	case OpFPExt:
		ok = from.IsFloat() && to.IsFloat() && from.Bits < to.Bits
	case OpFPTrunc:
		ok = from.IsFloat() && to.IsFloat() && from.Bits > to.Bits
	case OpBitcast:
		ok = from.IsFirstClass() && to.IsFirstClass() && from.Size() == to.Size() && from.Kind != ArrayKind && to.Kind != ArrayKind &&
			from.IsPtr() == to.IsPtr()
	case OpPtrToInt:
		ok = from.IsPtr() && to.IsInt()
	case OpIntToPtr:
		ok = from.IsInt() && to.IsPtr()
	}
	if !ok {
		v.errorf(b, in, "invalid %s from %v to %v", in.Op, from, to)
	}
}

// hasLandingPad reports whether b's first instruction after its phis is
// a landingpad.
func hasLandingPad(b *Block) bool {
	n := len(b.Phis())
	return n < len(b.Instrs) && b.Instrs[n].Op == OpLandingPad
}
