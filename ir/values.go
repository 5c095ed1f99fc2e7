package ir

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gorc-jit/gorc/internal/diag"
)

// Value is anything an instruction can use as an operand: an *Instr with a
// result, a *Param, a *Function or *Global (both of type ptr), a *Block
// (type label; only as br/phi targets, which live in Instr.Blocks), or a
// constant (*ConstInt, *ConstFloat, *ConstNull, *Undef, *ConstZero,
// *ConstBytes).
type Value interface {
	// Type returns the value's type.
	Type() *Type
	// Ident returns the operand's spelling without its type: "%x", "@f",
	// "1.000000e+00", "true", "null". Unnamed local values print as "%?"
	// here; the module printer numbers them.
	Ident() string
}

// Constant is a Value that is a compile-time constant.
type Constant interface {
	Value
	isConst()
}

// ConstInt is an integer constant; V holds the value sign-extended from
// Typ.Bits to 64 bits, except that i1 true is 1.
type ConstInt struct {
	Typ *Type
	V   int64
}

// ConstFloat is a floating-point constant.
type ConstFloat struct {
	Typ *Type
	V   float64
}

// ConstNull is the null pointer.
type ConstNull struct{}

// Undef is an undefined value of type Typ ("undef" or "poison").
type Undef struct {
	Typ    *Type
	Poison bool
}

// ConstZero is "zeroinitializer" of type Typ (used for global initialisers).
type ConstZero struct{ Typ *Type }

// ConstBytes is a byte-array constant c"..." of type [len(Data) x i8].
type ConstBytes struct {
	Typ  *Type
	Data []byte
}

// NewInt returns the integer constant v of type t, truncated to t's width
// and sign-extended (i1 constants are 0 or 1).
func NewInt(t *Type, v int64) *ConstInt {
	return &ConstInt{Typ: t, V: NormInt(t, v)}
}

// NormInt truncates v to the width of the integer type t and sign-extends
// it back to 64 bits; i1 values become 0 or 1.
func NormInt(t *Type, v int64) int64 {
	if t == nil || t.Kind != IntKind || t.Bits >= 64 {
		return v
	}
	if t.Bits == 1 {
		return v & 1
	}
	s := uint(64 - t.Bits)
	return v << s >> s
}

// NewFloat returns the double constant v.
func NewFloat(v float64) *ConstFloat { return &ConstFloat{Typ: F64, V: v} }

// True and False are the i1 constants.
var (
	True  = &ConstInt{Typ: I1, V: 1}
	False = &ConstInt{Typ: I1, V: 0}
)

func (c *ConstInt) Type() *Type   { return c.Typ }
func (c *ConstFloat) Type() *Type { return c.Typ }
func (c *ConstNull) Type() *Type  { return Ptr }
func (c *Undef) Type() *Type      { return c.Typ }
func (c *ConstZero) Type() *Type  { return c.Typ }
func (c *ConstBytes) Type() *Type { return c.Typ }

func (*ConstInt) isConst()   {}
func (*ConstFloat) isConst() {}
func (*ConstNull) isConst()  {}
func (*Undef) isConst()      {}
func (*ConstZero) isConst()  {}
func (*ConstBytes) isConst() {}
func (*Function) isConst()   {}
func (*Global) isConst()     {}

// Ident prints the integer; i1 prints as true/false.
func (c *ConstInt) Ident() string {
	if c.Typ == I1 || (c.Typ != nil && c.Typ.Bits == 1) {
		if c.V&1 != 0 {
			return "true"
		}
		return "false"
	}
	return strconv.FormatInt(c.V, 10)
}

// Ident prints the constant as LLVM does: "%e" form when that is exact
// (1.000000e+00), otherwise the 64-bit hex form (0x3FB999999999999A).
func (c *ConstFloat) Ident() string { return FormatFloat(c.Typ, c.V) }

// FormatFloat spells a floating-point constant of type t the way LLVM's
// printer does.
func FormatFloat(t *Type, v float64) string {
	if t != nil && t.Bits == 32 {
		v = float64(float32(v))
	}
	if !math.IsInf(v, 0) && !math.IsNaN(v) {
		s := strconv.FormatFloat(v, 'e', 6, 64)
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == v && !(v == 0 && math.Signbit(v) != math.Signbit(f)) {
			// Go prints e+00; LLVM prints e+00 too (at least two exponent digits).
			return s
		}
	}
	// LLVM prints float constants in hex as the double they extend to.
	return fmt.Sprintf("0x%016X", math.Float64bits(v))
}

func (c *ConstNull) Ident() string { return "null" }
func (c *Undef) Ident() string {
	if c.Poison {
		return "poison"
	}
	return "undef"
}
func (c *ConstZero) Ident() string { return "zeroinitializer" }

// Ident prints c"..." with non-printable bytes as \XX escapes.
func (c *ConstBytes) Ident() string {
	var sb strings.Builder
	sb.WriteString(`c"`)
	for _, b := range c.Data {
		if b >= 0x20 && b < 0x7f && b != '"' && b != '\\' {
			sb.WriteByte(b)
		} else {
			fmt.Fprintf(&sb, "\\%02X", b)
		}
	}
	sb.WriteString(`"`)
	return sb.String()
}

// Param is a function parameter.
type Param struct {
	Name  string // without '%'; "" for unnamed
	Typ   *Type
	Index int
	Func  *Function
	ID    int // scratch number for passes and the backend
}

func (p *Param) Type() *Type   { return p.Typ }
func (p *Param) Ident() string { return localIdent(p.Name) }

// Linkage is a global symbol's linkage.
type Linkage uint8

// Linkages. External is the default (printed as nothing).
const (
	External Linkage = iota
	Internal
	Private
	LinkOnceODR
	Weak
	ExternWeak
	Common
	// Appending is the linkage of LLVM's special arrays
	// (@llvm.global_ctors, @llvm.global_dtors, @llvm.used,
	// @llvm.compiler.used); the backend emits the constructor and
	// destructor lists as .init_array/.fini_array entries.
	Appending
)

var linkageNames = [...]string{"", "internal", "private", "linkonce_odr", "weak", "extern_weak", "common", "appending"}

func (l Linkage) String() string {
	if int(l) < len(linkageNames) {
		return linkageNames[l]
	}
	return ""
}

// Global is a global variable; as a value it is its address (type ptr).
type Global struct {
	Name      string // without '@'
	ValueType *Type  // the type of the stored value
	Init      Constant
	Constant  bool // "constant" rather than "global"
	Linkage   Linkage
	// UnnamedAddr is printed as "unnamed_addr".
	UnnamedAddr bool
	// ThreadLocal: each thread has its own copy (`thread_local`, whatever
	// the model named in parentheses: the backend uses initial-exec); a
	// use of the global in a function is the address of the running
	// thread's copy.
	ThreadLocal bool
	Align       int64
	// Section is the ELF section the global is placed in ("" for the
	// default: .data, .rodata or .bss), printed as `, section "..."`.
	Section string
	Module  *Module
}

func (g *Global) Type() *Type   { return Ptr }
func (g *Global) Ident() string { return globalIdent(g.Name) }

// Block is a basic block: a label and a list of instructions ending in one
// terminator (br, ret or unreachable).
type Block struct {
	Name   string // without '%'; "" for unnamed
	Instrs []*Instr
	Func   *Function
	Index  int // position in Func.Blocks (kept by Function.Renumber)
	ID     int // scratch number for passes and the backend
}

func (b *Block) Type() *Type   { return Label }
func (b *Block) Ident() string { return localIdent(b.Name) }

// Terminator returns the block's last instruction if it is a terminator,
// else nil.
func (b *Block) Terminator() *Instr {
	if n := len(b.Instrs); n > 0 && b.Instrs[n-1].Op.IsTerminator() {
		return b.Instrs[n-1]
	}
	return nil
}

// Succs returns the block's successors (the targets of its terminator).
func (b *Block) Succs() []*Block {
	if t := b.Terminator(); t != nil && (t.Op == OpBr || t.Op == OpInvoke) {
		return t.Blocks
	}
	return nil
}

// Phis returns the leading phi instructions of b.
func (b *Block) Phis() []*Instr {
	n := 0
	for n < len(b.Instrs) && b.Instrs[n].Op == OpPhi {
		n++
	}
	return b.Instrs[:n]
}

// Append adds in at the end of b.
func (b *Block) Append(in *Instr) {
	in.Block = b
	b.Instrs = append(b.Instrs, in)
}

// Insert inserts in before position i of b.
func (b *Block) Insert(i int, in *Instr) {
	in.Block = b
	b.Instrs = append(b.Instrs, nil)
	copy(b.Instrs[i+1:], b.Instrs[i:])
	b.Instrs[i] = in
}

// Function is a function definition (len(Blocks) > 0) or declaration. As a
// value it is its address (type ptr).
type Function struct {
	Name    string // without '@'
	Sig     *Type  // FuncKind
	Params  []*Param
	Blocks  []*Block // Blocks[0] is the entry block
	Linkage Linkage
	Module  *Module
	// Attrs keeps function attributes that matter to code generation
	// (e.g. "nounwind"); unknown attributes are dropped by the parser.
	Attrs []string
	// Personality names the function's exception personality routine
	// (`personality ptr @__gxx_personality_v0`), "" if none.
	Personality string

	names map[string]int // name uniquing; nil until first use

	// The chunks of the InstrArena that built f's instructions, returned
	// by ReleaseInstrs.
	arena     *InstrArena
	chunks    [][]Instr
	blkChunks []*blockChunk
}

func (f *Function) Type() *Type   { return Ptr }
func (f *Function) Ident() string { return globalIdent(f.Name) }

// IsDeclaration reports whether f has no body.
func (f *Function) IsDeclaration() bool { return len(f.Blocks) == 0 }

// DirectCallees yields the function operand of each call in f's body,
// in order and once per call (a callee called twice is yielded twice);
// calls through a pointer are not yielded.
func (f *Function) DirectCallees() iter.Seq[*Function] {
	return func(yield func(*Function) bool) {
		for _, b := range f.Blocks {
			for _, in := range b.Instrs {
				if !in.Op.IsCall() || len(in.Ops) == 0 {
					continue
				}
				if callee, ok := in.Ops[0].(*Function); ok && !yield(callee) {
					return
				}
			}
		}
	}
}

// CalleeNames yields the names of DirectCallees.
func (f *Function) CalleeNames() iter.Seq[string] {
	return func(yield func(string) bool) {
		for c := range f.DirectCallees() {
			if !yield(c.Name) {
				return
			}
		}
	}
}

// Entry returns the entry block, or nil for a declaration.
func (f *Function) Entry() *Block {
	if len(f.Blocks) == 0 {
		return nil
	}
	return f.Blocks[0]
}

// NewBlock appends a new block named name to f.
//
// Names of values and blocks need not be unique in memory: the printer
// makes them unique (x, x1, x2, ...) when it writes the text form.
func (f *Function) NewBlock(name string) *Block {
	b := &Block{Name: name, Func: f, Index: len(f.Blocks)}
	f.Blocks = append(f.Blocks, b)
	return b
}

// AddBlock appends an existing, detached block to f (used to place blocks
// created with NewDetachedBlock, as the tutorial's if/then/else does).
func (f *Function) AddBlock(b *Block) {
	b.Func = f
	b.Index = len(f.Blocks)
	f.Blocks = append(f.Blocks, b)
}

// NewDetachedBlock returns a block that belongs to f (for naming) but is
// not yet in f.Blocks; add it later with AddBlock.
func (f *Function) NewDetachedBlock(name string) *Block {
	return &Block{Name: name, Func: f, Index: -1}
}

// UniqueName returns name, or name with a numeric suffix if a value of f
// already has that name, and reserves it. "" stays "" (unnamed). Builders
// need not call it (the printer uniquifies names); it is for callers that
// want unique names in memory.
func (f *Function) UniqueName(name string) string {
	if name == "" {
		return ""
	}
	if f.names == nil {
		f.names = make(map[string]int)
		for _, p := range f.Params {
			if p.Name != "" {
				f.names[p.Name] = 0
			}
		}
		for _, b := range f.Blocks {
			if b.Name != "" {
				f.names[b.Name] = 0
			}
			for _, in := range b.Instrs {
				if in.Name != "" {
					f.names[in.Name] = 0
				}
			}
		}
	}
	n, taken := f.names[name]
	if !taken {
		f.names[name] = 0
		return name
	}
	for {
		n++
		cand := name + strconv.Itoa(n)
		if _, t := f.names[cand]; !t {
			f.names[name] = n
			f.names[cand] = 0
			return cand
		}
	}
}

// Renumber sets Block.Index to each block's position in f.Blocks.
func (f *Function) Renumber() {
	for i, b := range f.Blocks {
		b.Index = i
		b.Func = f
	}
}

// NumInstrs returns the number of instructions in f.
func (f *Function) NumInstrs() int {
	n := 0
	for _, b := range f.Blocks {
		n += len(b.Instrs)
	}
	return n
}

// Module is a compilation unit: functions and globals in definition order.
type Module struct {
	Name           string // the "; ModuleID" / source_filename
	SourceFilename string
	TargetTriple   string
	DataLayout     string
	Funcs          []*Function
	Globals        []*Global
	// Types are the named struct types (%Name = type { ... }), in the
	// order of their definitions.
	Types []*Type
	// Aliases are the module's `@name = ... alias TYPE, ptr @target`
	// definitions, in source order. Uses of an alias in the module are
	// its target itself (Lookup(alias) returns the target); the alias
	// is only another symbol name for other inputs.
	Aliases []*Alias
	// IFuncs are the module's indirect functions (`@name = ... ifunc
	// TYPE, ptr @resolver`), in source order. Uses of an ifunc's name in
	// the module are uses of its Func, a declaration not in Funcs.
	IFuncs []*IFunc

	typeNames  map[string]*Type // the named types by name
	typesFinal bool             // every named type is defined (the module is parsed)

	syms map[string]Value // @name -> *Function or *Global

	blocks blockIDs // the numbers of blocks whose address is taken (blockaddr.go)
}

// NewModule returns an empty module.
func NewModule(name string) *Module {
	return &Module{Name: name, syms: make(map[string]Value)}
}

// Reserve makes room for n more functions or globals, so that a module
// built up to a size known in advance is not rehashed as it grows.
func (m *Module) Reserve(n int) {
	if n <= 0 {
		return
	}
	if m.syms == nil {
		m.reindex()
	}
	syms := make(map[string]Value, len(m.syms)+n)
	for k, v := range m.syms {
		syms[k] = v
	}
	m.syms = syms
	m.Funcs = slices.Grow(m.Funcs, n)
}

// Lookup returns the function or global named name, or nil.
func (m *Module) Lookup(name string) Value {
	if m.syms == nil {
		m.reindex()
	}
	return m.syms[name]
}

// Func returns the function named name, or nil.
func (m *Module) Func(name string) *Function {
	f, _ := m.Lookup(name).(*Function)
	return f
}

func (m *Module) reindex() {
	m.syms = make(map[string]Value, len(m.Funcs)+len(m.Globals))
	for _, f := range m.Funcs {
		m.syms[f.Name] = f
	}
	for _, g := range m.Globals {
		m.syms[g.Name] = g
	}
	for _, a := range m.Aliases {
		if m.syms[a.Name] == nil {
			m.syms[a.Name] = a.Target
		}
	}
	for _, i := range m.IFuncs {
		if m.syms[i.Name] == nil {
			m.syms[i.Name] = i.Func
		}
	}
}

// IFunc is an indirect function (`@name = [linkage] ifunc TYPE, ptr
// @resolver`, what clang emits for __attribute__((ifunc)) and
// target_clones): the function callers reach is the one whose address
// Resolver returns. Func is the declaration, of type TYPE, that the
// module's uses of the name refer to; the backend defines the name as an
// STT_GNU_IFUNC symbol at the resolver, which the JIT linker runs on the
// first call.
type IFunc struct {
	Name     string
	Linkage  Linkage
	Func     *Function // the declaration uses refer to (not in Module.Funcs)
	Resolver *Function // defined in the module
}

// Ident returns "@name".
func (i *IFunc) Ident() string { return globalIdent(i.Name) }

// Alias is another name for a function or global variable defined in the
// same module (`@name = [linkage] ... alias TYPE, ptr @target`). Target
// is the function or global itself, an alias of an alias followed to
// its end. An alias with internal or private linkage names no symbol.
type Alias struct {
	Name    string
	Linkage Linkage
	Type    *Type // the TYPE after 'alias'; nil for a function type
	Target  Value // *Function or *Global, defined in this module
}

// Ident returns "@name".
func (a *Alias) Ident() string { return globalIdent(a.Name) }

// SymbolName is the name the alias is linked under: its name, with
// VectorABISuffix when its target function is linked with it (so that
// callers through the alias agree with the target's convention).
func (a *Alias) SymbolName() string {
	if f, ok := a.Target.(*Function); ok && strings.HasSuffix(f.Name, VectorABISuffix) && !strings.HasSuffix(a.Name, VectorABISuffix) {
		return a.Name + VectorABISuffix
	}
	return a.Name
}

// NewFunction adds a function (a declaration until blocks are added) with
// the given signature and parameter names (which may be nil or shorter
// than the parameter list). It returns an error if the name is taken.
func (m *Module) NewFunction(name string, sig *Type, paramNames []string) (*Function, error) {
	if sig == nil || sig.Kind != FuncKind {
		return nil, fmt.Errorf("ir: function @%s: signature %v is not a function type", diag.Clip(name), sig)
	}
	if m.Lookup(name) != nil {
		return nil, fmt.Errorf("ir: redefinition of @%s", diag.Clip(name))
	}
	var f *Function
	var ps []Param
	switch n := len(sig.Params); {
	case n == 0:
		f = &Function{Name: name, Sig: sig, Module: m}
	case n <= smallParams:
		// Most functions have a parameter or two: the function and
		// its parameters in one allocation.
		fp := &funcParams{f: Function{Name: name, Sig: sig, Module: m}}
		f, ps = &fp.f, fp.ps[:n]
		f.Params = fp.pp[:n:n]
	default:
		// The parameters in one array: three allocations, not n+2 and growth.
		f = &Function{Name: name, Sig: sig, Module: m}
		ps = make([]Param, n)
		f.Params = make([]*Param, n)
	}
	if len(ps) > 0 {
		for i, t := range sig.Params {
			p := &ps[i]
			*p = Param{Typ: t, Index: i, Func: f}
			if i < len(paramNames) {
				p.Name = paramNames[i]
			}
			f.Params[i] = p
		}
	}
	m.Funcs = append(m.Funcs, f)
	m.syms[name] = f
	return f, nil
}

// smallParams is the most parameters a function is allocated together
// with (funcParams).
const smallParams = 2

// funcParams is a function with room for its parameters beside it.
type funcParams struct {
	f  Function
	ps [smallParams]Param
	pp [smallParams]*Param
}

// ReuseFunction is NewFunction reusing the memory of f, a function that
// is in no module and that nothing refers to any more (a declaration
// removed with RemoveFunc once the functions calling it were released):
// f, with its parameter array when that has room, becomes the new
// function. A nil f, or one with a body, is not reused (NewFunction).
// A lazy JIT's generator declares the same few callees for function
// after function; this makes them once.
func (m *Module) ReuseFunction(f *Function, name string, sig *Type, paramNames []string) (*Function, error) {
	if f == nil || len(f.Blocks) != 0 || f.chunks != nil || sig == nil || sig.Kind != FuncKind || cap(f.Params) < len(sig.Params) {
		return m.NewFunction(name, sig, paramNames)
	}
	if m.Lookup(name) != nil {
		return nil, fmt.Errorf("ir: redefinition of @%s", diag.Clip(name))
	}
	// The parameters are the ones NewFunction made (one array), still
	// pointed to beyond len(f.Params) up to its capacity.
	params := f.Params[:len(sig.Params)]
	names := f.names
	clear(names)
	*f = Function{Name: name, Sig: sig, Params: params, Module: m, names: names}
	for i, t := range sig.Params {
		p := params[i]
		*p = Param{Typ: t, Index: i, Func: f}
		if i < len(paramNames) {
			p.Name = paramNames[i]
		}
	}
	m.Funcs = append(m.Funcs, f)
	m.syms[name] = f
	return f, nil
}

// NewGlobal adds a global variable of value type t with initialiser init
// (nil for an external declaration). It returns an error if the name is
// taken.
func (m *Module) NewGlobal(name string, t *Type, init Constant, constant bool) (*Global, error) {
	if m.Lookup(name) != nil {
		return nil, fmt.Errorf("ir: redefinition of @%s", diag.Clip(name))
	}
	g := &Global{Name: name, ValueType: t, Init: init, Constant: constant, Module: m}
	m.Globals = append(m.Globals, g)
	m.syms[name] = g
	return g, nil
}

// NewStringConstant adds a private unnamed_addr constant holding s plus a
// terminating NUL, named name (made unique), and returns it.
func (m *Module) NewStringConstant(name string, s string) *Global {
	data := append([]byte(s), 0)
	base := name
	for i := 1; m.Lookup(name) != nil; i++ {
		name = base + "." + strconv.Itoa(i)
	}
	t := ArrayType(int64(len(data)), I8)
	g, _ := m.NewGlobal(name, t, &ConstBytes{Typ: t, Data: data}, true)
	g.Linkage = Private
	g.UnnamedAddr = true
	g.Align = 1
	return g
}

// RemoveFunc deletes f from the module.
func (m *Module) RemoveFunc(f *Function) {
	for i, g := range m.Funcs {
		if g == f {
			m.Funcs = append(m.Funcs[:i], m.Funcs[i+1:]...)
			break
		}
	}
	if m.syms != nil && m.syms[f.Name] == Value(f) {
		delete(m.syms, f.Name)
	}
}

func isIdentChar(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '$' || c == '.' || c == '_' || !first && c >= '0' && c <= '9'
}

// quoteName returns name as LLVM spells it after the sigil: bare if it is
// a valid identifier, else in double quotes with \XX escapes.
func quoteName(name string) string {
	ok := name != ""
	for i := 0; i < len(name) && ok; i++ {
		ok = isIdentChar(name[i], i == 0)
	}
	if ok {
		return name
	}
	return llvmQuote(name)
}

func localIdent(name string) string {
	if name == "" {
		return "%?"
	}
	return "%" + quoteName(name)
}

func globalIdent(name string) string { return "@" + quoteName(name) }
