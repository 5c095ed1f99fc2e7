package epc

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gorc-jit/gorc/shared"
)

// CallName is the executor's typed-call service (see executor.CallName):
// a wrapper function that calls a function with raw argument registers
// and stack slots and returns its raw result registers. Its argument is
// the little-endian uint64 sequence fn, nint, nfloat, nstack, ints,
// floats, stack; its result is 16 bytes, the integer then the float
// result register.
const CallName = "__gorc_call"

// Limits of the typed-call service on x86-64 (System V): integer argument
// registers, vector argument registers and 8-byte stack slots.
const (
	CallIntRegs   = 6
	CallFloatRegs = 8
	CallMaxStack  = 1024
)

// CallArgs are a call's arguments as the calling convention places them:
// the integer argument registers in order (NInt of them used), the bit
// patterns of the float argument registers' low 64 bits (a float32 in the
// low 32; NFloat used), and the 8-byte stack slots, the first at the
// lowest address. The registers are arrays so that a call in this process
// allocates nothing.
type CallArgs struct {
	Ints         [CallIntRegs]uint64
	Floats       [CallFloatRegs]uint64
	NInt, NFloat int
	Stack        []uint64
}

// CallResult is a called function's raw result registers (x86-64: rax and
// the low 64 bits of xmm0); the caller, knowing the type, takes the bits
// it needs.
type CallResult struct {
	Int, Float uint64
}

// DirectCaller is the optional fast path of executors in this process:
// the call is made on the calling thread without encoding. InProcess
// implements it.
type DirectCaller interface {
	CallDirect(ctx context.Context, fn shared.ExecutorAddr, a CallArgs) (CallResult, error)
}

// Caller makes typed calls into one executor: directly in this process,
// through the CallName service (a wrapper call) elsewhere.
type Caller struct {
	e      ExecutorProcessControl
	direct DirectCaller
	svc    shared.ExecutorAddr
}

// NewCaller returns a Caller for e, or an error if e offers neither the
// direct path nor the CallName service (an older executor).
func NewCaller(e ExecutorProcessControl) (*Caller, error) {
	c := &Caller{e: e}
	if d, ok := e.(DirectCaller); ok {
		c.direct = d
		return c, nil
	}
	svc, err := service(e, CallName)
	if err != nil {
		return nil, fmt.Errorf("epc: typed calls: %w (the executor predates typed calls)", err)
	}
	c.svc = svc
	return c, nil
}

// Call calls fn with a and returns its result registers.
func (c *Caller) Call(ctx context.Context, fn shared.ExecutorAddr, a CallArgs) (CallResult, error) {
	if a.NInt < 0 || a.NInt > CallIntRegs || a.NFloat < 0 || a.NFloat > CallFloatRegs || len(a.Stack) > CallMaxStack {
		return CallResult{}, fmt.Errorf("epc: call %v: %d integer, %d float and %d stack arguments; at most %d, %d and %d",
			fn, a.NInt, a.NFloat, len(a.Stack), CallIntRegs, CallFloatRegs, CallMaxStack)
	}
	if c.direct != nil {
		return c.direct.CallDirect(ctx, fn, a)
	}
	out, err := c.e.CallWrapper(ctx, shared.WrapperCall{Fn: c.svc, Arg: EncodeCall(fn, a)})
	if err != nil {
		return CallResult{}, fmt.Errorf("epc: call %v: %w", fn, err)
	}
	return DecodeCallResult(out)
}

// EncodeCall encodes the CallName service's argument (a's counts must be
// in range, as Call checks).
func EncodeCall(fn shared.ExecutorAddr, a CallArgs) []byte {
	b := make([]byte, 0, 8*(4+a.NInt+a.NFloat+len(a.Stack)))
	b = binary.LittleEndian.AppendUint64(b, uint64(fn))
	b = binary.LittleEndian.AppendUint64(b, uint64(a.NInt))
	b = binary.LittleEndian.AppendUint64(b, uint64(a.NFloat))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(a.Stack)))
	for _, vs := range [][]uint64{a.Ints[:a.NInt], a.Floats[:a.NFloat], a.Stack} {
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
	}
	return b
}

// DecodeCallResult decodes the CallName service's 16-byte result.
func DecodeCallResult(b []byte) (CallResult, error) {
	if len(b) != 16 {
		return CallResult{}, fmt.Errorf("epc: call result: %d bytes, want 16", len(b))
	}
	return CallResult{Int: binary.LittleEndian.Uint64(b), Float: binary.LittleEndian.Uint64(b[8:])}, nil
}
