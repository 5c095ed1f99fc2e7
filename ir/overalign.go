package ir

// Stack objects aligned to more than 16 bytes. clang-19 -O3
// -march=x86-64-v3 aligns the arrays its AVX code reads to 32 bytes, and
// C's _Alignas(32) or _Alignas(64) asks for it; the backend's frames keep
// 16. The parser reads such an alloca as one of 16-byte alignment and
// align-16 more bytes, the object starting at its first address that is
// a multiple of the alignment: (p + align-1) & -align.
func (p *parser) overAligned(in *Instr) {
	align := in.Align
	size := in.ElemType.Size()
	in.ElemType = ArrayType(size+align-16, I8)
	in.Align = 16
	p.emit = append(p.emit, in)
	a := p.emitInstr(OpPtrToInt, I64, in)
	b := p.emitInstr(OpAdd, I64, a, p.constInt(I64, align-1))
	c := p.emitInstr(OpAnd, I64, b, p.constInt(I64, -align))
	p.aggRes = p.emitInstr(OpIntToPtr, Ptr, c)
}
