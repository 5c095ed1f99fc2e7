package amd64

import (
	"github.com/gorc-jit/gorc/jitlink"
)

// The indirect-function stub (jitlink.IFuncArch). Every reference to the
// ifunc reaches "stub"; its slot first holds the address of "resolve",
// which runs the resolver in the executor on the first call, through
// whichever path that call took (direct call, GOT, function pointer,
// another thread), stores the result and jumps there with the caller's
// arguments intact:
//
//	stub:    jmp *slot(%rip)
//	resolve: push %rdi, %rsi, %rdx, %rcx, %r8, %r9, %rax, %r10
//	         sub $0x88, %rsp            ; rsp is 16-aligned at the call
//	         movdqu %xmm0..%xmm7 → (%rsp)..0x70(%rsp)
//	         call *rslot(%rip)           ; rslot holds the resolver's address
//	         mov %rax, slot(%rip)
//	         movdqu (%rsp)..0x70(%rsp) → %xmm0..%xmm7
//	         add $0x88, %rsp
//	         pop %r10, %rax, %r9, %r8, %rcx, %rdx, %rsi, %rdi
//	         jmp *slot(%rip)
//
// %rax (the vector-register count of a variadic call) and %r10 (the
// static chain) are kept beside the six integer argument registers. Two
// threads calling first at once both run the resolver and store the same
// address (resolvers are pure: glibc may run them more than once too).
// The upper halves of %ymm registers are not saved: a resolver that
// used AVX would clobber a 256-bit argument (gcc's and clang's resolvers
// only read the CPU model).
var ifuncStubCode = [...]byte{
	0xff, 0x25, 0x00, 0x00, 0x00, 0x00, 0x57, 0x56, 0x52, 0x51, 0x41, 0x50,
	0x41, 0x51, 0x50, 0x41, 0x52, 0x48, 0x81, 0xec, 0x88, 0x00, 0x00, 0x00,
	0xf3, 0x0f, 0x7f, 0x04, 0x24, 0xf3, 0x0f, 0x7f, 0x4c, 0x24, 0x10, 0xf3,
	0x0f, 0x7f, 0x54, 0x24, 0x20, 0xf3, 0x0f, 0x7f, 0x5c, 0x24, 0x30, 0xf3,
	0x0f, 0x7f, 0x64, 0x24, 0x40, 0xf3, 0x0f, 0x7f, 0x6c, 0x24, 0x50, 0xf3,
	0x0f, 0x7f, 0x74, 0x24, 0x60, 0xf3, 0x0f, 0x7f, 0x7c, 0x24, 0x70, 0xff,
	0x15, 0x00, 0x00, 0x00, 0x00, 0x48, 0x89, 0x05, 0x00, 0x00, 0x00, 0x00,
	0xf3, 0x0f, 0x6f, 0x04, 0x24, 0xf3, 0x0f, 0x6f, 0x4c, 0x24, 0x10, 0xf3,
	0x0f, 0x6f, 0x54, 0x24, 0x20, 0xf3, 0x0f, 0x6f, 0x5c, 0x24, 0x30, 0xf3,
	0x0f, 0x6f, 0x64, 0x24, 0x40, 0xf3, 0x0f, 0x6f, 0x6c, 0x24, 0x50, 0xf3,
	0x0f, 0x6f, 0x74, 0x24, 0x60, 0xf3, 0x0f, 0x6f, 0x7c, 0x24, 0x70, 0x48,
	0x81, 0xc4, 0x88, 0x00, 0x00, 0x00, 0x41, 0x5a, 0x58, 0x41, 0x59, 0x41,
	0x58, 0x59, 0x5a, 0x5e, 0x5f, 0xff, 0x25, 0x00, 0x00, 0x00, 0x00,
}

// Offsets in ifuncStubCode.
const (
	ifuncResolveOff  = 0x06 // the "resolve" entry the slot first holds
	ifuncJmpSlot1    = 0x02 // disp32 of the first jmp *slot(%rip)
	ifuncCallSlot    = 0x49 // disp32 of call *rslot(%rip)
	ifuncStoreSlot   = 0x50 // disp32 of mov %rax, slot(%rip)
	ifuncJmpSlot2    = 0x97 // disp32 of the last jmp *slot(%rip)
	ifuncStubAlign   = 16
	ifuncStubCodeLen = len(ifuncStubCode)
)

// AddIFuncStub implements jitlink.IFuncArch.
func (arch) AddIFuncStub(g *jitlink.LinkGraph, codeSec, ptrSec *jitlink.Section, resolver *jitlink.Symbol) *jitlink.Symbol {
	return AddIFuncStub(g, codeSec, ptrSec, resolver)
}

// AddIFuncStub adds an indirect-function stub calling resolver to
// codeSec and its two slots (the target, the resolver) to ptrSec, and returns the stub's callable
// anonymous symbol (see ifuncStubCode).
func AddIFuncStub(g *jitlink.LinkGraph, codeSec, ptrSec *jitlink.Section, resolver *jitlink.Symbol) *jitlink.Symbol {
	code := ifuncStubCode
	b := g.AddMutableContentBlock(codeSec, code[:], ifuncStubAlign, 0)
	b.Ordinal = blockOrdinal(codeSec)
	resolve := g.AddAnonymousSymbol(b, ifuncResolveOff, 0)
	slot := AddPointer(g, ptrSec, resolve, 0)
	// The resolver is reached through a slot of its own: it may be
	// anywhere (an external symbol: a lazily compiled function's stub).
	rslot := AddPointer(g, ptrSec, resolver, 0)
	b.Edges = make([]jitlink.Edge, 0, 4)
	b.AddEdge(Delta32, ifuncJmpSlot1, slot, -4)
	b.AddEdge(Delta32, ifuncCallSlot, rslot, -4)
	b.AddEdge(Delta32, ifuncStoreSlot, slot, -4)
	b.AddEdge(Delta32, ifuncJmpSlot2, slot, -4)
	return g.AddDefinedSymbol(b, 0, "", uint64(ifuncStubCodeLen), jitlink.LinkageStrong, jitlink.ScopeLocal, true, false)
}
