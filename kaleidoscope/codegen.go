package kaleidoscope

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/gorc-jit/gorc/internal/diag"
	"github.com/gorc-jit/gorc/ir"
)

// reserved names belong to the generated module's runtime and cannot be
// defined or declared by a program.
var reserved = map[string]bool{"main": true, "printf": true, "putchar": true, "fflush": true}

// builtins are runtime helpers defined in every module; a program makes
// them visible with "extern putchard(x);" as in the tutorial.
var builtins = map[string]bool{"putchard": true, "printd": true}

// Generator turns Kaleidoscope items into functions of one ir.Module,
// following the LLVM tutorial's chapter 7 code generation: every variable
// and parameter lives in an entry-block alloca (mem2reg turns them into
// registers), comparisons yield 0.0 or 1.0, and for loops yield 0.0.
type Generator struct {
	// consts is where float constants are allocated, a chunk at a time
	// (each is still its own value: a program has about 20 per function).
	consts []ir.ConstFloat
	// Module receives the generated functions.
	Module *ir.Module
	// Exprs are the functions made for top-level expressions, in program
	// order.
	Exprs []*ir.Function
	// VerifyEach runs ir.VerifyFunction on every generated function (a
	// self-check, off by default for speed).
	VerifyEach bool
	// SSA builds SSA values directly instead of the tutorial's allocas,
	// loads and stores (see ssa.go): the IR mem2reg would make, without
	// making and removing the memory operations first. For optimised
	// compiles; -O0 output keeps the tutorial's form.
	SSA bool
	// InstCombineNext (with SSA) says that instcombine runs on every
	// function right after it is generated (-O1, -O2): the generator then
	// makes what instcombine would of two things it handles often. An if
	// or a loop whose condition is a built-in comparison (a < b) branches
	// on the comparison's i1, not on fcmp one (uitofp i1 c), 0.0 (the
	// uitofp is still made, dead until dce, as instcombine leaves it);
	// +, - and * of two constants are folded. The IR is then the same
	// from instcombine's first run on, which has less to do.
	InstCombineNext bool
	// condOf is the comparison InstCombineNext branches on while its condition
	// is generated, and condCmp its i1 once made (binary).
	condOf  *BinaryExpr
	condCmp *ir.Instr
	scope   []*ssaVar     // SSA: the variables in scope, innermost last
	vars    arena[ssaVar] // SSA: the bindings of the function being defined
	snaps   []ir.Value    // SSA: a stack of snapshots of scope's values (ssaIf)
	// loopPhis is a stack of the header phis of the loops being
	// generated (ssaFor), and loopVars the variable of each.
	loopPhis []*ir.Instr
	loopVars []*ssaVar
	// assigned holds the names a loop being started may assign
	// (loopAssigns).
	assigned []string
	// lastBlocks is how many blocks the last function defined had: the
	// next one's block list starts with room for as many (a list grown
	// block by block was reallocated at each doubling).
	lastBlocks int
	// Resolve, if set, supplies the prototype of a function this
	// generator has not seen (nil: unknown). A lazy JIT generates one
	// function at a time (FunctionGenerator, which forgets the
	// prototypes between functions) and declares its callees on demand.
	Resolve func(name string) *Prototype
	// DeferDeclarations makes a declaration (an Extern item) only check
	// and record the prototype: its IR function is added to Module when
	// generated code first calls it. A lazy JIT's session declares every
	// definition of a program for the expressions that may call it, and
	// most are never called by one.
	DeferDeclarations bool
	// AllowRedefinition lets a program define a function again (batch
	// compilation, as DESIGN.md says: the new definition replaces the old
	// one for every caller from that point of the program on); without
	// it a redefinition is an error. A redefined function is called
	// through a slot (Redefinable), so a generator that meets a
	// redefinition of a function it has already called directly records
	// it in Redefined, and the program must be generated again, by a
	// generator whose Redefinable holds those names (Compile and
	// CompilePipeline do).
	AllowRedefinition bool
	// Redefinable names the functions called through a slot: every
	// definition of such a function f becomes an internal function
	// f.vN, and every call loads the current definition from the
	// internal variable f.slot, which main sets as the program reaches
	// each definition (so a top-level expression sees the definitions
	// made before it, as in the REPL). Calls through a slot are not
	// inlined.
	Redefinable map[string]bool
	// Redefined lists the functions defined again that were not in
	// Redefinable: the program must be generated again with them there.
	Redefined []string

	slots    map[string]*ir.Global
	slotSet  map[*ir.Global]bool // Finish: slots given their first definition
	versions map[string]int
	steps    []mainStep // what main does, in program order

	b      *ir.Builder
	sigs   []*ir.Type // sig's, by parameter count
	file   string
	protos map[string]*Prototype
	named  map[string]*ir.Instr
	fn     *ir.Function
	prec   map[byte]int
	nanon  int
	nalloc int

	printf, putchar *ir.Function
	fflush          *ir.Function
	bodies          map[*ir.Function]bool // functions defined by define
	// defined, if set, is called with each function define completes
	// (CompileOptimized's hand-off to the optimiser). The generator does
	// not look at such a function's body afterwards.
	defined  func(*ir.Function)
	fmtEval  *ir.Global
	finished bool
	library  bool // NewLibraryGenerator: no main, private runtime helpers
	depth    int  // expr's recursion depth
	// spare holds declarations no longer in the module nor referred to,
	// whose memory the next declarations reuse (FunctionGenerator's).
	spare []*ir.Function
	// shared holds, by name, declarations that functions generated
	// earlier still call (FunctionGenerator.GenDetached's, for one
	// batch): a declaration of the same name and signature is that one,
	// put back in the module, not a new one.
	shared map[string]*ir.Function
	// blockList, if not nil, is an empty block list with room, for the
	// next function defined (FunctionGenerator's, from the last one).
	blockList []*ir.Block
}

// newDecl adds a declaration to the module: a shared one of that name and
// signature if there is one, else as newFunction does.
func (g *Generator) newDecl(name string, sig *ir.Type) (*ir.Function, error) {
	if f := g.shared[name]; f != nil && f.Sig == sig && f.IsDeclaration() && len(f.Params) == len(sig.Params) {
		return g.Module.ReuseFunction(f, name, sig, nil)
	}
	return g.newFunction(name, sig)
}

// newFunction adds a function to the module as NewFunction does, with
// the memory of a spare declaration if there is one.
func (g *Generator) newFunction(name string, sig *ir.Type) (*ir.Function, error) {
	if n := len(g.spare); n > 0 {
		f := g.spare[n-1]
		g.spare[n-1] = nil
		g.spare = g.spare[:n-1]
		return g.Module.ReuseFunction(f, name, sig, nil)
	}
	return g.Module.NewFunction(name, sig, nil)
}

// NewGenerator returns a generator for a module named name; the module
// already holds the runtime: declarations of printf, putchar and fflush and
// definitions of putchard and printd (both print to stdout and return 0).
func NewGenerator(name string) *Generator {
	m := ir.NewModule(name)
	m.SourceFilename = name
	g := &Generator{
		Module: m,
		b:      ir.NewBuilder(),
		protos: make(map[string]*Prototype),
		bodies: make(map[*ir.Function]bool),
		slots:  make(map[string]*ir.Global),
		prec:   map[byte]int{'=': 2, '<': 10, '+': 20, '-': 20, '*': 40},
	}
	g.fmtEval = m.NewStringConstant(".fmt.eval", "Evaluated to %f\n")
	fmtD := m.NewStringConstant(".fmt.printd", "%f\n")
	g.printf, _ = m.NewFunction("printf", ir.FuncType(ir.I32, []*ir.Type{ir.Ptr}, true), nil)
	g.putchar, _ = m.NewFunction("putchar", ir.FuncType(ir.I32, []*ir.Type{ir.I32}, false), nil)
	g.fflush, _ = m.NewFunction("fflush", ir.FuncType(ir.I32, []*ir.Type{ir.Ptr}, false), nil)
	d2d := ir.FuncType(ir.F64, []*ir.Type{ir.F64}, false)

	pc, _ := m.NewFunction("putchard", d2d, []string{"x"})
	g.b.SetInsertPoint(pc.NewBlock("entry"))
	c := g.b.Cast(ir.OpFPToSI, pc.Params[0], ir.I32, "c")
	g.b.Call(g.putchar, []ir.Value{c}, "")
	g.b.Ret(ir.NewFloat(0))

	pd, _ := m.NewFunction("printd", d2d, []string{"x"})
	g.b.SetInsertPoint(pd.NewBlock("entry"))
	g.b.Call(g.printf, []ir.Value{fmtD, pd.Params[0]}, "")
	g.b.Ret(ir.NewFloat(0))
	return g
}

// NewLibraryGenerator returns a generator for a library module: one that
// joins other code (C objects with their own main, other modules) in a
// JIT instead of being a program. Its runtime helpers putchard and printd
// have internal linkage, so they serve this module's calls without
// clashing with definitions of the same names elsewhere; Finish adds no
// main; and a top-level expression is an error, since nothing would run
// it (define a function and call it, e.g. with jit.Func).
func NewLibraryGenerator(name string) *Generator {
	g := NewGenerator(name)
	g.library = true
	for _, f := range g.Runtime() {
		f.Linkage = ir.Internal
	}
	return g
}

// NewParser returns a parser for src that shares this generator's
// operator precedences (so operators defined in one file are known in the
// next).
func (g *Generator) NewParser(file string, src []byte) *Parser {
	p := NewParser(file, src)
	for op, pr := range g.prec {
		p.SetPrecedence(op, pr)
	}
	return p
}

// AddSource parses and generates every item of src, returning the
// diagnostics (parse and semantic errors) in source order. Items with
// errors are dropped; the others are kept. The error is non-nil only if
// ctx was cancelled.
func (g *Generator) AddSource(ctx context.Context, file string, src []byte) ([]*Diagnostic, error) {
	p := g.NewParser(file, src)
	p.reuse = true // each item is generated before the next is parsed
	var diags []*Diagnostic
	for {
		if err := ctx.Err(); err != nil {
			return diags, fmt.Errorf("kaleidoscope: compiling %s: %w", file, err)
		}
		item, d := p.Next()
		if d != nil {
			diags = append(diags, d)
			continue
		}
		if item == nil {
			return diags, nil
		}
		if _, d := g.Gen(file, item, p); d != nil {
			diags = append(diags, d)
		}
	}
}

type genError struct{ d *Diagnostic }

func (g *Generator) errAt(pos Pos, format string, args ...any) {
	panic(genError{&Diagnostic{File: g.file, Pos: pos, Msg: fmt.Sprintf(format, diag.ClipArgs(args)...)}})
}

// Gen generates one item. For a definition it returns the new function;
// for an extern, its declaration (nil with DeferDeclarations). p (may be nil) is told about new binary
// operators' precedences.
func (g *Generator) Gen(file string, item Item, p *Parser) (fn *ir.Function, diag *Diagnostic) {
	g.file = file
	if g.finished {
		return nil, &Diagnostic{File: file, Msg: "generator already finished"}
	}
	depth := g.depth
	defer func() {
		if r := recover(); r != nil {
			g.depth = depth // (expr does not restore it on a panic)
			e, ok := r.(genError)
			if !ok {
				e = genError{&Diagnostic{File: file, Pos: item.itemPos(), Msg: fmt.Sprintf("internal code generation error: %v", r)}}
			}
			fn, diag = nil, e.d
		}
	}()
	switch it := item.(type) {
	case *Extern:
		if g.keptByResolve(it.Proto) {
			return g.Module.Func(it.Proto.Name), nil
		}
		return g.declare(it.Proto), nil
	case *FunctionDef:
		return g.define(it, p), nil
	}
	return nil, &Diagnostic{File: file, Msg: "unknown item"}
}

// Unclaimed reports whether name is free for a first definition in a
// session with DeferDeclarations: not reserved by the runtime, not
// declared here, not a name of the module. DeclareKept of a prototype
// so named does nothing and reports nothing when Resolve knows nothing
// of the name either, so a caller that knows that (a lazy session's
// first definition of a function) may skip it: three table lookups
// instead of six.
func (g *Generator) Unclaimed(name string) bool {
	if g.finished || !g.DeferDeclarations || reserved[name] {
		return false
	}
	if _, ok := g.protos[name]; ok {
		return false
	}
	return g.Module.Lookup(name) == nil
}

// DeclareKept checks the prototype of a definition whose prototype the
// caller keeps and supplies through Resolve (a lazy session's, with
// DeferDeclarations) as declaring it (an Extern
// item of it) would, with the same diagnostics, but does not record it
// where it is kept already: a session of 10,000 definitions then keeps
// and looks up 10,000 prototypes once instead of twice. A declaration or
// an earlier definition of the same name that Resolve supplies counts as
// a previous declaration, as one recorded here does.
func (g *Generator) DeclareKept(file string, pr *Prototype) (diag *Diagnostic) {
	g.file = file
	if g.finished {
		return &Diagnostic{File: file, Msg: "generator already finished"}
	}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(genError)
			if !ok {
				e = genError{&Diagnostic{File: file, Pos: pr.Pos, Msg: fmt.Sprintf("internal code generation error: %v", r)}}
			}
			diag = e.d
		}
	}()
	if g.keptByResolve(pr) {
		return nil
	}
	if _, ok := g.protos[pr.Name]; ok || !g.DeferDeclarations || g.Module.Func(pr.Name) != nil || g.Module.Lookup(pr.Name) != nil {
		// Declared here before, a runtime builtin, or a name taken: as
		// an Extern item.
		g.declare(pr)
	}
	return nil
}

// keptByResolve checks pr, declared again, against the prototype Resolve
// supplies for a name this generator has not recorded (a lazy session
// keeps its definitions' prototypes: DeclareKept), as declare checks it
// against one it recorded, and reports whether there was one.
func (g *Generator) keptByResolve(pr *Prototype) bool {
	if g.Resolve == nil || !g.DeferDeclarations {
		return false
	}
	g.checkName(pr)
	if _, ok := g.protos[pr.Name]; ok {
		return false
	}
	old := g.Resolve(pr.Name)
	if old == nil {
		return false
	}
	if len(old.Params) != len(pr.Params) {
		g.errAt(pr.Pos, "conflicting declaration of '%s': %d parameters, previously %d", pr.Name, len(pr.Params), len(old.Params))
	}
	return true
}

func (g *Generator) checkName(pr *Prototype) {
	if reserved[pr.Name] {
		g.errAt(pr.Pos, "'%s' is reserved by the runtime", pr.Name)
	}
}

func (g *Generator) declare(pr *Prototype) *ir.Function {
	g.checkName(pr)
	if old, ok := g.protos[pr.Name]; ok {
		if len(old.Params) != len(pr.Params) {
			g.errAt(pr.Pos, "conflicting declaration of '%s': %d parameters, previously %d", pr.Name, len(pr.Params), len(old.Params))
		}
		return g.Module.Func(pr.Name)
	}
	if f := g.Module.Func(pr.Name); f != nil {
		// A runtime builtin (putchard, printd) made visible.
		if !builtins[pr.Name] || len(f.Params) != len(pr.Params) {
			g.errAt(pr.Pos, "conflicting declaration of '%s'", pr.Name)
		}
		g.protos[pr.Name] = pr
		return f
	}
	if g.DeferDeclarations && g.Module.Lookup(pr.Name) == nil {
		g.protos[pr.Name] = pr
		return nil
	}
	f, err := g.newDecl(pr.Name, g.sig(len(pr.Params)))
	if err != nil {
		g.errAt(pr.Pos, "%v", err)
	}
	g.protos[pr.Name] = pr
	return f
}

func (g *Generator) sig(n int) *ir.Type {
	// Types are immutable: one signature per parameter count serves
	// every function with that many parameters (a lazy JIT's generator
	// declares the callees of every function it generates).
	if n < len(g.sigs) && g.sigs[n] != nil {
		return g.sigs[n]
	}
	ps := make([]*ir.Type, n)
	for i := range ps {
		ps[i] = ir.F64
	}
	t := ir.FuncType(ir.F64, ps, false)
	if n < 16 {
		for len(g.sigs) <= n {
			g.sigs = append(g.sigs, nil)
		}
		g.sigs[n] = t
	}
	return t
}

func (g *Generator) define(def *FunctionDef, p *Parser) *ir.Function {
	pr := def.Proto
	if def.TopLevel && g.library {
		g.errAt(pr.Pos, "top-level expression in a library module: nothing runs it (there is no main); define a function and call it")
	}
	if def.TopLevel {
		pr = &Prototype{Pos: pr.Pos, Name: "__anon_expr" + strconv.Itoa(g.nanon)}
		if g.nanon == 0 {
			pr.Name = "__anon_expr"
		}
		g.nanon++
	}
	g.checkName(pr)
	if builtins[pr.Name] {
		g.errAt(pr.Pos, "redefinition of function '%s' (a runtime builtin)", pr.Name)
	}
	var f *ir.Function
	wasDeclared := false
	versioned := false
	if g.AllowRedefinition && !def.TopLevel && !g.Redefinable[pr.Name] {
		if f := g.Module.Func(pr.Name); f != nil && g.bodies[f] {
			if old := g.protos[pr.Name]; old != nil && len(old.Params) != len(pr.Params) {
				g.errAt(pr.Pos, "definition of '%s' has %d parameters, previously %d", pr.Name, len(pr.Params), len(old.Params))
			}
			// Met a redefinition of a function called directly so far:
			// the program must be generated again (Redefined).
			if g.Redefinable == nil {
				g.Redefinable = map[string]bool{}
			}
			g.Redefinable[pr.Name] = true
			g.Redefined = append(g.Redefined, pr.Name)
		}
	}
	// (One lookup: nothing below changes protos before it is set.)
	oldProto, hadProto := g.protos[pr.Name]
	if g.AllowRedefinition && g.Redefinable[pr.Name] && !def.TopLevel {
		if old, ok := oldProto, hadProto; ok && len(old.Params) != len(pr.Params) {
			g.errAt(pr.Pos, "definition of '%s' has %d parameters, previously %d", pr.Name, len(pr.Params), len(old.Params))
		}
		if g.versions == nil {
			g.versions = map[string]int{}
		}
		var err error
		f, err = g.Module.NewFunction(pr.Name+".v"+strconv.Itoa(g.versions[pr.Name]+1), g.sig(len(pr.Params)), nil)
		if err != nil {
			g.errAt(pr.Pos, "%v", err)
		}
		f.Linkage = ir.Internal
		g.slot(pr.Name)
		versioned = true
	} else if old, ok := oldProto, hadProto; ok {
		f = g.Module.Func(pr.Name)
		if f != nil && g.bodies[f] {
			g.errAt(pr.Pos, "redefinition of function '%s'", pr.Name)
		}
		if len(old.Params) != len(pr.Params) {
			g.errAt(pr.Pos, "definition of '%s' has %d parameters, its extern declaration %d", pr.Name, len(pr.Params), len(old.Params))
		}
		wasDeclared = true
	} else {
		var err error
		f, err = g.Module.NewFunction(pr.Name, g.sig(len(pr.Params)), nil)
		if err != nil {
			g.errAt(pr.Pos, "%v", err)
		}
	}
	g.protos[pr.Name] = pr
	for i, n := range pr.Params {
		f.Params[i].Name = n
	}
	if pr.Kind == ProtoBinary {
		op := pr.OperatorChar()
		g.prec[op] = pr.Precedence
		if p != nil {
			p.SetPrecedence(op, pr.Precedence)
		}
	}
	ok := false
	defer func() {
		if ok {
			return
		}
		// Undo: drop the body (the tutorial erases the function).
		f.Blocks = nil
		if versioned {
			g.Module.RemoveFunc(f)
			if oldProto != nil {
				g.protos[pr.Name] = oldProto
			} else {
				delete(g.protos, pr.Name)
			}
		} else if wasDeclared {
			g.protos[pr.Name] = oldProto
		} else {
			delete(g.protos, pr.Name)
			g.Module.RemoveFunc(f)
		}
	}()
	g.fn = f
	if g.named == nil {
		g.named = make(map[string]*ir.Instr)
	} else {
		clear(g.named)
	}
	g.nalloc = 0
	if f.Blocks == nil && g.blockList != nil {
		f.Blocks, g.blockList = g.blockList[:0], nil
	}
	if f.Blocks == nil && g.lastBlocks > 1 {
		f.Blocks = make([]*ir.Block, 0, g.lastBlocks)
	}
	clear(g.loopPhis)
	g.loopPhis = g.loopPhis[:0]
	clear(g.loopVars)
	g.loopVars = g.loopVars[:0]
	entry := g.b.NewBlock(f, "entry")
	g.b.SetInsertPoint(entry)
	g.scope = g.scope[:0]
	g.vars.reset()
	for i, n := range pr.Params {
		if g.SSA {
			g.scope = append(g.scope, g.ssaVar(n, f.Params[i]))
			continue
		}
		a := g.entryAlloca(n)
		g.b.Store(f.Params[i], a)
		g.named[n] = a
	}
	v := g.expr(def.Body)
	g.b.Ret(v)
	g.lastBlocks = len(f.Blocks)
	if g.VerifyEach {
		if err := ir.VerifyFunction(f); err != nil {
			g.errAt(pr.Pos, "internal error: generated invalid IR: %v", err)
		}
	}
	ok = true
	g.bodies[f] = true
	if def.TopLevel {
		g.Exprs = append(g.Exprs, f)
		g.steps = append(g.steps, mainStep{fn: f})
	}
	if versioned {
		g.versions[pr.Name]++
		g.steps = append(g.steps, mainStep{fn: f, slot: g.slots[pr.Name]})
	}
	if g.defined != nil {
		g.defined(f)
	}
	return f
}

// entryAlloca creates an alloca for a variable at the top of the entry
// block (after the allocas made so far).
func (g *Generator) entryAlloca(name string) *ir.Instr {
	in := &ir.Instr{Op: ir.OpAlloca, Typ: ir.Ptr, Name: name, ElemType: ir.F64, Align: 8}
	g.fn.Blocks[0].Insert(g.nalloc, in)
	g.nalloc++
	return in
}

// call calls the function named name: f directly, or, for a redefined
// function, its current definition through its slot.
func (g *Generator) call(name string, f *ir.Function, args []ir.Value, tmp string) ir.Value {
	if s := g.slots[name]; s != nil {
		p := g.b.Load(ir.Ptr, s, name)
		return g.b.CallIndirect(p, g.sig(len(args)), args, tmp)
	}
	return g.b.Call(f, args, tmp)
}

// slot returns the slot of the redefinable function name (see
// Redefinable), making it if needed: an internal pointer variable that
// main sets to each definition as the program reaches it.
func (g *Generator) slot(name string) *ir.Global {
	if s := g.slots[name]; s != nil {
		return s
	}
	s, err := g.Module.NewGlobal(name+".slot", ir.Ptr, &ir.ConstNull{}, false)
	if err != nil {
		panic(genError{&Diagnostic{File: g.file, Msg: err.Error()}})
	}
	s.Linkage = ir.Internal
	s.Align = 8
	g.slots[name] = s
	return s
}

func (g *Generator) callee(name string) (*ir.Function, *Prototype) {
	if g.slots[name] != nil {
		return nil, g.protos[name]
	}
	pr, ok := g.protos[name]
	if !ok {
		if g.Resolve == nil {
			return nil, nil
		}
		if pr = g.Resolve(name); pr == nil {
			return nil, nil
		}
		if f := g.declare(pr); f != nil || !g.DeferDeclarations {
			return f, pr
		}
	}
	f := g.Module.Func(name)
	if f == nil && g.DeferDeclarations {
		// Declared (DeferDeclarations): the function is made now.
		var err error
		if f, err = g.newDecl(name, g.sig(len(pr.Params))); err != nil {
			g.errAt(pr.Pos, "%v", err)
		}
	}
	return f, pr
}

// SetPrecedence makes op a binary operator of the given precedence for
// the parsers this generator creates from now on (a lazy JIT declares a
// user-defined operator without generating its body).
func (g *Generator) SetPrecedence(op byte, prec int) { g.prec[op] = prec }

// maxGenDepth bounds the recursion of expr on trees built through the API
// (the parser's trees are shallower: it bounds nesting at maxDepth, and
// binaryChain walks left-deep operator chains without recursing).
const maxGenDepth = 4 * maxDepth

func (g *Generator) expr(e Expr) ir.Value {
	// The depth goes back down on return; an error's panic leaves it,
	// and Gen, which recovers, puts it back (a deferred decrement per
	// expression cost more than a leaf's whole generation).
	g.depth++
	if g.depth > maxGenDepth {
		g.errAt(e.Position(), "expression nests too deeply (limit %d)", maxGenDepth)
	}
	v := g.exprAt(e)
	g.depth--
	return v
}

// exprAt is expr at the current depth.
func (g *Generator) exprAt(e Expr) ir.Value {
	b := g.b
	switch e := e.(type) {
	case *NumberExpr:
		return g.float(e.Val)
	case *VariableExpr:
		if g.SSA {
			v := g.ssaLookup(e.Name)
			if v == nil {
				g.errAt(e.Pos, "unknown variable name '%s'", e.Name)
			}
			return v.cur
		}
		a, ok := g.named[e.Name]
		if !ok {
			g.errAt(e.Pos, "unknown variable name '%s'", e.Name)
		}
		return b.Load(ir.F64, a, e.Name)
	case *UnaryExpr:
		operand := g.expr(e.Operand)
		name := opNames()[0][e.Op]
		f, pr := g.callee(name)
		if pr == nil || (f == nil && g.slots[name] == nil) {
			g.errAt(e.Pos, "unknown unary operator '%c'", e.Op)
		}
		return g.call(name, f, []ir.Value{operand}, "unop")
	case *BinaryExpr:
		if e.Op == '=' {
			lhs, ok := e.LHS.(*VariableExpr)
			if !ok {
				g.errAt(e.Pos, "destination of '=' must be a variable")
			}
			val := g.expr(e.RHS)
			if g.SSA {
				v := g.ssaLookup(lhs.Name)
				if v == nil {
					g.errAt(lhs.Pos, "unknown variable name '%s'", lhs.Name)
				}
				v.cur = val
				return val
			}
			a, ok := g.named[lhs.Name]
			if !ok {
				g.errAt(lhs.Pos, "unknown variable name '%s'", lhs.Name)
			}
			b.Store(val, a)
			return val
		}
		return g.binaryChain(e)
	case *CallExpr:
		f, pr := g.callee(e.Callee)
		if pr == nil || (f == nil && g.slots[e.Callee] == nil) {
			g.errAt(e.Pos, "unknown function referenced '%s'", e.Callee)
		}
		if len(pr.Params) != len(e.Args) {
			g.errAt(e.Pos, "incorrect number of arguments passed to '%s': expected %d, got %d", e.Callee, len(pr.Params), len(e.Args))
		}
		args := make([]ir.Value, len(e.Args))
		for i, a := range e.Args {
			args[i] = g.expr(a)
		}
		return g.call(e.Callee, f, args, "calltmp")
	case *IfExpr:
		// In the alloca form no variable lives in g.scope, and ssaIf is
		// the tutorial's if/then/else.
		return g.ssaIf(e)
	case *ForExpr:
		if g.SSA {
			return g.ssaFor(e)
		}
		a := g.entryAlloca(e.Var)
		start := g.expr(e.Start)
		b.Store(start, a)
		loop := g.b.NewBlock(g.fn, "loop")
		b.Br(loop)
		b.SetInsertPoint(loop)
		old, hadOld := g.named[e.Var]
		g.named[e.Var] = a
		g.expr(e.Body)
		var step ir.Value = g.float(1)
		if e.Step != nil {
			step = g.expr(e.Step)
		}
		end := g.expr(e.End)
		cur := b.Load(ir.F64, a, e.Var)
		next := b.FAdd(cur, step, "nextvar")
		b.Store(next, a)
		endc := b.FCmp(ir.FCmpONE, end, g.float(0), "loopcond")
		after := g.b.NewBlock(g.fn, "afterloop")
		b.CondBr(endc, loop, after)
		b.SetInsertPoint(after)
		if hadOld {
			g.named[e.Var] = old
		} else {
			delete(g.named, e.Var)
		}
		return g.float(0)
	case *VarExpr:
		if g.SSA {
			n := len(g.scope)
			for _, v := range e.Vars {
				var init ir.Value = g.float(0)
				if v.Init != nil {
					init = g.expr(v.Init)
				}
				g.scope = append(g.scope, g.ssaVar(v.Name, init))
			}
			body := g.expr(e.Body)
			g.scope = g.scope[:n]
			return body
		}
		type saved struct {
			a  *ir.Instr
			ok bool
		}
		olds := make([]saved, len(e.Vars))
		for i, v := range e.Vars {
			var init ir.Value = g.float(0)
			if v.Init != nil {
				init = g.expr(v.Init)
			}
			a := g.entryAlloca(v.Name)
			b.Store(init, a)
			o, ok := g.named[v.Name]
			olds[i] = saved{o, ok}
			g.named[v.Name] = a
		}
		body := g.expr(e.Body)
		for i := len(e.Vars) - 1; i >= 0; i-- {
			if olds[i].ok {
				g.named[e.Vars[i].Name] = olds[i].a
			} else {
				delete(g.named, e.Vars[i].Name)
			}
		}
		return body
	}
	g.errAt(e.Position(), "unsupported expression")
	return nil
}

// binaryChain generates e and the left-deep chain of binary operators
// below it (a+b+c+... parses as ((a+b)+c)+...) with a loop rather than
// recursion, so that a flat chain of any length takes stack space for one
// level. Operands are evaluated left to right, as recursion would.
func (g *Generator) binaryChain(e *BinaryExpr) ir.Value {
	var buf [8]*BinaryExpr // most chains are short: no allocation
	spine := append(buf[:0], e)
	for {
		l, ok := spine[len(spine)-1].LHS.(*BinaryExpr)
		if !ok || l.Op == '=' {
			break
		}
		spine = append(spine, l)
	}
	v := g.expr(spine[len(spine)-1].LHS)
	for i := len(spine) - 1; i >= 0; i-- {
		n := spine[i]
		v = g.binary(n, v, g.expr(n.RHS))
	}
	return v
}

// binary generates l OP r for a binary operator other than '='.
func (g *Generator) binary(e *BinaryExpr, l, r ir.Value) ir.Value {
	b := g.b
	if g.InstCombineNext {
		// Constants folded as instcombine would (float64 arithmetic).
		if x, ok := l.(*ir.ConstFloat); ok {
			if y, ok := r.(*ir.ConstFloat); ok {
				switch e.Op {
				case '+':
					return g.float(x.V + y.V)
				case '-':
					return g.float(x.V - y.V)
				case '*':
					return g.float(x.V * y.V)
				}
			}
		}
	}
	switch e.Op {
	case '+':
		return b.FAdd(l, r, "addtmp")
	case '-':
		return b.FSub(l, r, "subtmp")
	case '*':
		return b.FMul(l, r, "multmp")
	case '<':
		c := b.FCmp(ir.FCmpULT, l, r, "cmptmp")
		if e == g.condOf {
			g.condCmp = c
		}
		return b.Cast(ir.OpUIToFP, c, ir.F64, "booltmp")
	}
	name := opNames()[1][e.Op]
	f, pr := g.callee(name)
	if pr == nil || (f == nil && g.slots[name] == nil) {
		g.errAt(e.Pos, "unknown binary operator '%c'", e.Op)
	}
	return g.call(name, f, []ir.Value{l, r}, "binop")
}

// opNames returns the function names of the user-defined operators, by
// operator byte ("unary"+string(op), "binary"+string(op)), made once
// rather than at every use, and on the first use rather than when the
// package is initialized (512 strings every process importing the
// package made, gorc's start-up included, whether or not it generated
// an operator's call).
var opNames = sync.OnceValue(func() *[2][256]string {
	var t [2][256]string
	for c := range 256 {
		t[0][c], t[1][c] = "unary"+string(byte(c)), "binary"+string(byte(c))
	}
	return &t
})

// mainStep is one thing main does: call the top-level expression fn and
// print its value, or (slot set) make fn the current definition of a
// redefinable function.
type mainStep struct {
	fn   *ir.Function
	slot *ir.Global
}

// Finish adds main, which calls every top-level expression function in
// program order and prints "Evaluated to %f\n" for each, flushing C's
// stdio after each (so the output of what ran is out before the next
// expression starts, whatever stdout is and whichever process runs the
// code), then returns 0.
// It returns the module. Items cannot be added afterwards.
func (g *Generator) Finish() *ir.Module {
	if g.finished {
		return g.Module
	}
	g.finished = true
	if g.library {
		return g.Module
	}
	main, _ := g.Module.NewFunction("main", ir.FuncType(ir.I32, nil, false), nil)
	b := ir.NewBuilder()
	b.SetInsertPoint(main.NewBlock("entry"))
	// A redefined function called before the program reaches its first
	// definition (declared by extern) runs that first definition, as a
	// function defined once would.
	for _, st := range g.steps {
		if st.slot != nil && !g.slotSet[st.slot] {
			if g.slotSet == nil {
				g.slotSet = map[*ir.Global]bool{}
			}
			g.slotSet[st.slot] = true
			b.Store(st.fn, st.slot)
		}
	}
	for _, st := range g.steps {
		if st.slot != nil {
			// The program reaches a definition of a redefinable function.
			b.Store(st.fn, st.slot)
			continue
		}
		v := b.Call(st.fn, nil, "v")
		b.Call(g.printf, []ir.Value{g.fmtEval, v}, "")
		b.Call(g.fflush, []ir.Value{&ir.ConstNull{}}, "")
	}
	b.Ret(ir.NewInt(ir.I32, 0))
	return g.Module
}

// Compile compiles a whole program (one or more sources, in order) into a
// module with a main (see Finish). It returns the module — holding every
// item that compiled — and the diagnostics of those that did not.
func Compile(ctx context.Context, moduleName string, files []string, srcs [][]byte) (*ir.Module, []*Diagnostic, error) {
	g := newBatchGenerator(moduleName, nil)
	all, err := g.addSources(ctx, moduleName, files, srcs)
	if err == nil && len(g.Redefined) > 0 {
		// Functions are redefined: generate again, calling those through
		// their slots from the start.
		g = newBatchGenerator(moduleName, g.Redefinable)
		all, err = g.addSources(ctx, moduleName, files, srcs)
	}
	if err != nil {
		return nil, all, err
	}
	return g.Finish(), all, nil
}

// newBatchGenerator returns the generator of a whole program: one that
// allows redefinition, with the functions of redefinable (if any) called
// through slots.
func newBatchGenerator(moduleName string, redefinable map[string]bool) *Generator {
	g := NewGenerator(moduleName)
	g.AllowRedefinition = true
	g.Redefinable = redefinable
	// The slots are globals: they must exist before a code generator
	// streaming the module starts (it emits the globals first).
	names := make([]string, 0, len(redefinable))
	for name := range redefinable {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g.slot(name)
	}
	return g
}

// addSources adds srcs in order, each named by files (by moduleName past
// the end of files), and returns the diagnostics of all of them. It stops
// at the first error (a cancelled ctx).
func (g *Generator) addSources(ctx context.Context, moduleName string, files []string, srcs [][]byte) ([]*Diagnostic, error) {
	var all []*Diagnostic
	size := 0
	for _, src := range srcs {
		size += len(src)
	}
	g.reserve(size / 256)
	for i := range srcs {
		name := moduleName
		if i < len(files) {
			name = files[i]
		}
		d, err := g.AddSource(ctx, name, srcs[i])
		all = append(all, d...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// ReserveDeclarations makes room for about n more prototypes (a lazy
// JIT's session declares every definition of a program: see
// DeferDeclarations).
func (g *Generator) ReserveDeclarations(n int) {
	if n < 64 {
		return
	}
	protos := make(map[string]*Prototype, len(g.protos)+n)
	for k, v := range g.protos {
		protos[k] = v
	}
	g.protos = protos
}

// reserve makes room for about n more functions in the generator's and
// the module's tables (a program of n functions would otherwise rehash
// each of them a dozen times as it grows).
func (g *Generator) reserve(n int) {
	if n < 64 {
		return
	}
	g.Module.Reserve(n)
	protos := make(map[string]*Prototype, len(g.protos)+n)
	for k, v := range g.protos {
		protos[k] = v
	}
	g.protos = protos
	bodies := make(map[*ir.Function]bool, len(g.bodies)+n)
	for k, v := range g.bodies {
		bodies[k] = v
	}
	g.bodies = bodies
}

// CompileLibrary compiles sources into a library module (see
// NewLibraryGenerator): their functions, with private runtime helpers and
// no main, to be added to a JIT that may also hold C objects defining
// main or printd. Diagnostics are as with Compile.
func CompileLibrary(ctx context.Context, moduleName string, files []string, srcs [][]byte) (*ir.Module, []*Diagnostic, error) {
	g := NewLibraryGenerator(moduleName)
	all, err := g.addSources(ctx, moduleName, files, srcs)
	if err != nil {
		return nil, all, err
	}
	return g.Finish(), all, nil
}

// ExprMain adds a function "name" of type i32() that calls the top-level
// expression function fn and prints "Evaluated to %f\n" with its result,
// flushes C's stdio (fflush(NULL)) and returns 0. A REPL runs it as the
// entry point of the item: when it returns, the item's output has left the
// executor's stdio buffers, in whichever process the executor is.
func (g *Generator) ExprMain(fn *ir.Function, name string) (*ir.Function, error) {
	w, err := g.Module.NewFunction(name, ir.FuncType(ir.I32, nil, false), nil)
	if err != nil {
		return nil, fmt.Errorf("kaleidoscope: %w", err)
	}
	b := ir.NewBuilder()
	b.SetInsertPoint(w.NewBlock("entry"))
	v := b.Call(fn, nil, "v")
	b.Call(g.printf, []ir.Value{g.fmtEval, v}, "")
	b.Call(g.fflush, []ir.Value{&ir.ConstNull{}}, "")
	b.Ret(ir.NewInt(ir.I32, 0))
	return w, nil
}

// Runtime returns the functions the generator defines in every module
// (putchard and printd); an incremental JIT compiles them once.
func (g *Generator) Runtime() []*ir.Function {
	return []*ir.Function{g.Module.Func("putchard"), g.Module.Func("printd")}
}

// float returns a new constant v (ir.NewFloat), allocated from a chunk.
func (g *Generator) float(v float64) *ir.ConstFloat {
	if len(g.consts) == 0 {
		g.consts = make([]ir.ConstFloat, 256)
	}
	c := &g.consts[0]
	g.consts = g.consts[1:]
	*c = ir.ConstFloat{Typ: ir.F64, V: v}
	return c
}
