package ir

import (
	"bytes"
	"fmt"
	"sync"
)

// pendingBody is a function body ParseLazy skipped: the lexer just past
// its '{' and the parameter names of the header.
type pendingBody struct {
	lx     lexer
	pnames []string
	ptoks  []token
	name   string // the function's name in the source (a lazy JIT renames internal ones)
	err    error
	state  bodyState
}

// bodyState is where a pending body is: not parsed, being parsed (by one
// goroutine; others wait for it), parsed (err says how).
type bodyState uint8

const (
	bodyPending bodyState = iota
	bodyParsing
	bodyParsed
)

// LazyBodies holds the function bodies a ParseLazy left unparsed.
type LazyBodies struct {
	file string
	m    *Module

	mu      sync.Mutex
	parsed  sync.Cond // signalled (on mu) when a body is parsed
	pending map[*Function]*pendingBody
	// vecParams: the functions with parameters declared <2 x float>
	// (funcBody's vecs), few or none.
	vecParams map[*Function][]*Type
}

// ParseLazy parses a module like Parse but skips the bodies of defined
// functions (finding each one's closing brace without tokenizing it), so
// that a lazy JIT pays only for the functions that run. The skipped
// functions have no blocks until LazyBodies.ParseBody parses them;
// Pending tells them from declarations. Errors inside a body are reported
// (FILE:LINE:COL) when it is parsed.
func ParseLazy(filename string, src []byte) (m *Module, lb *LazyBodies, err error) {
	p := &parser{file: filename, lx: lexer{src: src, line: 1}, arena: new(InstrArena), ownArena: true, lazy: true, pending: map[*Function]*pendingBody{}}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				m, lb, err = nil, nil, e
				return
			}
			t := p.tok
			m, lb, err = nil, nil, &Error{File: filename, Line: t.line, Col: t.col, Msg: fmt.Sprintf("internal parser error: %v", r)}
		}
	}()
	p.next()
	p.m = NewModule("")
	// The bodies are not read now: if they may hold i128 arithmetic,
	// the libgcc functions it becomes are declared (wideint.go).
	p.wideLib = bytes.Contains(src, []byte("i128 ")) // not the datalayout's "i128:128"
	// i128 atomics below align 16 call libatomic (wideatomic.go).
	p.wideAtomicLib = p.wideLib && bytes.Contains(src, []byte("atomic")) && bytes.Contains(src, []byte("align 8"))
	p.module()
	lb = &LazyBodies{file: filename, m: p.m, pending: p.pending, vecParams: p.vecParams}
	lb.parsed.L = &lb.mu
	return p.m, lb, nil
}

// Pending reports whether f is defined but its body is not parsed yet.
func (lb *LazyBodies) Pending(f *Function) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	pb := lb.pending[f]
	return pb != nil && pb.state != bodyParsed
}

// ParseBody parses the body of f if it is still pending (once; later
// calls return the first call's error, and a call while another
// goroutine parses it waits for that parse). Bodies of different
// functions may be parsed concurrently, also while other parsed functions
// are being optimized, as long as nothing changes the module's symbol
// table.
func (lb *LazyBodies) ParseBody(f *Function) error { return lb.ParseBodyInto(f, nil) }

// ParseBodyInto is ParseBody with the instructions of f's body taken from
// arena (nil: from the heap), as a Builder with that arena would make
// them: they are f's (InstrArena.Detach), and go back to arena for later
// bodies with f.ReleaseInstrs once f's body is dropped. A lazy JIT that
// drops each function's IR once compiled thus parses the next functions
// in the same memory. One arena must not serve two parses at once.
// A body already parsed (by ParseAhead, say) is not parsed again: its
// instructions are from the arena that parse used.
func (lb *LazyBodies) ParseBodyInto(f *Function, arena *InstrArena) error {
	lb.mu.Lock()
	pb := lb.pending[f]
	if pb == nil {
		lb.mu.Unlock()
		return nil
	}
	for pb.state == bodyParsing {
		lb.parsed.Wait()
	}
	if pb.state == bodyParsed {
		lb.mu.Unlock()
		return pb.err
	}
	return lb.parse(f, pb, arena)
}

// ParseAhead parses the body of f into arena (as ParseBodyInto) if no one
// has started to parse it, and reports whether it did: a goroutine with
// nothing else to do parses bodies before they are needed, and never
// waits for another's parse.
func (lb *LazyBodies) ParseAhead(f *Function, arena *InstrArena) bool {
	return lb.ParseAheadThen(f, arena, nil)
}

// ParseAheadThen is ParseAhead calling then(f) once f's body is parsed
// without error and before anyone else may use it: a ParseBody of f
// meanwhile waits until then returns. It is for reading the new body
// (its callees, say) on the parsing goroutine while no compile of f can
// be changing it.
func (lb *LazyBodies) ParseAheadThen(f *Function, arena *InstrArena, then func(*Function)) bool {
	lb.mu.Lock()
	pb := lb.pending[f]
	if pb == nil || pb.state != bodyPending {
		lb.mu.Unlock()
		return false
	}
	lb.parseThen(f, pb, arena, then)
	return true
}

// parse parses pb, the pending body of f, called with lb.mu held (and
// returns with it released).
func (lb *LazyBodies) parse(f *Function, pb *pendingBody, arena *InstrArena) error {
	return lb.parseThen(f, pb, arena, nil)
}

// parseThen is parse calling then(f), if not nil, after a parse without
// error, before the body is marked parsed.
func (lb *LazyBodies) parseThen(f *Function, pb *pendingBody, arena *InstrArena, then func(*Function)) error {
	pb.state = bodyParsing
	lb.mu.Unlock()
	err := lb.parseBody(f, pb, arena)
	if arena != nil {
		arena.Detach(f)
	}
	if err == nil && then != nil {
		then(f)
	}
	lb.mu.Lock()
	pb.err, pb.state = err, bodyParsed
	lb.parsed.Broadcast()
	lb.mu.Unlock()
	return err
}

// bodyParsers holds parsers between lazy bodies: their per-function
// tables (locals, blocks, forward references) are emptied and reused
// instead of made for every body.
var bodyParsers = sync.Pool{New: func() any { return new(parser) }}

func (lb *LazyBodies) parseBody(f *Function, pb *pendingBody, arena *InstrArena) (err error) {
	p := bodyParsers.Get().(*parser)
	// Kept from body to body: the tables, and the unused rest of the
	// chunks names, constants and (without arena) instructions come from.
	own := arena == nil
	if own {
		if p.heap == nil {
			p.heap = new(InstrArena)
		}
		arena = p.heap
	}
	*p = parser{file: lb.file, lx: pb.lx, m: lb.m, locals: p.locals, blocks: p.blocks, bdef: p.bdef, bref: p.bref, fwd: p.fwd,
		arena: arena, ownArena: own, heap: p.heap, names: p.names, types: p.types, floats: p.floats, ints: p.ints, lazyBody: true}
	defer func() {
		// Nothing of this body stays reachable from the pooled parser
		// but the tables funcBody empties before use (and the chunks'
		// unused rests).
		p.lx, p.tok, p.prev, p.m, p.f, p.gfwd, p.arena, p.callTypes = lexer{}, token{}, token{}, nil, nil, nil, nil, nil
		bodyParsers.Put(p)
	}()
	defer func() {
		if r := recover(); r != nil {
			f.Blocks = nil
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			t := p.tok
			err = &Error{File: lb.file, Line: t.line, Col: t.col, Msg: fmt.Sprintf("internal parser error: %v", r)}
		}
	}()
	p.next()
	p.fname = pb.name
	p.funcBody(f, pb.pnames, pb.ptoks, lb.vecParams[f])
	// Every global exists by now: a forward reference is an undefined one.
	// (The earliest in the source, as the eager parse reports.)
	var bad *fwdRef
	for _, r := range p.gfwd {
		if bad == nil || before(r.tok, bad.tok) {
			bad = r
		}
	}
	if bad != nil {
		p.failAt(bad.tok, "use of undefined global '@%s'", bad.name)
	}
	return nil
}

// skipBody moves past the body of function name, from its '{' (the
// current token) to the matching '}', without tokenizing it: comments and
// quoted strings are skipped so braces inside them do not count.
// bracesBalanced reports whether every '}' of span closes a '{' of span
// before it and every '{' is closed: a '}' that closes the body itself
// (`ret void}`) ends the body before the "\n}" the fast path found.
// The braces are counted with the library's vectorized search first: most
// bodies have none (bytes.IndexAny of two bytes looks at every byte,
// and was 18% of a lazy start-up of 10,000 functions' IR); only a span
// with as many of each is walked, brace by brace.
func bracesBalanced(span []byte) bool {
	opens := bytes.Count(span, []byte{'{'})
	if opens != bytes.Count(span, []byte{'}'}) {
		return false
	}
	if opens == 0 {
		return true
	}
	next := func(c byte, from int) int {
		if k := bytes.IndexByte(span[from:], c); k >= 0 {
			return from + k
		}
		return len(span)
	}
	depth := 0
	o, c := next('{', 0), next('}', 0)
	for c < len(span) {
		if o < c {
			depth++
			o = next('{', o+1)
			continue
		}
		if depth--; depth < 0 {
			return false
		}
		c = next('}', c+1)
	}
	return depth == 0
}

func (p *parser) skipBody(name string) {
	lx := &p.lx
	src := lx.src
	depth := 0
	// Fast path: printed IR closes a body with a '}' at the start of a
	// line. When the text up to the first such '}' holds no string or
	// comment and as many '{' as '}', that is the body's end: found with
	// the library's vectorized searches, without looking at every byte.
	if k := bytes.Index(src[lx.pos:], []byte("\n}")); k >= 0 {
		span := src[lx.pos : lx.pos+k]
		if bytes.IndexByte(span, '"') < 0 && bytes.IndexByte(span, ';') < 0 && bracesBalanced(span) {
			lx.skipTo(lx.pos + k + 2)
			p.next()
			return
		}
	}
	// Else jump from one byte that matters to the next (bytes.IndexAny),
	// then move the lexer there in one step.
	i := lx.pos
	for i < len(src) {
		k := bytes.IndexAny(src[i:], ";\"{}")
		if k < 0 {
			break
		}
		i += k
		switch src[i] {
		case ';':
			e := bytes.IndexByte(src[i:], '\n')
			if e < 0 {
				i = len(src)
				continue
			}
			i += e
			continue
		case '"':
			e := bytes.IndexByte(src[i+1:], '"')
			if e < 0 {
				i = len(src)
				continue
			}
			i += 1 + e
		case '{':
			depth++
		case '}':
			if depth == 0 {
				lx.skipTo(i + 1)
				p.next()
				return
			}
			depth--
		}
		i++
	}
	lx.skipTo(len(src))
	p.fail("expected '}' at end of function '@%s'", name)
}
