package ir

import "bytes"

// Variable-length arrays and alloca(n): an alloca whose count is not a
// constant becomes a call of DynAllocaName(i64 bytes, i64 align) and
// llvm.stacksave/llvm.stackrestore are kept as calls; the backend makes
// them a stack adjustment (the function then addresses its frame from a
// frame pointer). To the optimizer they are calls, which keeps them in
// place; the inliner and the tail-recursion pass leave functions that
// make them alone (passes.HasDynamicStack).

// DynAllocaName is the function a variable-count alloca calls.
const DynAllocaName = "llvm.gorc.alloca"

// IsDynamicStackCall reports whether in is a call of DynAllocaName or of
// llvm.stacksave/llvm.stackrestore.
func IsDynamicStackCall(in *Instr) bool {
	if in.Op != OpCall || len(in.Ops) == 0 {
		return false
	}
	f, ok := in.Ops[0].(*Function)
	if !ok || len(f.Name) < 14 || f.Name[:5] != "llvm." {
		return false
	}
	switch n := f.Name; {
	case n == DynAllocaName, n == "llvm.stacksave", n == "llvm.stackrestore":
		return true
	case len(n) > 15 && n[:15] == "llvm.stacksave.", len(n) > 18 && n[:18] == "llvm.stackrestore.":
		return true
	}
	return false
}

// dynAlloca turns in, "alloca T, iN %n", into a call of DynAllocaName
// with the byte count (n zero-extended, times T's size) and alignment.
func (p *parser) dynAlloca(in *Instr, at token) {
	n := in.Ops[0]
	t := n.Type()
	if !t.IsInt() || t.Bits > 64 {
		p.failAt(at, "alloca count of type '%v'", t)
	}
	size, err := in.ElemType.CheckSize()
	if err != nil {
		p.failAt(at, "alloca: %v", err)
	}
	mk := func(op Op, ty *Type, ops ...Value) *Instr {
		x := p.arena.alloc()
		*x = Instr{Op: op, Typ: ty}
		x.Ops = append(x.opsBuf[:0:len(x.opsBuf)], ops...)
		p.pre = append(p.pre, x)
		return x
	}
	if t.Bits < 64 {
		n = mk(OpZExt, I64, n)
	}
	if size != 1 {
		n = mk(OpMul, I64, n, p.constInt(I64, size))
	}
	align := max(in.ElemType.Align(), int64(in.Align), 1)
	if align > 16 {
		p.failAt(at, "alloca with a variable count aligned to %d (at most 16)", align)
	}
	sig := FuncType(Ptr, []*Type{I64, I64}, false)
	*in = Instr{Op: OpCall, Typ: Ptr, FnType: sig, Name: in.Name}
	in.Ops = append(in.opsBuf[:0:len(in.opsBuf)], p.libcRef(DynAllocaName, sig), n, p.constInt(I64, 16))
}

// mayDynAlloca reports whether src has an alloca with a count that is a
// local value ("= alloca T, iN %n"), for a lazy parse to declare
// DynAllocaName before any body is parsed.
func mayDynAlloca(src []byte) bool {
	for {
		i := bytes.Index(src, []byte("= alloca "))
		if i < 0 {
			return false
		}
		src = src[i+9:]
		line := src
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		if bytes.Contains(line, []byte(", i64 %")) || bytes.Contains(line, []byte(", i32 %")) {
			return true
		}
	}
}
