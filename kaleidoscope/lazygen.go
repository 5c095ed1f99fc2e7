package kaleidoscope

import "github.com/gorc-jit/gorc/ir"

// FunctionGenerator generates definitions one at a time, each as the only
// function of a module, for a JIT that compiles a function on its first
// call (gorc kaleido -lazy). It gives the IR a Generator made afresh for
// each definition would (with Resolve supplying the prototypes of the
// functions called), but keeps its memory from one definition to the
// next: the runtime module is built once, the generator's tables are
// cleared instead of made again, and instructions and blocks come from an
// ir.InstrArena that takes a function's memory back once it has been
// compiled (Release). A lazy JIT compiles thousands of small functions
// this way with the garbage collector off, where every byte allocated is
// a fresh page.
//
// A FunctionGenerator is not safe for concurrent use: a JIT that compiles
// several first calls at once keeps one per compile in flight.
type FunctionGenerator struct {
	g      *Generator
	arena  ir.InstrArena
	m      *ir.Module // the module of the function being compiled
	nFuncs int        // the runtime's functions in g.Module
	live   *ir.Function
	// decls are the declarations of the callees of live, removed from
	// g.Module: spare (g.spare) once live is released.
	decls []*ir.Function
}

// NewFunctionGenerator returns a generator of definitions whose callees'
// prototypes come from resolve. With ssa set, it builds the SSA form
// (Generator.SSA, for optimized compiles). moduleName names the modules
// the functions are generated in.
func NewFunctionGenerator(moduleName string, ssa bool, resolve func(name string) *Prototype) *FunctionGenerator {
	g := NewGenerator(moduleName)
	g.SSA = ssa
	g.Resolve = resolve
	fg := &FunctionGenerator{g: g, m: ir.NewModule(moduleName), nFuncs: len(g.Module.Funcs)}
	g.b.Arena = &fg.arena
	return fg
}

// Gen generates def as a function named name, the only function of a
// module (fn.Module, which holds no globals: callees and the runtime's
// strings are referenced by name). The function and its module are
// valid until the next Gen or Release; the module is reused by the next
// Gen. A definition with an error yields its diagnostic (and no
// function), as Generator.Gen does.
func (fg *FunctionGenerator) Gen(file string, def *FunctionDef, name string) (*ir.Function, *Diagnostic) {
	if fg.live != nil {
		fg.Release(fg.live)
	}
	g := fg.g
	clear(g.protos)
	clear(g.bodies)
	fn, d := g.Gen(file, def, nil)
	// Drop what this definition added to the generator's module: the
	// function (moved to a module of its own) and its callees'
	// declarations; the next definition starts from the runtime alone.
	for len(g.Module.Funcs) > fg.nFuncs {
		f := g.Module.Funcs[len(g.Module.Funcs)-1]
		g.Module.RemoveFunc(f)
		if f != fn && f.IsDeclaration() {
			fg.decls = append(fg.decls, f)
		}
	}
	if d != nil {
		fg.spareDecls()
		return nil, d
	}
	fg.arena.Detach(fn)
	fn.Name = name
	fn.Module = fg.m
	fg.m.Funcs = append(fg.m.Funcs[:0], fn)
	fg.live = fn
	return fn, nil
}

// Release hands the memory of fn's instructions and blocks back to fg for
// the next definitions, once fn is compiled and nothing refers to its
// body any more (its machine code and object do not: they are bytes). fn
// is left a declaration. Gen releases the previous function itself.
func (fg *FunctionGenerator) Release(fn *ir.Function) {
	if fn == nil {
		return
	}
	if fn == fg.live {
		fg.live = nil
		fg.m.Funcs = fg.m.Funcs[:0]
		// Nothing refers to its callees' declarations now: the next
		// definition's declarations reuse them.
		fg.spareDecls()
	}
	// Its block list serves the next definition's.
	if cap(fn.Blocks) > cap(fg.g.blockList) {
		clear(fn.Blocks[:cap(fn.Blocks)])
		fg.g.blockList = fn.Blocks[:0]
	}
	fn.Blocks = nil
	fn.ReleaseInstrs()
}

// spareDecls hands the declarations of the last definition to the
// generator for reuse, but for those shared with functions of the batch
// (NewBatch): they still call them.
func (fg *FunctionGenerator) spareDecls() {
	for _, d := range fg.decls {
		if fg.g.shared[d.Name] != d {
			fg.g.spare = append(fg.g.spare, d)
		}
	}
	clear(fg.decls)
	fg.decls = fg.decls[:0]
}

// GenDetached is Gen for a function that outlives the next Gen: the
// function is the caller's (a batch of several compiled as one module,
// gorc kaleido -lazy -speculate), its module fg's no longer, and the
// memory of its instructions and its callees' declarations is not
// reused by fg (the collector takes it once the function is dropped).
// Release must not be called for it. After NewBatch, the functions
// GenDetached makes share their callees' declarations.
func (fg *FunctionGenerator) GenDetached(file string, def *FunctionDef, name string) (*ir.Function, *Diagnostic) {
	fn, d := fg.Gen(file, def, name)
	if d != nil {
		return nil, d
	}
	fg.live = nil
	fg.m.Funcs = fg.m.Funcs[:0]
	if fg.g.shared != nil {
		for _, d := range fg.decls {
			fg.g.shared[d.Name] = d
		}
	}
	clear(fg.decls)
	fg.decls = fg.decls[:0]
	fn.Module = nil
	return fn, nil
}

// NewBatch starts a batch of functions made by GenDetached and compiled
// together (gorc kaleido -lazy -speculate): from now on they call one
// declaration per callee (same name and signature), made for the first
// of them that calls it, instead of one each (a batch of 64 functions
// that all call the same few operators declared each of them 64 times,
// memory the batch's compile then reads cold). The declarations of
// earlier batches are neither reused nor written again: their functions
// may be being compiled on another goroutine.
func (fg *FunctionGenerator) NewBatch() {
	if fg.g.shared == nil {
		fg.g.shared = make(map[string]*ir.Function)
		return
	}
	clear(fg.g.shared)
}
