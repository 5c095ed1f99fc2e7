package jit

import (
	"math"

	"github.com/gorc-jit/gorc/target"
)

// Register images of typed-call arguments and results. Which register or
// slot an argument takes is the target's (target.CallConv); how a Go
// value becomes a 64-bit register image and back is the same for every
// 64-bit target gorc knows.

// argBits is an argument's 64-bit register or slot image: integers sign-
// or zero-extended to 64 bits (as C callers extend narrow arguments),
// bool as 0 or 1, a float in the low 32 bits.
func argBits(s target.Scalar, i int64, u uint64, b bool, f float64) uint64 {
	switch s.Kind {
	case target.Signed:
		return uint64(i)
	case target.Unsigned:
		return u
	case target.Bool:
		if b {
			return 1
		}
		return 0
	case target.Float:
		if s.Size == 4 {
			return uint64(math.Float32bits(float32(f)))
		}
		return math.Float64bits(f)
	}
	return 0
}

// resultInt reads an integer-class result of s's size from the integer
// result register: only the low Size bytes are defined, so they are
// extended here.
func resultInt(s target.Scalar, reg uint64) (int64, uint64) {
	bits := 8 * s.Size
	if bits >= 64 {
		return int64(reg), reg
	}
	u := reg & (1<<bits - 1)
	shift := 64 - bits
	return int64(reg<<shift) >> shift, u
}

// resultFloat reads a floating-point result from the vector result
// register's low bits.
func resultFloat(s target.Scalar, reg uint64) float64 {
	if s.Size == 4 {
		return float64(math.Float32frombits(uint32(reg)))
	}
	return math.Float64frombits(reg)
}
