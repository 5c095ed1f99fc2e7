package target

// CallConv is a target's C calling convention for scalar arguments, as
// typed calls from Go into JIT'd code (jit.Func) need it: which integer
// register, vector register or stack slot each argument takes. Results
// come back in the first integer or vector result register.
type CallConv interface {
	// Place assigns each parameter, in order, a register or stack slot.
	Place(params []Scalar) CallPlan
}

// ScalarKind is the C class of a scalar argument or result.
type ScalarKind uint8

// Scalar kinds.
const (
	Signed   ScalarKind = iota + 1 // int8_t … int64_t, long
	Unsigned                       // uint8_t … uint64_t, uintptr_t, pointers as integers
	Bool                           // _Bool
	Float                          // float (Size 4), double (Size 8)
)

// Scalar is a C scalar type: its class and size in bytes.
type Scalar struct {
	Kind ScalarKind
	Size int
}

// LocClass says where an argument is passed.
type LocClass uint8

// Argument locations.
const (
	IntReg   LocClass = iota // an integer argument register
	FloatReg                 // a vector argument register
	Stack                    // an 8-byte stack slot
)

// ArgLoc is where one argument is passed: the Index-th register of its
// class, or the Index-th stack slot (the first at the lowest address).
type ArgLoc struct {
	Class LocClass
	Index int
}

// CallPlan is how a call with given parameter types is made.
type CallPlan struct {
	Args                 []ArgLoc // one per parameter
	NInt, NFloat, NStack int      // registers and stack slots used
}

// amd64SysV is the x86-64 System V (Linux) convention for scalars: the
// first six integer-class arguments (integers, bool, pointers) in rdi,
// rsi, rdx, rcx, r8, r9; the first eight float or double arguments in
// xmm0-xmm7; every further argument in its own 8-byte stack slot, in
// argument order. Results come back in rax or xmm0.
type amd64SysV struct{}

func (amd64SysV) Place(params []Scalar) CallPlan {
	const intRegs, floatRegs = 6, 8
	p := CallPlan{Args: make([]ArgLoc, len(params))}
	for i, s := range params {
		switch {
		case s.Kind == Float && p.NFloat < floatRegs:
			p.Args[i] = ArgLoc{FloatReg, p.NFloat}
			p.NFloat++
		case s.Kind != Float && p.NInt < intRegs:
			p.Args[i] = ArgLoc{IntReg, p.NInt}
			p.NInt++
		default:
			p.Args[i] = ArgLoc{Stack, p.NStack}
			p.NStack++
		}
	}
	return p
}
