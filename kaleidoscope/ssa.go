package kaleidoscope

import (
	"unsafe"

	"github.com/gorc-jit/gorc/ir"
)

// Direct SSA construction (Generator.SSA). Kaleidoscope's control flow is
// structured — if/then/else diamonds and for loops with one entry and one
// latch — so variables can be kept as SSA values while generating, without
// the tutorial's allocas, loads and stores that mem2reg would remove
// again: a variable is a slot holding its current value on the path being
// generated; if/else merges the values of both arms with phis; a loop
// header gets a phi for every variable in scope, and the phis a loop turns
// out not to need (its body never assigns the variable) are removed when
// the loop is complete.

// ssaVar is one variable binding (a parameter, a var, a for loop
// variable); shadowing bindings are distinct slots.
type ssaVar struct {
	name string
	cur  ir.Value
}

// ssaVar returns a new binding of name to cur, valid until the next
// definition (the bindings of one come from g.vars, reset by define).
func (g *Generator) ssaVar(name string, cur ir.Value) *ssaVar {
	v := g.vars.new()
	v.name, v.cur = name, cur
	return v
}

// ssaLookup returns the innermost binding of name.
func (g *Generator) ssaLookup(name string) *ssaVar {
	for i := len(g.scope) - 1; i >= 0; i-- {
		v := g.scope[i]
		// sameName, its common cases inline: the same interned string,
		// or a different first byte.
		if len(v.name) == len(name) && (len(name) == 0 || unsafe.StringData(v.name) == unsafe.StringData(name) || v.name[0] == name[0] && v.name == name) {
			return v
		}
	}
	return nil
}

// sameName is a == b for a variable's names, which the lexer interns: the
// same name is mostly the same string, and a short one is compared inline
// (the runtime's comparison was a third of the scope's search).
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b) {
		return true
	}
	if len(a) > 8 {
		return a == b
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ssaSnapshot returns the current values of the variables in scope, on
// the stack g.snaps (the caller pops what it pushed, ssaIf).
func (g *Generator) ssaSnapshot() []ir.Value {
	n := len(g.snaps)
	for _, v := range g.scope {
		g.snaps = append(g.snaps, v.cur)
	}
	return g.snaps[n:len(g.snaps):len(g.snaps)]
}

// ssaIf generates an if/then/else: each arm starts from the values the
// variables had before it, and the merge block gets a phi for every
// variable whose value differs between the arms. In the alloca form
// (g.scope empty) that leaves the tutorial's code: one phi of the arms'
// values.
func (g *Generator) ssaIf(e *IfExpr) ir.Value {
	b := g.b
	cond, cmp := g.condExpr(e.Cond)
	c := g.condBit(cond, cmp, "ifcond")
	then := g.b.NewBlock(g.fn, "then")
	els := g.b.NewDetachedBlock(g.fn, "else")
	merge := g.b.NewDetachedBlock(g.fn, "ifcont")
	b.CondBr(c, then, els)
	// The arms' snapshots are pushed on g.snaps (nested ifs push and
	// pop above them): no allocation per if.
	mark := len(g.snaps)
	defer func() { g.snaps = g.snaps[:mark] }()
	before := g.ssaSnapshot()
	b.SetInsertPoint(then)
	tv := g.expr(e.Then)
	b.Br(merge)
	thenEnd := b.Block()
	thenVals := g.ssaSnapshot()
	for i, v := range g.scope {
		v.cur = before[i]
	}
	g.fn.AddBlock(els)
	b.SetInsertPoint(els)
	ev := g.expr(e.Else)
	b.Br(merge)
	elseEnd := b.Block()
	g.fn.AddBlock(merge)
	b.SetInsertPoint(merge)
	for i, v := range g.scope {
		if thenVals[i] == v.cur {
			continue
		}
		phi := b.Phi(ir.F64, v.name)
		phi.AddIncoming(thenVals[i], thenEnd)
		phi.AddIncoming(v.cur, elseEnd)
		v.cur = phi
	}
	phi := b.Phi(ir.F64, "iftmp")
	phi.AddIncoming(tv, thenEnd)
	phi.AddIncoming(ev, elseEnd)
	return phi
}

// ssaFor generates a for loop with the tutorial's semantics (body, step,
// end condition, then the increment of the loop variable's current value).
func (g *Generator) ssaFor(e *ForExpr) ir.Value {
	b := g.b
	start := g.expr(e.Start)
	pre := b.Block()
	loop := g.b.NewBlock(g.fn, "loop")
	first := len(g.fn.Blocks) - 1
	b.Br(loop)
	b.SetInsertPoint(loop)
	// A phi for the loop variable and for every variable in scope that
	// the loop may assign; the latch values are added once the body is
	// generated. A variable the loop never assigns would get a phi of
	// its value before the loop and of itself, which ssaTrivialPhis
	// removes again (rewriting every use in the loop): it gets none.
	all := !g.loopAssigns(e)
	lv := g.ssaVar(e.Var, start)
	g.scope = append(g.scope, lv)
	// The header's phis are kept on the stack g.loopPhis, with their
	// variables on g.loopVars (nested loops push and pop above them): no
	// allocation per loop.
	mark := len(g.loopPhis)
	for _, v := range g.scope {
		if !all && v != lv && !g.mayAssign(v.name) {
			continue
		}
		phi := b.Phi(ir.F64, v.name)
		phi.AddIncoming(v.cur, pre)
		g.loopPhis = append(g.loopPhis, phi)
		g.loopVars = append(g.loopVars, v)
		v.cur = phi
	}
	clear(g.assigned)
	g.assigned = g.assigned[:0]
	phis := g.loopPhis[mark:len(g.loopPhis):len(g.loopPhis)]
	vars := g.loopVars[mark:len(g.loopVars):len(g.loopVars)]
	g.expr(e.Body)
	var step ir.Value = g.float(1)
	if e.Step != nil {
		step = g.expr(e.Step)
	}
	end, endCmp := g.condExpr(e.End)
	lv.cur = b.FAdd(lv.cur, step, "nextvar")
	endc := g.condBit(end, endCmp, "loopcond")
	latch := b.Block()
	for i, v := range vars {
		phis[i].AddIncoming(v.cur, latch)
	}
	after := g.b.NewBlock(g.fn, "afterloop")
	b.CondBr(endc, loop, after)
	b.SetInsertPoint(after)
	g.scope = g.scope[:len(g.scope)-1]
	g.ssaTrivialPhis(loop, phis, first)
	clear(phis)
	clear(vars)
	g.loopPhis = g.loopPhis[:mark]
	g.loopVars = g.loopVars[:mark]
	return g.float(0)
}

// loopScanLimit bounds the syntax-tree nodes loopAssigns visits, so that
// nested loops do not scan their bodies again and again without bound.
var loopScanLimit = 512 // (a variable for the tests)

// loopAssigns puts in g.assigned the names the loop e may assign (in its
// end condition, step and body: the targets of '=', and the variables of
// inner loops, which shadow rather than assign, counted all the same)
// and reports true, or reports false if the loop is too large to scan
// (loopScanLimit): then every variable may be assigned. A name not in
// the list is certainly not assigned by the loop.
func (g *Generator) loopAssigns(e *ForExpr) bool {
	g.assigned = g.assigned[:0]
	budget := loopScanLimit
	return g.scanAssigns(e.End, &budget) && g.scanAssigns(e.Step, &budget) && g.scanAssigns(e.Body, &budget)
}

// scanAssigns adds the names e may assign to g.assigned (loopAssigns),
// reporting false once *budget nodes have been visited. Left-deep chains
// of binary operators are walked without recursion, as binaryChain does.
func (g *Generator) scanAssigns(e Expr, budget *int) bool {
	for e != nil {
		if *budget--; *budget < 0 {
			return false
		}
		switch x := e.(type) {
		case *NumberExpr, *VariableExpr:
			return true
		case *UnaryExpr:
			e = x.Operand
		case *BinaryExpr:
			if x.Op == '=' {
				if v, ok := x.LHS.(*VariableExpr); ok {
					g.assigned = append(g.assigned, v.Name)
				}
			}
			if !g.scanAssigns(x.RHS, budget) {
				return false
			}
			e = x.LHS
		case *CallExpr:
			for _, a := range x.Args {
				if !g.scanAssigns(a, budget) {
					return false
				}
			}
			return true
		case *IfExpr:
			if !g.scanAssigns(x.Cond, budget) || !g.scanAssigns(x.Then, budget) {
				return false
			}
			e = x.Else
		case *ForExpr:
			g.assigned = append(g.assigned, x.Var)
			if !g.scanAssigns(x.Start, budget) || !g.scanAssigns(x.End, budget) || !g.scanAssigns(x.Step, budget) {
				return false
			}
			e = x.Body
		case *VarExpr:
			for _, v := range x.Vars {
				if !g.scanAssigns(v.Init, budget) {
					return false
				}
			}
			e = x.Body
		default:
			return false // (an expression this scan does not know)
		}
	}
	return true
}

// mayAssign reports whether name is in g.assigned (loopAssigns).
func (g *Generator) mayAssign(name string) bool {
	for _, a := range g.assigned {
		if sameName(a, name) {
			return true
		}
	}
	return false
}

// ssaTrivialPhis removes the header phis of a finished loop that merge
// one value with themselves (variables the loop never assigns), replacing
// their uses in the loop's blocks (f.Blocks[first:]) and in the variables'
// current values; removing one can make another trivial.
func (g *Generator) ssaTrivialPhis(header *ir.Block, phis []*ir.Instr, first int) {
	// A removed phi holds its replacement in its Aux slot (the header's
	// phis are new, so theirs is nil): cheaper than a map from values,
	// looked up for every operand of the loop.
	resolve := func(v ir.Value) ir.Value {
		for {
			in, ok := v.(*ir.Instr)
			if !ok || in.Op != ir.OpPhi || in.Aux == nil || in.Block != header {
				return v
			}
			v = in.Aux.(ir.Value)
		}
	}
	removed := false
	for changed := true; changed; {
		changed = false
		for _, phi := range phis {
			if phi.Aux != nil {
				continue
			}
			var same ir.Value
			trivial := true
			for _, in := range phi.Ops {
				in = resolve(in)
				if in == ir.Value(phi) || in == same {
					continue
				}
				if same != nil {
					trivial = false
					break
				}
				same = in
			}
			if trivial && same != nil {
				phi.Aux = same
				changed, removed = true, true
			}
		}
	}
	if !removed {
		return
	}
	for _, blk := range g.fn.Blocks[first:] {
		for _, in := range blk.Instrs {
			for i, v := range in.Ops {
				in.Ops[i] = resolve(v)
			}
		}
	}
	for _, v := range g.scope {
		v.cur = resolve(v.cur)
	}
	kept := header.Instrs[:0]
	for _, in := range header.Instrs {
		if in.Op != ir.OpPhi || in.Aux == nil {
			kept = append(kept, in)
		}
	}
	clear(header.Instrs[len(kept):])
	header.Instrs = kept
}

// condExpr generates e, the condition of an if or a loop, and returns its
// value and, with InstCombineNext when e is a built-in comparison, the
// comparison's i1 (else nil).
func (g *Generator) condExpr(e Expr) (ir.Value, *ir.Instr) {
	be, ok := e.(*BinaryExpr)
	if !g.InstCombineNext || !ok || be.Op != '<' {
		return g.expr(e), nil
	}
	// (A condition inside be's operands, an if's, saves and restores
	// the comparison it looks for.)
	oldOf, oldCmp := g.condOf, g.condCmp
	g.condOf, g.condCmp = be, nil
	v := g.expr(e)
	c := g.condCmp
	g.condOf, g.condCmp = oldOf, oldCmp
	if c == nil || len(c.Ops) != 2 {
		return v, nil
	}
	if u, ok := v.(*ir.Instr); !ok || u.Op != ir.OpUIToFP || len(u.Ops) != 1 || u.Ops[0] != ir.Value(c) {
		return v, nil // (v is not the comparison's: keep the general form)
	}
	return v, c
}

// condBit returns the i1 to branch on for a condition of value v: the
// comparison's own (condExpr), or v != 0.0.
func (g *Generator) condBit(v ir.Value, cmp *ir.Instr, name string) ir.Value {
	if cmp != nil {
		return cmp
	}
	return g.b.FCmp(ir.FCmpONE, v, g.float(0), name)
}
