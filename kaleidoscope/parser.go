package kaleidoscope

import (
	"fmt"
	"slices"

	"github.com/gorc-jit/gorc/internal/diag"
)

// Diagnostic is an error at a source position, printed as
// "FILE:LINE:COL: error: MSG".
type Diagnostic struct {
	File string
	Pos  Pos
	Msg  string
}

func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s:%d:%d: error: %s", d.File, d.Pos.Line, d.Pos.Col, d.Msg)
}

// maxDepth bounds expression nesting so hostile input cannot exhaust the
// stack.
const maxDepth = 500

// Parser parses Kaleidoscope top-level items one at a time. Binary
// operator precedences start as the tutorial's (= 2, < 10, + - 20, * 40);
// SetPrecedence installs user-defined operators.
type Parser struct {
	file  string
	lx    *Lexer
	tok   Token
	prec  [256]int16
	depth int

	lazy     bool        // SetLazyBodies
	end      int         // SetEnd: the offset of the item Next stops at (0: none)
	precSnap *[256]int16 // prec as shared by skipped bodies; nil after a change

	// reuse: the most frequent expression nodes come from arenas that
	// Next recycles, so an item's tree is valid only until the next call
	// (set by Generator.AddSource, which is done with an item before it
	// asks for the next; prototypes are never recycled).
	reuse   bool
	nums    arena[NumberExpr]
	vars    arena[VariableExpr]
	bins    arena[BinaryExpr]
	calls   arena[CallExpr]
	ifs     arena[IfExpr]
	fors    arena[ForExpr]
	lets    arena[VarExpr]
	unaries arena[UnaryExpr]
	// The argument lists of calls and the bindings of var expressions
	// are gathered on a stack (nested ones above) and then copied, at
	// their final length, into chunks that Next recycles with the nodes
	// (or, without reuse, into one allocation each): appending to each
	// list as it was parsed reallocated it at every doubling, two
	// allocations per two-argument call.
	argStack  []Expr
	bindStack []VarBinding
	argLists  lists[Expr]
	bindLists lists[VarBinding]

	// Prototypes, definitions and parameter lists are carved from
	// chunks (slab) instead of allocated one by one: they are kept, never
	// recycled, and a program has thousands (a lazy parse allocates
	// little else).
	protos  slab[Prototype]
	defs    slab[FunctionDef]
	params  slab[string]
	bodies  slab[lazyBody]
	bodySrc *bodySource // the source of the bodies skipped (made once)
	scratch []string    // the parameters of the prototype being parsed
}

// slab hands out values from chunks that are never reused: a value lives
// as long as its chunk is referenced.
type slab[T any] struct{ free []T }

// slabChunk is how many values a slab chunk holds.
const slabChunk = 256

func (s *slab[T]) new() *T {
	if len(s.free) == 0 {
		s.free = make([]T, slabChunk)
	}
	x := &s.free[0]
	s.free = s.free[1:]
	return x
}

// copyOf returns a copy of v in the slab's memory with no spare capacity
// (appending to it copies).
func (s *slab[T]) copyOf(v []T) []T {
	if len(v) == 0 {
		return nil
	}
	if len(v) > len(s.free) {
		if len(v) > slabChunk/4 {
			return append([]T(nil), v...)
		}
		s.free = make([]T, slabChunk)
	}
	c := s.free[:len(v):len(v)]
	copy(c, v)
	s.free = s.free[len(v):]
	return c
}

// node returns a new zero T: from a, which Next recycles, when the
// parser reuses nodes, else from the heap.
func node[T any](p *Parser, a *arena[T]) *T {
	if p.reuse {
		return a.new()
	}
	return new(T)
}

// arena hands out zeroed values from chunks it keeps; reset makes them
// all available again.
type arena[T any] struct {
	chunks [][]T
	cur    []T // chunks[ci-1], the chunk values are handed out from
	ci, i  int // cur[i] is the next value
}

func (a *arena[T]) new() *T {
	for a.i >= len(a.cur) {
		if a.ci == len(a.chunks) {
			a.chunks = append(a.chunks, make([]T, 128))
		}
		a.cur, a.ci, a.i = a.chunks[a.ci], a.ci+1, 0
	}
	x := &a.cur[a.i]
	a.i++
	var zero T
	*x = zero
	return x
}

func (a *arena[T]) reset() { a.cur, a.ci, a.i = nil, 0, 0 }

// resetNodes makes the nodes and lists of the last tree available again
// (reuse): the tree must not be used afterwards.
func (p *Parser) resetNodes() {
	p.nums.reset()
	p.vars.reset()
	p.bins.reset()
	p.calls.reset()
	p.ifs.reset()
	p.fors.reset()
	p.lets.reset()
	p.unaries.reset()
	p.argLists.reset()
	p.bindLists.reset()
}

// dropStacks empties the list stacks: an item whose parse failed leaves
// the lists it was gathering there.
func (p *Parser) dropStacks() {
	clear(p.argStack)
	p.argStack = p.argStack[:0]
	clear(p.bindStack)
	p.bindStack = p.bindStack[:0]
}

// lists hands out slices carved from chunks it keeps; reset makes them
// all available again (as arena does for nodes).
type lists[T any] struct {
	chunks [][]T
	ci, i  int
}

// listChunk is how many elements a lists chunk holds.
const listChunk = 256

// copyOf returns a copy of v in the chunks' memory, with no spare
// capacity (appending to it copies).
func (l *lists[T]) copyOf(v []T) []T {
	if len(v) == 0 {
		return nil
	}
	if len(v) > listChunk/4 {
		return append([]T(nil), v...)
	}
	for {
		if l.ci < len(l.chunks) {
			if c := l.chunks[l.ci]; l.i+len(v) <= len(c) {
				d := c[l.i : l.i+len(v) : l.i+len(v)]
				copy(d, v)
				l.i += len(v)
				return d
			}
			l.ci, l.i = l.ci+1, 0
			continue
		}
		l.chunks = append(l.chunks, make([]T, listChunk))
	}
}

func (l *lists[T]) reset() { l.ci, l.i = 0, 0 }

// listOf returns a copy of v for a node's list: from the recycled chunks
// when the parser reuses nodes, else from the heap.
func listOf[T any](p *Parser, l *lists[T], v []T) []T {
	if p.reuse {
		return l.copyOf(v)
	}
	if len(v) == 0 {
		return nil
	}
	return append([]T(nil), v...)
}

// NewParser returns a parser for src; file names the source in
// diagnostics.
func NewParser(file string, src []byte) *Parser {
	p := &Parser{file: file, lx: NewLexer(src)}
	p.prec['='], p.prec['<'], p.prec['+'], p.prec['-'], p.prec['*'] = 2, 10, 20, 20, 40
	p.next()
	return p
}

// SetPrecedence makes op a binary operator with the given precedence
// (1..100); a precedence <= 0 removes it.
func (p *Parser) SetPrecedence(op byte, prec int) {
	p.precSnap = nil
	if prec <= 0 {
		p.prec[op] = 0
		return
	}
	p.prec[op] = int16(min(prec, 1000))
}

func (p *Parser) next() { p.lx.next(&p.tok) }

type bailout struct{ d *Diagnostic }

func (p *Parser) errAt(pos Pos, format string, args ...any) {
	panic(bailout{&Diagnostic{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, diag.ClipArgs(args)...)}})
}

func (p *Parser) checkTok() {
	if p.tok.Err != "" {
		p.errAt(p.tok.Pos, "%s", p.tok.Err)
	}
}

func (p *Parser) isChar(c byte) bool { return p.tok.Kind == TokChar && p.tok.Ch == c }

func (p *Parser) expectChar(c byte, what string) {
	if !p.isChar(c) {
		p.errAt(p.tok.Pos, "expected '%c' %s, found %v", c, what, p.tok)
	}
	p.next()
}

// Next parses the next top-level item. It returns (nil, nil) at the end
// of input. After an error it has skipped to the next top-level item
// (past the next ';' or up to the next def/extern), so calling Next again
// continues there.
func (p *Parser) Next() (item Item, err *Diagnostic) {
	if p.reuse {
		p.resetNodes()
	}
	p.dropStacks()
	for p.isChar(';') {
		p.next()
	}
	if p.tok.Kind == TokEOF || p.end > 0 && p.atEnd() {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				b = bailout{&Diagnostic{File: p.file, Pos: p.tok.Pos, Msg: fmt.Sprintf("internal parser error: %v", r)}}
			}
			item, err = nil, b.d
			p.depth = 0
			p.recover()
		}
	}()
	switch p.tok.Kind {
	case TokDef:
		p.next()
		proto := p.prototype()
		if p.lazy {
			if lb := p.skipBody(); lb != nil {
				d := p.defs.new()
				d.Proto, d.lazy = proto, lb
				return d, nil
			}
		}
		body := p.expression()
		d := p.defs.new()
		d.Proto, d.Body = proto, body
		return d, nil
	case TokExtern:
		p.next()
		return &Extern{Proto: p.prototype()}, nil
	}
	pos := p.tok.Pos
	body := p.expression()
	return &FunctionDef{Proto: &Prototype{Pos: pos, Name: "__anon_expr"}, Body: body, TopLevel: true}, nil
}

// recover skips to the next top-level item.
func (p *Parser) recover() {
	for {
		switch {
		case p.tok.Kind == TokEOF, p.tok.Kind == TokDef, p.tok.Kind == TokExtern:
			return
		case p.isChar(';'):
			p.next()
			return
		}
		p.next()
	}
}

func (p *Parser) prototype() *Prototype {
	p.checkTok()
	pr := p.protos.new()
	pr.Pos = p.tok.Pos
	switch p.tok.Kind {
	case TokIdent:
		pr.Name = p.tok.Text
		p.next()
	case TokUnary, TokBinary:
		kind := p.tok.Kind
		p.next()
		if p.tok.Kind != TokChar || p.tok.Ch >= 0x80 || p.isChar('(') || p.isChar(',') || p.isChar(';') {
			p.errAt(p.tok.Pos, "expected an operator character after '%s', found %v", map[TokKind]string{TokUnary: "unary", TokBinary: "binary"}[kind], p.tok)
		}
		op := p.tok.Ch
		p.next()
		if kind == TokUnary {
			pr.Kind, pr.Name = ProtoUnary, "unary"+string(op)
		} else {
			pr.Kind, pr.Name, pr.Precedence = ProtoBinary, "binary"+string(op), 30
			if p.tok.Kind == TokNumber {
				p.checkTok()
				if p.tok.Num < 1 || p.tok.Num > 100 {
					p.errAt(p.tok.Pos, "invalid precedence %s: must be 1..100", p.tok.Text)
				}
				pr.Precedence = int(p.tok.Num)
				p.next()
			}
		}
	default:
		p.errAt(p.tok.Pos, "expected function name in prototype, found %v", p.tok)
	}
	p.expectChar('(', "in prototype")
	params := p.scratch[:0]
	for p.tok.Kind == TokIdent {
		params = append(params, p.tok.Text)
		p.next()
	}
	p.scratch = params
	if !p.isChar(')') {
		p.errAt(p.tok.Pos, "expected ')' or a parameter name in prototype, found %v", p.tok)
	}
	p.next()
	pr.Params = p.params.copyOf(params)
	if len(pr.Params) <= 16 {
		// Few parameters: compared pairwise (no map per prototype).
		for i, n := range pr.Params {
			if slices.Contains(pr.Params[:i], n) {
				p.errAt(pr.Pos, "duplicate parameter '%s' in prototype of '%s'", n, pr.Name)
			}
		}
	} else {
		seen := make(map[string]bool, len(pr.Params))
		for _, n := range pr.Params {
			if seen[n] {
				p.errAt(pr.Pos, "duplicate parameter '%s' in prototype of '%s'", n, pr.Name)
			}
			seen[n] = true
		}
	}
	if pr.Kind == ProtoUnary && len(pr.Params) != 1 {
		p.errAt(pr.Pos, "unary operator '%s' must have exactly one operand", pr.Name)
	}
	if pr.Kind == ProtoBinary && len(pr.Params) != 2 {
		p.errAt(pr.Pos, "binary operator '%s' must have exactly two operands", pr.Name)
	}
	return pr
}

func (p *Parser) expression() Expr {
	// The depth goes back down on return; a syntax error's panic leaves
	// it, and the recovering Next (or the next lazy body's parse) resets
	// it, as binOpRHS relies on too (a deferred decrement per expression
	// was a tenth of the parser's instructions).
	p.depth++
	if p.depth > maxDepth {
		p.tooDeep()
	}
	lhs := p.unary()
	e := p.binOpRHS(0, lhs)
	p.depth--
	return e
}

// tooDeep reports nesting beyond maxDepth (the message is the
// generator's too, with its own limit).
func (p *Parser) tooDeep() {
	p.errAt(p.tok.Pos, "expression nests too deeply (limit %d)", maxDepth)
}

func (p *Parser) tokPrec() int {
	if p.tok.Kind != TokChar {
		return -1
	}
	if pr := p.prec[p.tok.Ch]; pr > 0 {
		return int(pr)
	}
	return -1
}

func (p *Parser) binOpRHS(minPrec int, lhs Expr) Expr {
	for {
		prec := p.tokPrec()
		if prec < minPrec || prec < 0 {
			return lhs
		}
		op, pos := p.tok.Ch, p.tok.Pos
		p.next()
		rhs := p.unary()
		if next := p.tokPrec(); prec < next {
			p.depth++
			if p.depth > maxDepth {
				p.tooDeep()
			}
			rhs = p.binOpRHS(prec+1, rhs)
			p.depth--
		}
		if p.reuse {
			b := p.bins.new()
			b.Pos, b.Op, b.LHS, b.RHS = pos, op, lhs, rhs
			lhs = b
		} else {
			lhs = &BinaryExpr{Pos: pos, Op: op, LHS: lhs, RHS: rhs}
		}
	}
}

func (p *Parser) unary() Expr {
	p.checkTok()
	if p.tok.Kind != TokChar || p.isChar('(') || p.isChar(',') {
		return p.primary()
	}
	p.depth++ // (back down on return, as in expression)
	if p.depth > maxDepth {
		p.tooDeep()
	}
	op, pos := p.tok.Ch, p.tok.Pos
	if op == ';' || op == ')' {
		p.errAt(pos, "expected an expression, found %v", p.tok)
	}
	p.next()
	operand := p.unary()
	u := node(p, &p.unaries)
	u.Pos, u.Op, u.Operand = pos, op, operand
	p.depth--
	return u
}

func (p *Parser) primary() Expr {
	p.checkTok()
	// The fields of the token that the cases read, not a copy of the
	// whole token (72 bytes, copied for every operand).
	pos := p.tok.Pos
	switch p.tok.Kind {
	case TokNumber:
		val := p.tok.Num
		p.next()
		if p.reuse {
			n := p.nums.new()
			n.Pos, n.Val = pos, val
			return n
		}
		return &NumberExpr{Pos: pos, Val: val}
	case TokIdent:
		name := p.tok.Text
		p.next()
		if !p.isChar('(') {
			if p.reuse {
				v := p.vars.new()
				v.Pos, v.Name = pos, name
				return v
			}
			return &VariableExpr{Pos: pos, Name: name}
		}
		p.next()
		call := node(p, &p.calls)
		call.Pos, call.Callee = pos, name
		if !p.isChar(')') {
			mark := len(p.argStack)
			for {
				// The stack is read again after parsing the argument: a
				// call inside it pushes and pops above mark.
				a := p.expression()
				p.argStack = append(p.argStack, a)
				if p.isChar(')') {
					break
				}
				if !p.isChar(',') {
					p.errAt(p.tok.Pos, "expected ')' or ',' in argument list, found %v", p.tok)
				}
				p.next()
			}
			call.Args = listOf(p, &p.argLists, p.argStack[mark:])
			clear(p.argStack[mark:])
			p.argStack = p.argStack[:mark]
		}
		p.next()
		return call
	case TokChar:
		if p.tok.Ch == '(' {
			p.next()
			e := p.expression()
			p.expectChar(')', "to close '('")
			return e
		}
	case TokIf:
		p.next()
		cond := p.expression()
		if p.tok.Kind != TokThen {
			p.errAt(p.tok.Pos, "expected 'then', found %v", p.tok)
		}
		p.next()
		then := p.expression()
		if p.tok.Kind != TokElse {
			p.errAt(p.tok.Pos, "expected 'else', found %v", p.tok)
		}
		p.next()
		ie := node(p, &p.ifs)
		ie.Pos, ie.Cond, ie.Then = pos, cond, then
		ie.Else = p.expression()
		return ie
	case TokFor:
		p.next()
		if p.tok.Kind != TokIdent {
			p.errAt(p.tok.Pos, "expected identifier after 'for', found %v", p.tok)
		}
		fe := node(p, &p.fors)
		fe.Pos, fe.Var = pos, p.tok.Text
		p.next()
		p.expectChar('=', "after for variable")
		fe.Start = p.expression()
		p.expectChar(',', "after for start value")
		fe.End = p.expression()
		if p.isChar(',') {
			p.next()
			fe.Step = p.expression()
		}
		if p.tok.Kind != TokIn {
			p.errAt(p.tok.Pos, "expected 'in' after for, found %v", p.tok)
		}
		p.next()
		fe.Body = p.expression()
		return fe
	case TokVar:
		p.next()
		ve := node(p, &p.lets)
		ve.Pos = pos
		if p.tok.Kind != TokIdent {
			p.errAt(p.tok.Pos, "expected identifier after 'var', found %v", p.tok)
		}
		mark := len(p.bindStack)
		for {
			b := VarBinding{Pos: p.tok.Pos, Name: p.tok.Text}
			p.next()
			if p.isChar('=') {
				p.next()
				b.Init = p.expression()
			}
			p.bindStack = append(p.bindStack, b)
			if !p.isChar(',') {
				break
			}
			p.next()
			if p.tok.Kind != TokIdent {
				p.errAt(p.tok.Pos, "expected identifier list after 'var', found %v", p.tok)
			}
		}
		if p.tok.Kind != TokIn {
			p.errAt(p.tok.Pos, "expected 'in' keyword after 'var', found %v", p.tok)
		}
		ve.Vars = listOf(p, &p.bindLists, p.bindStack[mark:])
		clear(p.bindStack[mark:])
		p.bindStack = p.bindStack[:mark]
		p.next()
		ve.Body = p.expression()
		return ve
	}
	p.errAt(pos, "unknown token %v when expecting an expression", p.tok)
	return nil
}
