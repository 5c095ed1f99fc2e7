package ir

// Builder appends instructions to a block, like LLVM's IRBuilder. Names
// passed to the builder may repeat: the printer makes them unique within
// the function ("addtmp", "addtmp1", ...); "" leaves the value unnamed.
//
// The builder does not type-check: ill-typed IR is reported by Verify.
type Builder struct {
	blk *Block
	pos int // insertion index; -1 = at the end
	// Flags are added to every floating-point operation built (e.g.
	// FlagFast); zero by default.
	Flags Flags
	// Arena, if set, supplies the instructions built (see InstrArena);
	// nil allocates each one on the heap.
	Arena *InstrArena
}

// newInstr returns a new instruction (from the arena, if any) with op,
// type t and name, its other fields zero. The callers set the rest in
// place: building the 200-byte instruction as a value and copying it in
// cost more than the rest of a binary operation's construction.
func (b *Builder) newInstr(op Op, t *Type, name string) *Instr {
	var in *Instr
	if b.Arena != nil {
		in = b.Arena.alloc()
		*in = Instr{} // (a recycled chunk is not cleared)
	} else {
		in = new(Instr)
	}
	in.Op, in.Typ, in.Name = op, t, name
	return in
}

// NewBuilder returns a builder with no insertion point.
func NewBuilder() *Builder { return &Builder{pos: -1} }

// SetInsertPoint makes the builder append to the end of b.
func (b *Builder) SetInsertPoint(blk *Block) { b.blk, b.pos = blk, -1 }

// SetInsertBefore makes the builder insert before position i of blk.
func (b *Builder) SetInsertBefore(blk *Block, i int) { b.blk, b.pos = blk, i }

// Block returns the current insertion block.
func (b *Builder) Block() *Block { return b.blk }

// Insert places in at the insertion point and returns it.
func (b *Builder) Insert(in *Instr) *Instr {
	if b.blk == nil {
		return in
	}
	if b.pos < 0 {
		b.blk.Append(in)
	} else {
		b.blk.Insert(b.pos, in)
		b.pos++
	}
	return in
}

func typeOf(v Value) *Type {
	if v == nil {
		return nil
	}
	return v.Type()
}

// Binary builds x op y for a binary Op (fadd ... ashr).
func (b *Builder) Binary(op Op, x, y Value, name string) *Instr {
	in := b.newInstr(op, typeOf(x), name)
	in.opsBuf[0], in.opsBuf[1] = x, y
	in.Ops = in.opsBuf[:2:2]
	if op.IsFloatBinary() {
		in.Flags = b.Flags
	}
	return b.Insert(in)
}

// FAdd builds x + y.
func (b *Builder) FAdd(x, y Value, name string) *Instr { return b.Binary(OpFAdd, x, y, name) }

// FSub builds x - y.
func (b *Builder) FSub(x, y Value, name string) *Instr { return b.Binary(OpFSub, x, y, name) }

// FMul builds x * y.
func (b *Builder) FMul(x, y Value, name string) *Instr { return b.Binary(OpFMul, x, y, name) }

// FDiv builds x / y.
func (b *Builder) FDiv(x, y Value, name string) *Instr { return b.Binary(OpFDiv, x, y, name) }

// FNeg builds -x.
func (b *Builder) FNeg(x Value, name string) *Instr {
	in := b.newInstr(OpFNeg, typeOf(x), name)
	in.Flags = b.Flags
	in.setOps(x)
	return b.Insert(in)
}

// Add builds the integer sum x + y.
func (b *Builder) Add(x, y Value, name string) *Instr { return b.Binary(OpAdd, x, y, name) }

// Sub builds the integer difference x - y.
func (b *Builder) Sub(x, y Value, name string) *Instr { return b.Binary(OpSub, x, y, name) }

// Mul builds the integer product x * y.
func (b *Builder) Mul(x, y Value, name string) *Instr { return b.Binary(OpMul, x, y, name) }

// FCmp builds fcmp pred x, y (an i1).
func (b *Builder) FCmp(p Pred, x, y Value, name string) *Instr {
	in := b.newInstr(OpFCmp, I1, name)
	in.Pred = p
	in.Flags = b.Flags
	in.setOps(x, y)
	return b.Insert(in)
}

// ICmp builds icmp pred x, y (an i1).
func (b *Builder) ICmp(p Pred, x, y Value, name string) *Instr {
	in := b.newInstr(OpICmp, I1, name)
	in.Pred = p
	in.setOps(x, y)
	return b.Insert(in)
}

// Cast builds a conversion op (uitofp ... inttoptr) of x to type to.
func (b *Builder) Cast(op Op, x Value, to *Type, name string) *Instr {
	in := b.newInstr(op, to, name)
	in.setOps(x)
	return b.Insert(in)
}

// Select builds select cond, x, y.
func (b *Builder) Select(cond, x, y Value, name string) *Instr {
	in := b.newInstr(OpSelect, typeOf(x), name)
	in.setOps(cond, x, y)
	return b.Insert(in)
}

// Phi builds an empty phi of type t; add incoming pairs with AddIncoming.
func (b *Builder) Phi(t *Type, name string) *Instr {
	in := b.newInstr(OpPhi, t, name)
	// The first two incoming pairs (an if's join, a loop header) go to
	// inline storage; AddIncoming's append moves a third to the heap.
	in.Ops, in.Blocks = in.opsBuf[:0:2], in.blkBuf[:0:2]
	return b.Insert(in)
}

// Call builds a call of f with args.
func (b *Builder) Call(f *Function, args []Value, name string) *Instr {
	return b.CallIndirect(f, f.Sig, args, name)
}

// CallIndirect builds a call of callee (any ptr value) with function type
// fnType.
func (b *Builder) CallIndirect(callee Value, fnType *Type, args []Value, name string) *Instr {
	var ret *Type = Void
	if fnType != nil && fnType.Ret != nil {
		ret = fnType.Ret
	}
	if ret.IsVoid() {
		name = ""
	}
	in := b.newInstr(OpCall, ret, name)
	in.FnType = fnType
	if len(args) < len(in.opsBuf) { // callee and arguments in inline storage
		in.opsBuf[0] = callee
		n := 1 + copy(in.opsBuf[1:], args)
		in.Ops = in.opsBuf[:n:n]
	} else {
		ops := make([]Value, 0, len(args)+1)
		ops = append(ops, callee)
		in.Ops = append(ops, args...)
	}
	return b.Insert(in)
}

// Alloca builds a stack slot for one value of type t.
func (b *Builder) Alloca(t *Type, name string) *Instr {
	in := b.newInstr(OpAlloca, Ptr, name)
	in.ElemType = t
	in.Align = t.Align()
	return b.Insert(in)
}

// Load builds a load of a t from p.
func (b *Builder) Load(t *Type, p Value, name string) *Instr {
	in := b.newInstr(OpLoad, t, name)
	in.Align = t.Align()
	in.setOps(p)
	return b.Insert(in)
}

// Store builds a store of v to p.
func (b *Builder) Store(v, p Value) *Instr {
	in := b.newInstr(OpStore, Void, "")
	in.Align = typeOf(v).Align()
	in.setOps(v, p)
	return b.Insert(in)
}

// GEP builds getelementptr inbounds elem, ptr p, indices.
func (b *Builder) GEP(elem *Type, p Value, indices []Value, name string) *Instr {
	ops := append([]Value{p}, indices...)
	in := b.newInstr(OpGEP, Ptr, name)
	in.Ops = ops
	in.ElemType = elem
	in.Flags = FlagInBounds
	return b.Insert(in)
}

// Br builds an unconditional branch to dest.
func (b *Builder) Br(dest *Block) *Instr {
	in := b.newInstr(OpBr, Void, "")
	in.blkBuf[0] = dest
	in.Blocks = in.blkBuf[:1:1]
	return b.Insert(in)
}

// CondBr builds br i1 cond, label t, label f.
func (b *Builder) CondBr(cond Value, t, f *Block) *Instr {
	in := b.newInstr(OpBr, Void, "")
	in.setOps(cond)
	in.blkBuf[0], in.blkBuf[1] = t, f
	in.Blocks = in.blkBuf[:2:2]
	return b.Insert(in)
}

// Ret builds ret v.
func (b *Builder) Ret(v Value) *Instr {
	in := b.newInstr(OpRet, Void, "")
	in.setOps(v)
	return b.Insert(in)
}

// RetVoid builds ret void.
func (b *Builder) RetVoid() *Instr { return b.Insert(b.newInstr(OpRet, Void, "")) }

// Unreachable builds unreachable.
func (b *Builder) Unreachable() *Instr {
	return b.Insert(b.newInstr(OpUnreachable, Void, ""))
}
