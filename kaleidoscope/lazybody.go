package kaleidoscope

import (
	"bytes"
	"fmt"
	"sync"
)

// lazyBody is a definition's body a parser with lazy bodies skipped: the
// source, the byte offset, line and column of the body's first token,
// the offset where the item ends and the operator precedences in force at
// the definition. It is small (a program has thousands): ParseBody lexes
// the first token again instead of keeping a copy of the lexer and the
// token.
type lazyBody struct {
	src        *bodySource
	start, end int
	line, col  int
	prec       *[256]int16
}

// bodySource is the source the bodies a parser skipped are in.
type bodySource struct {
	file string
	src  []byte
}

// SetLazyBodies makes Next skip the bodies of definitions (not of
// top-level expressions) with a cheap scan instead of parsing them, when
// the scan can tell where the body ends: up to the next ';', def or
// extern, with parentheses balanced and no two operands side by side (an
// expression followed by another without a ';' between them). A skipped
// body is parsed by FunctionDef.ParseBody, so a syntax error in it is
// reported then, not by Next. Bodies the scan is unsure about are parsed
// at once, as without lazy bodies. Used by gorc kaleido -lazy, where a
// body never called is never parsed.
func (p *Parser) SetLazyBodies(on bool) { p.lazy = on }

// precSnapshot returns the current precedences, shared by the bodies
// skipped until the next SetPrecedence.
func (p *Parser) precSnapshot() *[256]int16 {
	if p.precSnap == nil {
		s := p.prec
		p.precSnap = &s
	}
	return p.precSnap
}

// skipBody scans the body starting at the current token and, when it can
// tell where the body ends, moves the parser there and returns the
// skipped body; otherwise it leaves the parser where it was and returns
// nil.
func (p *Parser) skipBody() *lazyBody {
	src := p.lx.src
	start := p.lx.pos // just past the body's first token
	// The first token must start an operand (not ';', def, extern, EOF).
	operand := false // the last token ended an operand
	ident := false   // ... and was an identifier (a '(' after it is a call)
	depth := 0
	// The if, for and var whose then, else or in are still to come: one
	// without its opener ends the body early (the eager parse starts a
	// new item there), so the scan is unsure. A ',' outside parentheses
	// belongs to a for or a var, or ends the body too.
	pendThen, pendElse, pendIn := 0, 0, 0
	switch p.tok.Kind {
	case TokIdent:
		operand, ident = true, true
	case TokNumber:
		if p.tok.Err != "" {
			return nil
		}
		operand = true
	case TokIf:
		pendThen++
	case TokFor, TokVar:
		pendIn++
	case TokChar:
		switch c := p.tok.Ch; {
		case c == '(':
			depth = 1
		case c == ')' || c == ',' || c == ';' || c >= 0x80:
			return nil
		}
	default:
		return nil
	}
	i := start
	end := -1
	// The newlines passed, and the offset of the last: the lexer's line
	// and column at the end without a second pass over the body.
	lines, lastNL := 0, -1
scan:
	for i < len(src) {
		c := src[i]
		// Most blanks are one space between two tokens: passed here
		// without a dispatch of their own (a blank changes no state).
		if c == ' ' {
			i++
			if i == len(src) {
				break
			}
			c = src[i]
		}
		switch scanClass[c] {
		case scBlank:
			i++
			for i < len(src) && scanClass[src[i]] == scBlank {
				i++
			}
		case scNewline:
			lines++
			lastNL = i
			i++
		case scHash:
			k := bytes.IndexByte(src[i:], '\n')
			if k < 0 {
				i = len(src)
			} else {
				i += k
			}
		case scSemi:
			end = i
			break scan
		case scAlpha:
			j := i + 1
			for j < len(src) && scanClass[src[j]]&scNameCont != 0 {
				j++
			}
			// Only names of 2 to 6 letters may be keywords.
			if n := j - i; n >= 2 && n <= 6 {
				switch string(src[i:j]) {
				case "def", "extern":
					end = i
					break scan
				case "then", "else", "in":
					switch src[i] {
					case 't':
						if pendThen == 0 {
							return nil
						}
						pendThen--
						pendElse++
					case 'e':
						if pendElse == 0 {
							return nil
						}
						pendElse--
					default:
						if pendIn == 0 {
							return nil
						}
						pendIn--
					}
					operand, ident = false, false
					i = j
					continue
				case "if", "for", "var":
					if operand {
						return nil
					}
					if src[i] == 'i' {
						pendThen++
					} else {
						pendIn++
					}
					i = j
					continue
				case "binary", "unary":
					return nil
				}
			}
			if operand {
				return nil
			}
			operand, ident = true, true
			i = j
		case scDigit, scDot:
			if operand {
				return nil
			}
			i++
			for i < len(src) && (scanClass[src[i]] == scDigit || src[i] == '.') {
				i++
			}
			operand, ident = true, false
		case scOpen:
			if operand && !ident {
				return nil
			}
			depth++
			operand, ident = false, false
			i++
		case scClose:
			if depth == 0 {
				return nil
			}
			depth--
			operand, ident = true, false
			i++
		case scComma:
			if depth == 0 && pendIn == 0 {
				return nil
			}
			operand, ident = false, false
			i++
		case scHigh:
			return nil
		default:
			// An operator: binary after an operand, else unary.
			if operand && p.prec[c] <= 0 {
				return nil
			}
			operand, ident = false, false
			i++
		}
	}
	if end < 0 {
		end = len(src)
	}
	if depth != 0 || operand == false || pendThen != 0 || pendElse != 0 || pendIn != 0 {
		return nil
	}
	if p.bodySrc == nil {
		p.bodySrc = &bodySource{file: p.file, src: src}
	}
	lb := p.bodies.new()
	// The first token's text is its source text (a name, a number, a
	// keyword or one ASCII character): it starts that many bytes back.
	*lb = lazyBody{src: p.bodySrc, start: start - len(p.tok.Text), end: end, line: p.tok.Pos.Line, col: p.tok.Pos.Col, prec: p.precSnapshot()}
	p.lx.skipScanned(end, lines, lastNL)
	p.next()
	return lb
}

// Byte classes of skipBody's scan. scAlpha and scDigit have the
// scNameCont bit: the bytes that continue a name.
const (
	scOp      = 0 // an operator character (or any other ASCII byte)
	scBlank   = 1
	scNewline = 2
	scHash    = 3
	scSemi    = 4
	scOpen    = 5
	scClose   = 6
	scComma   = 7
	scHigh    = 8 // >= 0x80
	scDot     = 9 // '.' (starts or continues a number, not a name)

	scNameCont = 0x10
	scAlpha    = scNameCont | 1
	scDigit    = scNameCont | 2
)

// scanClass is the class of each byte for skipBody (one table lookup
// instead of a chain of comparisons per byte).
var scanClass = func() (t [256]byte) {
	for c := range 256 {
		switch b := byte(c); {
		case b >= 0x80:
			t[c] = scHigh
		case isAlpha(b):
			t[c] = scAlpha
		case isDigit(b):
			t[c] = scDigit
		}
	}
	t[' '], t['\t'], t['\r'], t['\f'], t['\v'] = scBlank, scBlank, scBlank, scBlank, scBlank
	t['\n'], t['#'], t[';'] = scNewline, scHash, scSemi
	t['('], t[')'], t[','], t['.'] = scOpen, scClose, scComma, scDot
	return t
}()

// skipScanned moves the lexer forward to pos over bytes already scanned,
// which held lines newlines, the last at offset lastNL (-1: none).
func (lx *Lexer) skipScanned(pos, lines, lastNL int) {
	if pos <= lx.pos {
		return
	}
	if lines > 0 {
		lx.line += lines
		lx.col = pos - lastNL
	} else {
		lx.col += pos - lx.pos
	}
	lx.pos = pos
}

// bodyTables holds the interning tables of ParseBody's lexers between
// bodies (a table holds the names and numbers the bodies parsed with it
// used, a few thousand in a large program).
var bodyTables = sync.Pool{New: func() any { return newLexTable(2 * (16 + len(keywords))) }}

// ParseBody parses the body of a definition a parser with lazy bodies
// skipped (SetLazyBodies); it does nothing for a body already parsed. It
// is not safe to call concurrently for one definition, but it is while
// the parser that skipped the body goes on parsing.
func (d *FunctionDef) ParseBody() *Diagnostic {
	if d.lazy == nil || d.Body != nil {
		return nil
	}
	// A table of names of its own: the skipping parser's table
	// may still be in use (on another goroutine). The
	// tables go back to a pool for the next bodies (which mostly use
	// the same names: interning them again allocates nothing).
	t := bodyTables.Get().(*lexTable)
	defer bodyTables.Put(t)
	var lx Lexer
	return d.parseLazyBody(&Parser{lx: &lx}, t)
}

// parseLazyBody parses d's skipped body with q (whose lexer it points at
// the body, interning names in t), keeping q's node arenas and setting.
func (d *FunctionDef) parseLazyBody(q *Parser, t *lexTable) (err *Diagnostic) {
	lb := d.lazy
	*q.lx = Lexer{src: lb.src.src, pos: lb.start, line: lb.line, col: lb.col, names: t}
	q.file, q.prec, q.depth = lb.src.file, *lb.prec, 0
	q.next()
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				b = bailout{&Diagnostic{File: q.file, Pos: q.tok.Pos, Msg: fmt.Sprintf("internal parser error: %v", r)}}
			}
			err = b.d
		}
	}()
	body := q.expression()
	// The scan stopped at the first ';', def or extern (or the end): the
	// body must reach it.
	if q.tok.Kind != TokEOF && q.tok.Kind != TokDef && q.tok.Kind != TokExtern && !q.isChar(';') {
		q.errAt(q.tok.Pos, "expected the end of the definition of '%s', found %v", d.Proto.Name, q.tok)
	}
	d.Body, d.lazy = body, nil
	return nil
}
