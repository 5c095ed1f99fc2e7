package ir

// Atomics of i128 (clang-19 emits load atomic, store atomic, atomicrmw and
// cmpxchg of i128 for __atomic_* on __int128, _Atomic __int128 and
// std::atomic of a 16-byte struct, with or without -mcx16). They are
// lowered, with the other wide values, to inline asm around
// lock cmpxchg16b, which is what LLVM selects when cx16 is available
// (every x86-64 CPU gorc runs on; see docs/rationale/s30-ext2.md):
//
//   - cmpxchg: one lock cmpxchg16b, success from ZF;
//   - load atomic: lock cmpxchg16b of 0 against 0 (it returns the
//     current value and writes back what was there; libatomic's
//     __atomic_load_16 does the same on such CPUs, so the two mix);
//   - store atomic and atomicrmw: read the two halves, then compute the
//     new value and lock cmpxchg16b until it succeeds (a failed
//     cmpxchg16b reloads RDX:RAX with the current value).
//
// The memory must be 16-byte aligned (cmpxchg16b faults otherwise): an
// access with a smaller explicit alignment is refused by the parser
// (i128AtomicAlign).

// wideAtomicCons and the templates below: the pointer operand is in a
// register the backend picks; RBX and RCX, the new value, are clobbered
// (the backend saves RBX around the template).
const (
	wideLoadTmpl = "xorl %eax, %eax\n\txorl %edx, %edx\n\txorl %ebx, %ebx\n\txorl %ecx, %ecx\n\tlock cmpxchg16b ($2)"
	wideLoadCons = "={ax},={dx},r,~{rbx},~{rcx},~{memory},~{cc}"

	wideStoreTmpl = "movq ($0), %rax\n\tmovq 8($0), %rdx\n1:\n\tlock cmpxchg16b ($0)\n\tjne 1b"
	wideStoreCons = "r,{bx},{cx},~{rax},~{rdx},~{memory},~{cc}"

	wideCmpXchgTmpl = "lock cmpxchg16b ($3)"
	wideCmpXchgCons = "={ax},={dx},={@ccz},r,{bx},{cx},0,1,~{memory}"

	wideRMWHead = "movq ($2), %rax\n\tmovq 8($2), %rdx\n1:\n\tmovq %rax, %rbx\n\tmovq %rdx, %rcx\n\t"
	wideRMWTail = "\n\tlock cmpxchg16b ($2)\n\tjne 1b"
	wideRMWCons = "={ax},={dx},r,r,r,~{rbx},~{rcx},~{memory},~{cc}"
)

// wideRMWOps is the computation of the new value (RCX:RBX, holding the
// old value RDX:RAX on entry) from the operand ($4:$3) for each
// atomicrmw operation on i128.
var wideRMWOps = map[RMWOp]string{
	RMWXchg: "movq $3, %rbx\n\tmovq $4, %rcx",
	RMWAdd:  "addq $3, %rbx\n\tadcq $4, %rcx",
	RMWSub:  "subq $3, %rbx\n\tsbbq $4, %rcx",
	RMWAnd:  "andq $3, %rbx\n\tandq $4, %rcx",
	RMWOr:   "orq $3, %rbx\n\torq $4, %rcx",
	RMWXor:  "xorq $3, %rbx\n\txorq $4, %rcx",
	RMWNand: "andq $3, %rbx\n\tandq $4, %rcx\n\tnotq %rbx\n\tnotq %rcx",
	// old - v: CF (unsigned) or SF != OF (signed) when old < v.
	RMWUMax: "subq $3, %rbx\n\tsbbq $4, %rcx\n\tmovq %rax, %rbx\n\tmovq %rdx, %rcx\n\tcmovbq $3, %rbx\n\tcmovbq $4, %rcx",
	RMWMax:  "subq $3, %rbx\n\tsbbq $4, %rcx\n\tmovq %rax, %rbx\n\tmovq %rdx, %rcx\n\tcmovlq $3, %rbx\n\tcmovlq $4, %rcx",
	// v - old: when v < old, v is the new value.
	RMWUMin: "movq $3, %rbx\n\tmovq $4, %rcx\n\tsubq %rax, %rbx\n\tsbbq %rdx, %rcx\n\tmovq %rax, %rbx\n\tmovq %rdx, %rcx\n\tcmovbq $3, %rbx\n\tcmovbq $4, %rcx",
	RMWMin:  "movq $3, %rbx\n\tmovq $4, %rcx\n\tsubq %rax, %rbx\n\tsbbq %rdx, %rcx\n\tmovq %rax, %rbx\n\tmovq %rdx, %rcx\n\tcmovlq $3, %rbx\n\tcmovlq $4, %rcx",
}

// asmCall appends a call of inline asm tmpl with constraints cons.
func (l *wideLowering) asmCall(ret *Type, tmpl, cons string, args ...Value) *Instr {
	ops, err := ParseAsmConstraints(cons)
	if err != nil {
		l.fail("internal: %v", err)
	}
	pts := make([]*Type, len(args))
	for i, a := range args {
		pts[i] = a.Type()
	}
	c := l.add(OpCall, ret, append([]Value{&InlineAsm{Template: tmpl, Constraints: cons, SideEffect: true, Ops: ops}}, args...)...)
	c.FnType = FuncType(ret, pts, false)
	return c
}

// halves extracts the two i64 of a {i64, i64, ...} asm result.
func (l *wideLowering) halves(c *Instr) (lo, hi Value) {
	return l.add(OpExtractValue, I64, c, l.p.constInt(I32, 0)), l.add(OpExtractValue, I64, c, l.p.constInt(I32, 1))
}

// atomicLoad lowers load atomic i128.
func (l *wideLowering) atomicLoad(in *Instr) {
	lo, hi := l.halves(l.asmCall(pairType, wideLoadTmpl, wideLoadCons, in.Ops[0]))
	l.set(in, lo, hi)
}

// atomicStore lowers store atomic i128.
func (l *wideLowering) atomicStore(in *Instr) {
	lo, hi := l.get(in.Ops[0])
	l.asmCall(Void, wideStoreTmpl, wideStoreCons, in.Ops[1], lo, hi)
}

// atomicRMW lowers atomicrmw of i128.
func (l *wideLowering) atomicRMW(in *Instr) {
	body, ok := wideRMWOps[in.RMW()]
	if !ok {
		l.fail("atomicrmw %v of i128 is not supported", in.RMW())
	}
	vlo, vhi := l.get(in.Ops[1])
	lo, hi := l.halves(l.asmCall(pairType, wideRMWHead+body+wideRMWTail, wideRMWCons, in.Ops[0], vlo, vhi))
	l.set(in, lo, hi)
}

// cmpxchgType is what the cmpxchg16b asm returns: RAX, RDX and ZF.
var cmpxchgType = StructType([]*Type{I64, I64, I8}, false)

// cmpXchg lowers cmpxchg of i128; its two fields are found by
// extractValue.
func (l *wideLowering) cmpXchg(in *Instr) {
	clo, chi := l.get(in.Ops[1])
	nlo, nhi := l.get(in.Ops[2])
	c := l.asmCall(cmpxchgType, wideCmpXchgTmpl, wideCmpXchgCons, in.Ops[0], nlo, nhi, clo, chi)
	lo, hi := l.halves(c)
	ok := l.add(OpTrunc, I1, l.add(OpExtractValue, I8, c, l.p.constInt(I32, 2)))
	if l.cx == nil {
		l.cx = make(map[Value][3]Value)
	}
	l.cx[in] = [3]Value{lo, hi, ok}
}

// extractValue lowers an extractvalue of a lowered cmpxchg (the parser
// reads its two fields right after it); it reports whether in was one.
func (l *wideLowering) extractValue(in *Instr) bool {
	r, ok := l.cx[in.Ops[0]]
	if !ok || len(in.Ops) != 2 {
		return false
	}
	idx, ok := in.Ops[1].(*ConstInt)
	if !ok {
		return false
	}
	switch idx.V {
	case 0:
		l.set(in, r[0], r[1])
	case 1:
		l.repl[in] = r[2]
	default:
		return false
	}
	return true
}
