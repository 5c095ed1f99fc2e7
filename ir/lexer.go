package ir

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"github.com/gorc-jit/gorc/internal/diag"
)

type tokKind uint8

const (
	tEOF     tokKind = iota
	tLocal           // %name, %"name", %12
	tGlobal          // @name
	tLabel           // name: (a block label definition)
	tWord            // bare keyword or type name: define, double, i32, fadd
	tInt             // 12, -3
	tFloat           // 1.5, -2.0e+10, 0x3FF0000000000000
	tString          // "..." (text holds the unescaped bytes)
	tMeta            // !name, !12
	tAttrRef         // #0
	tPunct           // ( ) [ ] { } < > , = * ! ...
	tBad             // a lexical error; text holds the message
)

type token struct {
	kind      tokKind
	text      string
	numeric   bool // tLocal/tGlobal/tLabel: the name is a number (an unnamed value)
	line, col int
}

// String describes the token for a diagnostic; long names and strings are
// clipped (diag.Clip).
func (t token) String() string {
	text := diag.Clip(t.text)
	switch t.kind {
	case tEOF:
		return "end of file"
	case tLocal:
		return "'%" + text + "'"
	case tGlobal:
		return "'@" + text + "'"
	case tLabel:
		return "label '" + text + ":'"
	case tString:
		return fmt.Sprintf("string %q", text)
	case tMeta:
		return "'!" + text + "'"
	case tAttrRef:
		return "'#" + text + "'"
	}
	return "'" + text + "'"
}

// The lexer keeps the offset where the current line starts instead of a
// column it would have to count byte by byte: a token's column is its
// offset less that (plus one; columns count bytes, as before).
type lexer struct {
	src       []byte
	pos       int
	line      int
	lineStart int // offset of the first byte of line line
}

// col is the column (1-based, in bytes) of offset pos on the current line.
func (lx *lexer) col(pos int) int { return pos - lx.lineStart + 1 }

func (lx *lexer) peekByte(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.pos < len(lx.src); i++ {
		if lx.src[lx.pos] == '\n' {
			lx.line++
			lx.lineStart = lx.pos + 1
		}
		lx.pos++
	}
}

// skipTo moves the lexer forward to pos (at most the end of the source),
// keeping line and column as advance would.
func (lx *lexer) skipTo(pos int) {
	pos = min(pos, len(lx.src))
	if pos <= lx.pos {
		return
	}
	span := lx.src[lx.pos:pos]
	if n := bytes.Count(span, []byte{'\n'}); n > 0 {
		lx.line += n
		lx.lineStart = lx.pos + bytes.LastIndexByte(span, '\n') + 1
	}
	lx.pos = pos
}

// text returns src[start:end] as a string without copying it. Tokens'
// texts alias the source this way: the parser compares and looks them up
// without allocating, and copies (strings.Clone, parser.keep) the few it
// stores in the module. The source must not change while it is parsed
// (nor, for ParseLazy, until its last body is parsed).
func (lx *lexer) text(start, end int) string {
	if end <= start {
		return ""
	}
	return unsafe.String(&lx.src[start], end-start)
}

// Byte classes of the lexer (charClass).
const (
	cName  = 1 << iota // a byte of a bare name: letters, digits, - $ . _
	cDigit             // 0-9
	cHex               // 0-9 a-f A-F
	cPunct             // ( ) [ ] { } < > , = * |
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '$' || b == '.' || b == '_' {
			t[c] |= cName
		}
		if b >= '0' && b <= '9' {
			t[c] |= cDigit | cHex
		}
		if b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			t[c] |= cHex
		}
		if strings.IndexByte("()[]{}<>,=*|", b) >= 0 {
			t[c] |= cPunct
		}
	}
	return t
}()

func isNameChar(c byte) bool { return charClass[c]&cName != 0 }

func isDigit(c byte) bool { return charClass[c]&cDigit != 0 }

func isHex(c byte) bool { return charClass[c]&cHex != 0 }

// scanName returns the end of the run of name bytes from pos.
func (lx *lexer) scanName(pos int) int {
	src := lx.src
	for pos < len(src) && charClass[src[pos]]&cName != 0 {
		pos++
	}
	return pos
}

// scanDigits returns the end of the run of digits from pos.
func (lx *lexer) scanDigits(pos int) int {
	src := lx.src
	for pos < len(src) && charClass[src[pos]]&cDigit != 0 {
		pos++
	}
	return pos
}

// readQuoted reads a "..." string starting at lx.pos (the quote) and
// returns its unescaped bytes: the source's own (text) when the string
// has no escape and no line end, else a copy.
func (lx *lexer) readQuoted() (string, bool) {
	src := lx.src
	if k := bytes.IndexByte(src[lx.pos+1:], '"'); k >= 0 {
		span := src[lx.pos+1 : lx.pos+1+k]
		if bytes.IndexByte(span, '\\') < 0 && bytes.IndexByte(span, '\n') < 0 {
			s := lx.text(lx.pos+1, lx.pos+1+k)
			lx.pos += k + 2
			return s, true
		}
	}
	lx.advance(1)
	var sb strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == '"' {
			lx.advance(1)
			return sb.String(), true
		}
		if c == '\\' && isHex(lx.peekByte(1)) && isHex(lx.peekByte(2)) {
			sb.WriteByte(hexVal(lx.peekByte(1))<<4 | hexVal(lx.peekByte(2)))
			lx.advance(3)
			continue
		}
		if c == '\\' && lx.peekByte(1) == '\\' {
			sb.WriteByte('\\')
			lx.advance(2)
			continue
		}
		sb.WriteByte(c)
		lx.advance(1)
	}
	return sb.String(), false
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// next reads the next token into t (in place: a token is five words).
func (lx *lexer) next(t *token) {
	// Skip white space and ; comments.
	src := lx.src
	pos := lx.pos
	for pos < len(src) {
		c := src[pos]
		if c == ' ' || c == '\t' || c == '\r' {
			pos++
		} else if c == '\n' {
			pos++
			lx.line++
			lx.lineStart = pos
		} else if c == ';' {
			if k := bytes.IndexByte(src[pos:], '\n'); k >= 0 {
				pos += k
			} else {
				pos = len(src)
			}
		} else {
			break
		}
	}
	lx.pos = pos
	*t = token{line: lx.line, col: lx.col(pos)}
	if pos >= len(src) {
		t.kind = tEOF
		return
	}
	c := src[pos]
	switch {
	case c == '%' || c == '@':
		t.kind = tLocal
		if c == '@' {
			t.kind = tGlobal
		}
		lx.pos++
		if lx.peekByte(0) == '"' {
			s, ok := lx.readQuoted()
			if !ok {
				*t = token{kind: tBad, text: "unterminated quoted name", line: t.line, col: t.col}
				return
			}
			t.text = s
			return
		}
		start := lx.pos
		lx.pos = lx.scanName(start)
		if lx.pos == start {
			*t = token{kind: tBad, text: fmt.Sprintf("expected a name after '%c'", c), line: t.line, col: t.col}
			return
		}
		t.text = lx.text(start, lx.pos)
		t.numeric = allDigits(t.text)
		return
	case c == '"':
		s, ok := lx.readQuoted()
		if !ok {
			*t = token{kind: tBad, text: "unterminated string", line: t.line, col: t.col}
			return
		}
		if lx.peekByte(0) == ':' {
			lx.pos++
			t.kind, t.text = tLabel, s
			return
		}
		t.kind, t.text = tString, s
		return
	case c == '!':
		lx.pos++
		start := lx.pos
		for lx.pos < len(src) && (isNameChar(src[lx.pos]) || src[lx.pos] == '\\') {
			lx.pos++
		}
		if lx.pos == start {
			t.kind, t.text = tPunct, "!"
			return
		}
		t.kind, t.text = tMeta, lx.text(start, lx.pos)
		return
	case c == '#':
		lx.pos++
		start := lx.pos
		lx.pos = lx.scanDigits(start)
		t.kind, t.text = tAttrRef, lx.text(start, lx.pos)
		return
	case c == '.' && lx.peekByte(1) == '.' && lx.peekByte(2) == '.':
		lx.pos += 3
		t.kind, t.text = tPunct, "..."
		return
	case isDigit(c) || (c == '-' || c == '+') && (isDigit(lx.peekByte(1))):
		start := pos
		if c == '0' && (lx.peekByte(1) == 'x' || lx.peekByte(1) == 'X') {
			lx.pos += 2
			for lx.pos < len(src) && (isHex(src[lx.pos]) || strings.IndexByte("KLMHR", src[lx.pos]) >= 0 && lx.pos == start+2) {
				lx.pos++
			}
			t.kind, t.text = tFloat, lx.text(start, lx.pos)
			return
		}
		lx.pos = lx.scanDigits(pos + 1)
		if lx.peekByte(0) == ':' && isDigit(c) {
			t.kind, t.text, t.numeric = tLabel, lx.text(start, lx.pos), true
			lx.pos++
			return
		}
		t.kind = tInt
		if lx.peekByte(0) == '.' {
			t.kind = tFloat
			lx.pos = lx.scanDigits(lx.pos + 1)
		}
		if b := lx.peekByte(0); b == 'e' || b == 'E' {
			off := 1
			if s := lx.peekByte(1); s == '+' || s == '-' {
				off = 2
			}
			if isDigit(lx.peekByte(off)) {
				t.kind = tFloat
				lx.pos = lx.scanDigits(lx.pos + off)
			}
		}
		t.text = lx.text(start, lx.pos)
		return
	case isNameChar(c):
		start := pos
		lx.pos = lx.scanName(pos)
		t.text = lx.text(start, lx.pos)
		if lx.peekByte(0) == ':' {
			lx.pos++
			t.kind = tLabel
			t.numeric = allDigits(t.text)
			return
		}
		if t.text == "c" && lx.peekByte(0) == '"' {
			s, ok := lx.readQuoted()
			if !ok {
				*t = token{kind: tBad, text: "unterminated string", line: t.line, col: t.col}
				return
			}
			t.kind, t.text = tString, s
			t.numeric = true // marks a c"..." byte string
			return
		}
		t.kind = tWord
		return
	case charClass[c]&cPunct != 0:
		lx.pos++
		t.kind, t.text = tPunct, lx.text(pos, pos+1)
		return
	}
	lx.advance(1)
	*t = token{kind: tBad, text: fmt.Sprintf("unexpected character %q", c), line: t.line, col: t.col}
	return
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
