package ir

import "sync"

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
// cmpxchg16b faults on memory not 16-byte aligned. An access with a
// smaller explicit alignment (clang's `atomicrmw xchg i128 ... align 8`
// for __atomic_exchange of a plain 16-byte struct) calls libatomic's
// generic functions instead, as LLVM does: __atomic_load, __atomic_store,
// __atomic_exchange and __atomic_compare_exchange (size 16, through
// 16-byte stack slots, always seq_cst: stronger than any ordering asked);
// the program is then linked with -latomic, as it is natively. Other
// atomicrmw operations at such an alignment are refused (LLVM loops on
// __atomic_compare_exchange; clang emits them only for __int128 values,
// which are 16-byte aligned unless a typedef says otherwise).

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
	if underAligned(in) {
		r := l.atomicSlot()
		l.libatomic("__atomic_load", l.c64(16), in.Ops[0], r, l.p.constInt(I32, 5))
		lo, hi := l.loadSlot(r)
		l.set(in, lo, hi)
		return
	}
	lo, hi := l.halves(l.asmCall(pairType, wideLoadTmpl, wideLoadCons, in.Ops[0]))
	l.set(in, lo, hi)
}

// atomicStore lowers store atomic i128.
func (l *wideLowering) atomicStore(in *Instr) {
	lo, hi := l.get(in.Ops[0])
	if underAligned(in) {
		v := l.atomicSlot()
		l.storeSlot(v, lo, hi)
		l.libatomic("__atomic_store", l.c64(16), in.Ops[1], v, l.p.constInt(I32, 5))
		return
	}
	l.asmCall(Void, wideStoreTmpl, wideStoreCons, in.Ops[1], lo, hi)
}

// atomicRMW lowers atomicrmw of i128.
func (l *wideLowering) atomicRMW(in *Instr) {
	body, ok := wideRMWOps[in.RMW()]
	if !ok {
		l.fail("atomicrmw %v of i128 is not supported", in.RMW())
	}
	vlo, vhi := l.get(in.Ops[1])
	if underAligned(in) {
		if in.RMW() != RMWXchg {
			l.fail("atomicrmw %v of i128 with align %d is not supported (only xchg, load, store and cmpxchg below align 16: libatomic's __atomic_exchange and friends)", in.RMW(), in.Align)
		}
		v, r := l.atomicSlot(), l.atomicSlot()
		l.storeSlot(v, vlo, vhi)
		l.libatomic("__atomic_exchange", l.c64(16), in.Ops[0], v, r, l.p.constInt(I32, 5))
		lo, hi := l.loadSlot(r)
		l.set(in, lo, hi)
		return
	}
	lo, hi := l.halves(l.asmCall(pairType, wideRMWHead+body+wideRMWTail, wideRMWCons, in.Ops[0], vlo, vhi))
	l.set(in, lo, hi)
}

// wideAtomicLibs are libatomic's generic functions the under-aligned
// i128 atomics call, declared up front by a lazy parse of a module that
// may hold them (an unused declaration costs nothing: it is never
// looked up).
var wideAtomicLibs = sync.OnceValue(func() map[string]*Type {
	return map[string]*Type{
		"__atomic_load":             FuncType(Void, []*Type{I64, Ptr, Ptr, I32}, false),
		"__atomic_store":            FuncType(Void, []*Type{I64, Ptr, Ptr, I32}, false),
		"__atomic_exchange":         FuncType(Void, []*Type{I64, Ptr, Ptr, Ptr, I32}, false),
		"__atomic_compare_exchange": FuncType(I8, []*Type{I64, Ptr, Ptr, Ptr, I32, I32}, false),
	}
})

// underAligned reports whether an i128 atomic's explicit alignment is
// below 16.
func underAligned(in *Instr) bool { return in.Align != 0 && in.Align < 16 }

// atomicSlot is a new 16-byte stack slot (placed in the entry block when
// the body is lowered).
func (l *wideLowering) atomicSlot() Value {
	x := l.p.arena.alloc()
	*x = Instr{Op: OpAlloca, Typ: Ptr, ElemType: wideIntType(128), Align: 16}
	x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], l.c64(1))
	l.slots = append(l.slots, x)
	return x
}

func (l *wideLowering) storeSlot(s, lo, hi Value) {
	st := l.add(OpStore, Void, lo, s)
	st.Align = 16
	st = l.add(OpStore, Void, hi, l.ptr8(s))
	st.Align = 8
}

func (l *wideLowering) loadSlot(s Value) (lo, hi Value) {
	a := l.add(OpLoad, I64, s)
	a.Align = 16
	b := l.add(OpLoad, I64, l.ptr8(s))
	b.Align = 8
	return a, b
}

// libatomic appends a call of libatomic's fn.
func (l *wideLowering) libatomic(fn string, args ...Value) *Instr {
	sig := wideAtomicLibs()[fn]
	var callee Value
	if v := l.p.m.Lookup(fn); v != nil {
		if f, ok := v.(*Function); !ok || !f.Sig.Equal(sig) {
			l.fail("'@%s' is declared with another type than libatomic's", fn)
		}
		callee = v
	} else if l.p.lazyBody {
		l.fail("an i128 atomic below align 16 needs libatomic's '@%s', which a lazily read body cannot declare (run without -lazy)", fn)
	} else {
		callee = l.p.libcRef(fn, sig)
	}
	c := l.add(OpCall, sig.Ret, append([]Value{callee}, args...)...)
	c.FnType = sig
	return c
}

// cmpxchgType is what the cmpxchg16b asm returns: RAX, RDX and ZF.
var cmpxchgType = StructType([]*Type{I64, I64, I8}, false)

// cmpXchg lowers cmpxchg of i128; its two fields are found by
// extractValue.
func (l *wideLowering) cmpXchg(in *Instr) {
	clo, chi := l.get(in.Ops[1])
	nlo, nhi := l.get(in.Ops[2])
	if underAligned(in) {
		e, d := l.atomicSlot(), l.atomicSlot()
		l.storeSlot(e, clo, chi)
		l.storeSlot(d, nlo, nhi)
		r := l.libatomic("__atomic_compare_exchange", l.c64(16), in.Ops[0], e, d, l.p.constInt(I32, 5), l.p.constInt(I32, 5))
		lo, hi := l.loadSlot(e)
		if l.cx == nil {
			l.cx = make(map[Value][3]Value)
		}
		l.cx[in] = [3]Value{lo, hi, l.icmp(ICmpNE, r, l.p.constInt(I8, 0))}
		return
	}
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
