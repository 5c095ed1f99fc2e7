package jit

import (
	"fmt"
	"math"
)

// The C calling convention of the executor's architecture, as typed calls
// (Func) need it: which register or stack slot each scalar argument
// takes, and how a result is read back from the raw result registers.
//
// This file is x86-64 System V only; it moves behind gorc/target (a
// calling-convention field of target.Target, chosen by the executor's
// triple) once that package exists on main.

// scalarKind is the C class of a scalar argument or result.
type scalarKind uint8

const (
	scalarSigned   scalarKind = iota + 1 // int8_t ... int64_t, long
	scalarUnsigned                       // uint8_t ... uint64_t, uintptr_t, pointers as integers
	scalarBool                           // _Bool / bool
	scalarFloat                          // float (size 4), double (size 8)
)

// scalar is a C scalar type: its class and size in bytes.
type scalar struct {
	kind scalarKind
	size int
}

// locClass says where an argument is passed.
type locClass uint8

const (
	locInt   locClass = iota // an integer argument register
	locFloat                 // a vector argument register
	locStack                 // an 8-byte stack slot
)

// argLoc is where one argument is passed: a register or slot index.
type argLoc struct {
	class locClass
	index int
}

// callPlan is how a call with given parameter types is made.
type callPlan struct {
	args                 []argLoc
	nInt, nFloat, nStack int
}

// sysvAMD64 plans calls for x86-64 System V (Linux): the first six
// integer-class arguments (integers, bool, pointers) in rdi, rsi, rdx,
// rcx, r8, r9; the first eight float or double arguments in xmm0-xmm7;
// every further argument in its own 8-byte stack slot, in argument order.
// Results come back in rax (integers) or xmm0 (floating point).
func sysvAMD64(params []scalar, maxStack int) (callPlan, error) {
	const intRegs, floatRegs = 6, 8
	p := callPlan{args: make([]argLoc, len(params))}
	for i, s := range params {
		switch {
		case s.kind == scalarFloat && p.nFloat < floatRegs:
			p.args[i] = argLoc{locFloat, p.nFloat}
			p.nFloat++
		case s.kind != scalarFloat && p.nInt < intRegs:
			p.args[i] = argLoc{locInt, p.nInt}
			p.nInt++
		default:
			p.args[i] = argLoc{locStack, p.nStack}
			p.nStack++
		}
	}
	if p.nStack > maxStack {
		return callPlan{}, fmt.Errorf("%d arguments need %d stack slots; the executor takes at most %d", len(params), p.nStack, maxStack)
	}
	return p, nil
}

// argBits is an argument's 64-bit register or slot image: integers sign-
// or zero-extended to 64 bits (as C callers extend narrow arguments),
// bool as 0 or 1, a float in the low 32 bits.
func argBits(s scalar, i int64, u uint64, b bool, f float64) uint64 {
	switch s.kind {
	case scalarSigned:
		return uint64(i)
	case scalarUnsigned:
		return u
	case scalarBool:
		if b {
			return 1
		}
		return 0
	case scalarFloat:
		if s.size == 4 {
			return uint64(math.Float32bits(float32(f)))
		}
		return math.Float64bits(f)
	}
	return 0
}

// resultInt reads an integer-class result of s's size from rax: only the
// low size bytes are defined, so they are extended here.
func resultInt(s scalar, rax uint64) (int64, uint64) {
	bits := 8 * s.size
	if bits >= 64 {
		return int64(rax), rax
	}
	u := rax & (1<<bits - 1)
	shift := 64 - bits
	return int64(rax<<shift) >> shift, u
}

// resultFloat reads a floating-point result from xmm0's low bits.
func resultFloat(s scalar, xmm0 uint64) float64 {
	if s.size == 4 {
		return float64(math.Float32frombits(uint32(xmm0)))
	}
	return math.Float64frombits(xmm0)
}
