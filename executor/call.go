package executor

/*
#include "gorc_call.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/gorc-jit/gorc/shared"
)

// CallName is the bootstrap symbol of the typed-call service, a wrapper
// function that calls a JIT'd function with arguments in registers and on
// the stack (System V x86-64) and returns its raw results. Its argument is
// the little-endian uint64 sequence
//
//	fn, nint, nfloat, nstack, ints[nint], floats[nfloat], stack[nstack]
//
// (nint <= CallIntRegs, nfloat <= CallFloatRegs, nstack <= CallMaxStack;
// floats are the bit patterns of the xmm registers' low 64 bits, a float
// in the low 32) and its result is 16 bytes: rax, then xmm0's low 64 bits.
// In this process, Call does the same without encoding.
const CallName = "__gorc_call"

// Limits of the typed-call routine (System V x86-64).
const (
	CallIntRegs   = C.GORC_CALL_INT_REGS   // rdi, rsi, rdx, rcx, r8, r9
	CallFloatRegs = C.GORC_CALL_FLOAT_REGS // xmm0-xmm7
	CallMaxStack  = C.GORC_CALL_MAX_STACK  // 8-byte stack argument slots
)

// CallResult holds a called function's raw return registers; the caller
// knows the type and takes the bits it needs.
type CallResult struct {
	Int   uint64 // rax
	Float uint64 // low 64 bits of xmm0
}

// callAddr is the address of the typed-call service.
func callAddr() shared.ExecutorAddr { return shared.ExecutorAddr(C.gorc_svc_call_addr()) }

// Call calls fn on the calling thread with ints in the integer argument
// registers, floats (bit patterns) in xmm0-7 and stack in 8-byte stack
// slots, the first at the lowest address, as a C caller would, and
// returns rax and xmm0. The argument counts are checked; the types are the
// caller's business (a wrong signature is undefined behaviour, as in C).
func Call(fn shared.ExecutorAddr, ints, floats, stack []uint64) (CallResult, error) {
	if fn == 0 {
		return CallResult{}, fmt.Errorf("executor: call: null function address")
	}
	if len(ints) > CallIntRegs || len(floats) > CallFloatRegs || len(stack) > CallMaxStack {
		return CallResult{}, fmt.Errorf("executor: call %v: %d integer, %d float and %d stack arguments; at most %d, %d and %d",
			fn, len(ints), len(floats), len(stack), CallIntRegs, CallFloatRegs, CallMaxStack)
	}
	var r [CallIntRegs + CallFloatRegs]C.uint64_t
	for i, v := range ints {
		r[i] = C.uint64_t(v)
	}
	for i, v := range floats {
		r[CallIntRegs+i] = C.uint64_t(v)
	}
	var sp *C.uint64_t
	if len(stack) > 0 {
		sp = (*C.uint64_t)(unsafe.Pointer(&stack[0]))
	}
	f := C.gorc_call(C.uint64_t(fn), r[0], r[1], r[2], r[3], r[4], r[5],
		r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], C.uint64_t(len(stack)), sp)
	return CallResult{Int: uint64(f.rax), Float: uint64(f.xmm0)}, nil
}

// callTLSBlock registers a TLS block with an initialization image for
// typed calls: see gorc_call.h.
func callTLSBlock(b TLSBlock) {
	C.gorc_call_tls_block(C.int64_t(b.TPOffset), C.uint64_t(b.ImageAddr), C.uint64_t(b.ImageSize))
}

// callFloor is the benchmark floor for Call: a plain cgo call of a C
// function computing what the benchmarks' poly does.
func callFloor(x float64) float64 { return float64(C.gorc_call_floor(C.double(x))) }
