package jit

import (
	"context"
	"fmt"
	"math"
	"reflect"

	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// CallError is the panic value of a typed function (see Func) whose call
// failed in the executor (for example, a child executor that died) when
// its type has no error result to return it in.
type CallError struct {
	Name string // the function's symbol
	Err  error
}

func (e *CallError) Error() string { return fmt.Sprintf("jit: call %s: %v", e.Name, e.Err) }

// Unwrap returns the underlying error.
func (e *CallError) Unwrap() error { return e.Err }

var errorType = reflect.TypeFor[error]()

// Func links what the symbol name needs and returns a Go function of type
// F that calls it with the C calling convention, in whatever executor the
// JIT uses: in this process the call is direct (on the calling goroutine's
// thread, as a cgo call); in a child or remote executor the arguments are
// sent through the executor's typed-call service and the call runs on an
// executor thread.
//
//	poly, err := jit.Func[func(float64) float64](j, "poly") // double poly(double)
//	y := poly(2.5)
//
// F's parameters and result may be integers (int, int8 … int64, uint,
// uint8 … uint64, uintptr, and named types of these; C's int is int32, long
// is int64), bool, float32 and float64. Pointers cross as executor
// addresses: uintptr or shared.ExecutorAddr; Go pointers,
// unsafe.Pointer, strings, slices, structs, maps, channels, functions and
// interfaces are refused. F has at most one result, optionally followed
// by an error: func(…) (T, error) or func(…) error returns a failed call
// (an executor that died) as that error; without it such a failure
// panics with a *CallError. Arguments beyond the registers (six integer,
// eight floating-point on x86-64) go on the stack.
//
// The call runs on an existing thread (the caller's in this process, an
// executor thread otherwise), not on a fresh one as RunMain's; JIT'd
// thread-locals are initialized in that thread before its first call, so
// they hold their initializers as in a new thread, and each thread has
// its own copy.
//
// Everything that can be checked is checked here, not at call time: F
// must be a non-variadic function type of supported types and name must
// be defined (an error names the type or symbol). The types are trusted
// to match the C definition, as in C: a wrong signature is undefined
// behaviour.
func Func[F any](j *JIT, name string) (F, error) {
	var zero F
	t := reflect.TypeFor[F]()
	sig, err := signatureOf(t)
	if err != nil {
		return zero, fmt.Errorf("jit: Func[%v](%q): %w", t, name, err)
	}
	if j.Target == nil || j.Target.CallConv == nil {
		return zero, fmt.Errorf("jit: Func[%v](%q): typed calls are not supported for the executor's target (%s)", t, name, j.EPC.TargetTriple())
	}
	plan := j.Target.CallConv.Place(sig.params)
	if plan.NStack > epc.CallMaxStack {
		return zero, fmt.Errorf("jit: Func[%v](%q): %d arguments need %d stack slots; the executor takes at most %d", t, name, len(sig.params), plan.NStack, epc.CallMaxStack)
	}
	c, err := epc.NewCaller(j.EPC)
	if herr := j.executorError(err); herr != err {
		return zero, herr // the executor never started
	}
	if err != nil {
		return zero, fmt.Errorf("jit: Func[%v](%q): %w", t, name, err)
	}
	addr, err := j.Lookup(context.Background(), name)
	if err != nil {
		return zero, fmt.Errorf("jit: Func[%v](%q): %w", t, name, err)
	}
	fc := &callee{c: c, addr: addr, name: name}
	if f, ok := fastFunc(any(zero), fc); ok {
		return f.(F), nil
	}
	return makeFunc(t, sig, plan, fc).Interface().(F), nil
}

// callee is one function's address and the Caller that reaches it.
type callee struct {
	c    *epc.Caller
	addr shared.ExecutorAddr
	name string
}

// call makes the call; for functions without an error result a failure
// panics with a *CallError.
func (f *callee) call(a epc.CallArgs) epc.CallResult {
	r, err := f.c.Call(context.Background(), f.addr, a)
	if err != nil {
		panic(&CallError{Name: f.name, Err: err})
	}
	return r
}

// fastFunc returns a function for the most common shapes without
// reflection (a reflect.MakeFunc call allocates its argument and result
// lists each time), or false.
func fastFunc(zero any, f *callee) (any, bool) {
	f64, i64 := math.Float64bits, func(v int64) uint64 { return uint64(v) }
	switch zero.(type) {
	case func():
		return func() { f.call(epc.CallArgs{}) }, true
	case func(float64) float64:
		return func(x float64) float64 {
			return math.Float64frombits(f.call(epc.CallArgs{Floats: [8]uint64{f64(x)}, NFloat: 1}).Float)
		}, true
	case func(float64, float64) float64:
		return func(x, y float64) float64 {
			return math.Float64frombits(f.call(epc.CallArgs{Floats: [8]uint64{f64(x), f64(y)}, NFloat: 2}).Float)
		}, true
	case func(int64) int64:
		return func(x int64) int64 { return int64(f.call(epc.CallArgs{Ints: [6]uint64{i64(x)}, NInt: 1}).Int) }, true
	case func(int64, int64) int64:
		return func(x, y int64) int64 {
			return int64(f.call(epc.CallArgs{Ints: [6]uint64{i64(x), i64(y)}, NInt: 2}).Int)
		}, true
	case func(int) int:
		return func(x int) int { return int(f.call(epc.CallArgs{Ints: [6]uint64{i64(int64(x))}, NInt: 1}).Int) }, true
	case func(int, int) int:
		return func(x, y int) int {
			return int(f.call(epc.CallArgs{Ints: [6]uint64{i64(int64(x)), i64(int64(y))}, NInt: 2}).Int)
		}, true
	case func(int32) int32:
		return func(x int32) int32 { return int32(f.call(epc.CallArgs{Ints: [6]uint64{i64(int64(x))}, NInt: 1}).Int) }, true
	}
	return nil, false
}

// signature is a function type's C shape.
type signature struct {
	params    []target.Scalar
	result    *target.Scalar // nil: void
	resultTyp reflect.Type   // the Go result type when result != nil
	hasErr    bool           // a trailing error result
}

func signatureOf(t reflect.Type) (signature, error) {
	var sig signature
	if t.Kind() != reflect.Func {
		return sig, fmt.Errorf("%v is not a function type", t)
	}
	if t.IsVariadic() {
		return sig, fmt.Errorf("variadic Go functions cannot call C functions (give each argument a type)")
	}
	for i := range t.NumIn() {
		s, err := scalarOf(t.In(i))
		if err != nil {
			return sig, fmt.Errorf("argument %d: %w", i+1, err)
		}
		sig.params = append(sig.params, s)
	}
	outs := t.NumOut()
	if outs > 0 && t.Out(outs-1) == errorType {
		sig.hasErr = true
		outs--
	}
	switch outs {
	case 0:
	case 1:
		s, err := scalarOf(t.Out(0))
		if err != nil {
			return sig, fmt.Errorf("result: %w", err)
		}
		sig.result, sig.resultTyp = &s, t.Out(0)
	default:
		return sig, fmt.Errorf("%d results; a C function has at most one (optionally followed by error)", outs)
	}
	return sig, nil
}

// scalarOf classifies a Go type as a C scalar.
func scalarOf(t reflect.Type) (target.Scalar, error) {
	switch t.Kind() {
	case reflect.Bool:
		return target.Scalar{Kind: target.Bool, Size: 1}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return target.Scalar{Kind: target.Signed, Size: int(t.Size())}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return target.Scalar{Kind: target.Unsigned, Size: int(t.Size())}, nil
	case reflect.Float32, reflect.Float64:
		return target.Scalar{Kind: target.Float, Size: int(t.Size())}, nil
	case reflect.Pointer, reflect.UnsafePointer:
		return target.Scalar{}, fmt.Errorf("type %v: Go pointers cannot be passed to or returned from JIT'd code (it may run in another process); use uintptr or shared.ExecutorAddr for executor addresses", t)
	}
	return target.Scalar{}, fmt.Errorf("type %v is not supported: want an integer, bool, float32, float64 or uintptr (not %v)", t, t.Kind())
}

// makeFunc builds the Go function that marshals a call.
func makeFunc(t reflect.Type, sig signature, plan target.CallPlan, f *callee) reflect.Value {
	return reflect.MakeFunc(t, func(in []reflect.Value) []reflect.Value {
		a := epc.CallArgs{NInt: plan.NInt, NFloat: plan.NFloat}
		if plan.NStack > 0 {
			a.Stack = make([]uint64, plan.NStack)
		}
		for i, v := range in {
			var bits uint64
			switch s := sig.params[i]; s.Kind {
			case target.Signed:
				bits = argBits(s, v.Int(), 0, false, 0)
			case target.Unsigned:
				bits = argBits(s, 0, v.Uint(), false, 0)
			case target.Bool:
				bits = argBits(s, 0, 0, v.Bool(), 0)
			case target.Float:
				bits = argBits(s, 0, 0, false, v.Float())
			}
			switch loc := plan.Args[i]; loc.Class {
			case target.IntReg:
				a.Ints[loc.Index] = bits
			case target.FloatReg:
				a.Floats[loc.Index] = bits
			default:
				a.Stack[loc.Index] = bits
			}
		}
		r, err := f.c.Call(context.Background(), f.addr, a)
		out := make([]reflect.Value, 0, 2)
		if sig.result != nil {
			rv := reflect.New(sig.resultTyp).Elem()
			if err == nil {
				switch s := *sig.result; s.Kind {
				case target.Signed:
					i, _ := resultInt(s, r.Int)
					rv.SetInt(i)
				case target.Unsigned:
					_, u := resultInt(s, r.Int)
					rv.SetUint(u)
				case target.Bool:
					_, u := resultInt(s, r.Int)
					rv.SetBool(u != 0)
				case target.Float:
					rv.SetFloat(resultFloat(s, r.Float))
				}
			}
			out = append(out, rv)
		}
		if sig.hasErr {
			ev := reflect.New(errorType).Elem()
			if err != nil {
				ev.Set(reflect.ValueOf(&CallError{Name: f.name, Err: err}).Convert(errorType))
			}
			out = append(out, ev)
		} else if err != nil {
			panic(&CallError{Name: f.name, Err: err})
		}
		return out
	})
}
