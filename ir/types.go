// Package ir is gorc's SSA intermediate representation: modules of
// functions and global variables, functions of basic blocks, blocks of
// instructions in static single assignment form.
//
// The textual form is a subset of LLVM IR syntax (LLVM 15+, opaque
// pointers): Module.String prints it, Parse reads it, and a module printed
// by this package runs unchanged in lli-19. Types are f64 ("double"), f32
// ("float"), i1, i8, i16, i32, i64, ptr, void, arrays (for string constants)
// and function types.
//
// Go programs build IR with a Builder, check it with Verify, and optimise it
// with the passes in github.com/gorc-jit/gorc/ir/passes. The backend consumes the data
// structures directly: every instruction is an *Instr whose Op selects the
// operation and whose operands are in Ops (see the Op constants for the
// operand layout of each).
//
// Building IR never panics on ill-typed input; Verify reports such IR as an
// error naming the function, block and instruction.
package ir

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/gorc-jit/gorc/internal/diag"
)

// TypeKind classifies a Type.
type TypeKind uint8

// Type kinds.
const (
	VoidKind   TypeKind = iota // void: no value
	IntKind                    // iN, N = Type.Bits (1, 8, 16, 32, 64)
	FloatKind                  // float (Bits 32), double (Bits 64) or x86_fp80 (Bits 80)
	PtrKind                    // ptr: an opaque pointer
	FuncKind                   // a function type: Ret, Params, Variadic
	ArrayKind                  // [Len x Elem]
	LabelKind                  // label: the type of a basic block operand
	StructKind                 // { Fields... } or <{ Fields... }> (Packed); named if Name != ""
)

// Type is an IR type. Scalar types are the package-level singletons (Void,
// I1, ..., F64, Ptr, Label) and may be compared with ==; function and array
// types are compared with Equal.
type Type struct {
	Kind     TypeKind
	Bits     int     // IntKind, FloatKind: width in bits
	Ret      *Type   // FuncKind: result type
	Params   []*Type // FuncKind: parameter types
	Variadic bool    // FuncKind: ends with "..."
	// Vector (ArrayKind): <Len x Elem>, a vector the parser splits into
	// its elements as it splits arrays (element-wise operations become
	// one per element), aligned to its size rounded up to a power of two.
	// (Next to Variadic: in its padding, so that a Type, which every
	// call's function type allocates, stays in its size class.)
	Vector bool
	// ByVal (FuncKind; nil when none): for each parameter of a function's
	// type, or each argument of a call's (variadic ones included), the
	// type of the struct a byval pointer argument passes a copy of on
	// the stack, or nil. Equal ignores it.
	ByVal []*Type
	// SRet (FuncKind): 1 + the index of the parameter marked sret(T) (the
	// hidden pointer a struct is returned through, which the callee
	// returns in RAX), 0 if none; SRetType is its T. Equal ignores them.
	SRet     int
	SRetType *Type
	Elem     *Type   // ArrayKind: element type
	Len      int64   // ArrayKind: element count
	Fields   []*Type // StructKind: field types
	Packed   bool    // StructKind: <{ }>, fields unaligned
	Name     string  // StructKind: the name of a named type (%Name), "" for a literal one
	Opaque   bool    // StructKind: a named type declared "type opaque" (no body)

	// fwd marks a named type used before its definition, until the
	// definition (the parser); lay caches a named struct's layout once
	// every named type in it is defined (*layout, atomically: lazily
	// parsed bodies read it from several goroutines). Without the cache
	// a type built as a DAG of named types (%T0 = type { %T1, %T1 }, …)
	// took time exponential in its depth to size.
	fwd bool
	lay unsafe.Pointer
}

// layout is a type's size (ok: it did not overflow), alignment and
// nesting depth (arrays and structs, through named types).
type layout struct {
	size, align int64
	ok          bool
	depth       int
}

// layoutOf computes t's layout; complete is false when it depends on a
// named type not defined yet (which counts as empty), so it must not be
// cached.
func (t *Type) layoutOf() (l layout, complete bool) {
	if t == nil {
		return layout{0, 1, true, 0}, true
	}
	switch t.Kind {
	case IntKind:
		s := int64((t.Bits + 7) / 8)
		for s&(s-1) != 0 { // i24, i40...: the size of the integer holding it
			s++
		}
		return layout{s, max(s, 1), true, 0}, true
	case FloatKind:
		if t.Bits == 80 {
			return layout{16, 16, true, 0}, true // x86_fp80: clang's datalayout (f80:128)
		}
		s := int64(t.Bits / 8)
		return layout{s, max(s, 1), true, 0}, true
	case PtrKind:
		return layout{8, 8, true, 0}, true
	case ArrayKind:
		e, complete := t.Elem.layoutOf()
		l = layout{align: e.align, ok: e.ok && t.Len >= 0, depth: e.depth + 1}
		if !l.ok {
			l.size = math.MaxInt64
			return l, complete
		}
		hi, lo := bits.Mul64(uint64(t.Len), uint64(e.size))
		if hi != 0 || lo > math.MaxInt64 {
			l.size, l.ok = math.MaxInt64, false
		} else {
			l.size = int64(lo)
		}
		if t.Vector && l.ok {
			for l.align < l.size {
				l.align *= 2
			}
			l.size = (l.size + l.align - 1) / l.align * l.align
		}
		return l, complete
	case StructKind:
		if c := (*layout)(atomic.LoadPointer(&t.lay)); c != nil {
			return *c, true
		}
		complete = !t.fwd
		l = layout{align: 1, ok: true}
		var off int64
		for _, f := range t.Fields {
			fl, fc := f.layoutOf()
			complete = complete && fc
			l.depth = max(l.depth, fl.depth+1)
			if !t.Packed {
				l.align = max(l.align, fl.align)
			}
			if !l.ok {
				continue
			}
			if !fl.ok {
				l.ok = false
				continue
			}
			if !t.Packed {
				a := fl.align
				off = (off + a - 1) / a * a
			}
			if off > math.MaxInt64-fl.size {
				l.ok = false
				continue
			}
			off += fl.size
		}
		if l.depth == 0 {
			l.depth = 1
		}
		if l.ok && off > math.MaxInt64-l.align {
			l.ok = false
		}
		if l.ok {
			l.size = (off + l.align - 1) / l.align * l.align
		} else {
			l.size = math.MaxInt64
		}
		if complete && t.Name != "" {
			c := l
			atomic.StorePointer(&t.lay, unsafe.Pointer(&c))
		}
		return l, complete
	}
	return layout{0, 1, true, 0}, true
}

// The scalar types.
var (
	Void  = &Type{Kind: VoidKind}
	I1    = &Type{Kind: IntKind, Bits: 1}
	I8    = &Type{Kind: IntKind, Bits: 8}
	I16   = &Type{Kind: IntKind, Bits: 16}
	I32   = &Type{Kind: IntKind, Bits: 32}
	I64   = &Type{Kind: IntKind, Bits: 64}
	F32   = &Type{Kind: FloatKind, Bits: 32}
	F64   = &Type{Kind: FloatKind, Bits: 64}
	Ptr   = &Type{Kind: PtrKind}
	Label = &Type{Kind: LabelKind}
)

// IntType returns the integer type of the given width (1, 8, 16, 32 or 64),
// or nil for another width.
func IntType(bits int) *Type {
	switch bits {
	case 1:
		return I1
	case 8:
		return I8
	case 16:
		return I16
	case 32:
		return I32
	case 64:
		return I64
	}
	return nil
}

// FuncType returns the function type ret(params...), with a trailing "..."
// if variadic.
func FuncType(ret *Type, params []*Type, variadic bool) *Type {
	return &Type{Kind: FuncKind, Ret: ret, Params: params, Variadic: variadic}
}

// ArrayType returns the type [n x elem].
func ArrayType(n int64, elem *Type) *Type {
	return &Type{Kind: ArrayKind, Len: n, Elem: elem}
}

// StructType returns the literal struct type { fields... }, or <{ ... }>
// when packed.
func StructType(fields []*Type, packed bool) *Type {
	return &Type{Kind: StructKind, Fields: fields, Packed: packed}
}

// IsAggregate reports whether t is an array or struct type.
func (t *Type) IsAggregate() bool {
	return t != nil && (t.Kind == ArrayKind || t.Kind == StructKind)
}

// FieldOffset returns the byte offset of field i of struct type t, laid
// out as the x86-64 psABI (and LLVM's x86-64 data layout) does: each
// field at the next multiple of its alignment (of 1 when packed).
func (t *Type) FieldOffset(i int) int64 {
	var off int64
	for k, f := range t.Fields {
		if !t.Packed {
			a := f.Align()
			off = (off + a - 1) / a * a
		}
		if k == i {
			return off
		}
		off += f.Size()
	}
	return off
}

// IsInt reports whether t is an integer type.
func (t *Type) IsInt() bool { return t != nil && t.Kind == IntKind }

// IsFloat reports whether t is a floating-point type.
func (t *Type) IsFloat() bool { return t != nil && t.Kind == FloatKind }

// IsPtr reports whether t is the pointer type.
func (t *Type) IsPtr() bool { return t != nil && t.Kind == PtrKind }

// IsVoid reports whether t is void.
func (t *Type) IsVoid() bool { return t != nil && t.Kind == VoidKind }

// IsFirstClass reports whether values of t can be instruction operands or
// results (everything but void, function and label types).
func (t *Type) IsFirstClass() bool {
	return t != nil && t.Kind != VoidKind && t.Kind != FuncKind && t.Kind != LabelKind
}

// Size returns the size of a value of type t in bytes on x86-64 (the
// alloca/store size); 0 for void, function and label types.
// An array type whose size does not fit in an int64 (or has a negative
// length) reports math.MaxInt64, so that a size limit rejects it rather
// than a wrapped-around small size being accepted; CheckSize says why.
func (t *Type) Size() int64 {
	s, _ := t.size()
	return s
}

// CheckSize returns t's size in bytes, or an error naming t if an array's
// length is negative or its size overflows 64 bits (is beyond MaxInt64).
func (t *Type) CheckSize() (int64, error) {
	s, ok := t.size()
	if !ok {
		return 0, fmt.Errorf("type %s is too large: its size in bytes overflows 64 bits", diag.Clip(t.String()))
	}
	return s, nil
}

// size computes Size with checked arithmetic; ok is false on overflow.
func (t *Type) size() (s int64, ok bool) {
	l, _ := t.layoutOf()
	return l.size, l.ok
}

// Align returns the ABI alignment of t in bytes on x86-64.
func (t *Type) Align() int64 {
	l, _ := t.layoutOf()
	return l.align
}

// Equal reports whether t and u denote the same type.
func (t *Type) Equal(u *Type) bool {
	if t == u {
		return true
	}
	if t == nil || u == nil || t.Kind != u.Kind {
		return false
	}
	switch t.Kind {
	case IntKind, FloatKind:
		return t.Bits == u.Bits
	case FuncKind:
		if t.Variadic != u.Variadic || len(t.Params) != len(u.Params) || !t.Ret.Equal(u.Ret) {
			return false
		}
		for i := range t.Params {
			if !t.Params[i].Equal(u.Params[i]) {
				return false
			}
		}
		return true
	case ArrayKind:
		return t.Len == u.Len && t.Vector == u.Vector && t.Elem.Equal(u.Elem)
	case StructKind:
		if t.Name != "" || u.Name != "" {
			return t.Name == u.Name
		}
		if t.Packed != u.Packed || len(t.Fields) != len(u.Fields) {
			return false
		}
		for i := range t.Fields {
			if !t.Fields[i].Equal(u.Fields[i]) {
				return false
			}
		}
		return true
	}
	return true
}

// Body returns the spelling of struct type t's fields, "{ i32, ptr }" or
// "<{ i8, i32 }>" ("opaque" for an opaque named type), as a named type's
// definition gives it.
func (t *Type) Body() string {
	if t.Opaque {
		return "opaque"
	}
	var sb strings.Builder
	if t.Packed {
		sb.WriteByte('<')
	}
	if len(t.Fields) == 0 {
		sb.WriteString("{}")
	} else {
		sb.WriteString("{ ")
		for i, f := range t.Fields {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(f.String())
		}
		sb.WriteString(" }")
	}
	if t.Packed {
		sb.WriteByte('>')
	}
	return sb.String()
}

// String returns the LLVM spelling of t: "double", "i32", "ptr",
// "double (double, ...)", "[4 x i8]".
func (t *Type) String() string {
	if t == nil {
		return "<nil type>"
	}
	switch t.Kind {
	case VoidKind:
		return "void"
	case IntKind:
		return "i" + strconv.Itoa(t.Bits)
	case FloatKind:
		if t.Bits == 32 {
			return "float"
		}
		if t.Bits == 80 {
			return "x86_fp80"
		}
		return "double"
	case PtrKind:
		return "ptr"
	case LabelKind:
		return "label"
	case ArrayKind:
		if t.Vector {
			return "<" + strconv.FormatInt(t.Len, 10) + " x " + t.Elem.String() + ">"
		}
		return "[" + strconv.FormatInt(t.Len, 10) + " x " + t.Elem.String() + "]"
	case StructKind:
		if t.Name != "" {
			return localIdent(t.Name)
		}
		return t.Body()
	case FuncKind:
		var sb strings.Builder
		sb.WriteString(t.Ret.String())
		sb.WriteString(" (")
		for i, p := range t.Params {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(p.String())
		}
		if t.Variadic {
			if len(t.Params) > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("...")
		}
		sb.WriteString(")")
		return sb.String()
	}
	return "<bad type>"
}

// checkTypeCycles reports the first named struct type of ts that contains
// itself by value (directly or through arrays and other structs), which
// would have no finite size, or nil.
func checkTypeCycles(ts []*Type) *Type {
	state := make(map[*Type]uint8) // 1: on the path, 2: done
	var visit func(t *Type) bool
	visit = func(t *Type) bool {
		switch t.Kind {
		case ArrayKind:
			return visit(t.Elem)
		case StructKind:
			if t.Name != "" {
				switch state[t] {
				case 1:
					return true
				case 2:
					return false
				}
				state[t] = 1
			}
			for _, f := range t.Fields {
				if visit(f) {
					return true
				}
			}
			if t.Name != "" {
				state[t] = 2
			}
		}
		return false
	}
	for _, t := range ts {
		if visit(t) {
			return t
		}
	}
	return nil
}
