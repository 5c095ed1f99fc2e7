package ir

import (
	"bytes"
	"fmt"
	"strings"

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

type lexer struct {
	src       []byte
	pos       int
	line, col int
}

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
			lx.col = 1
		} else {
			lx.col++
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
		lx.col = len(span) - bytes.LastIndexByte(span, '\n')
	} else {
		lx.col += len(span)
	}
	lx.pos = pos
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '$' || c == '.' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// readQuoted reads a "..." string starting at lx.pos (the quote) and
// returns its unescaped bytes.
func (lx *lexer) readQuoted() (string, bool) {
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

func (lx *lexer) next() token {
	// Skip white space and ; comments.
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			lx.advance(1)
		} else if c == ';' {
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance(1)
			}
		} else {
			break
		}
	}
	t := token{line: lx.line, col: lx.col}
	if lx.pos >= len(lx.src) {
		t.kind = tEOF
		return t
	}
	c := lx.src[lx.pos]
	switch {
	case c == '%' || c == '@':
		t.kind = tLocal
		if c == '@' {
			t.kind = tGlobal
		}
		lx.advance(1)
		if lx.peekByte(0) == '"' {
			s, ok := lx.readQuoted()
			if !ok {
				return token{kind: tBad, text: "unterminated quoted name", line: t.line, col: t.col}
			}
			t.text = s
			return t
		}
		start := lx.pos
		for lx.pos < len(lx.src) && isNameChar(lx.src[lx.pos]) {
			lx.advance(1)
		}
		t.text = string(lx.src[start:lx.pos])
		if t.text == "" {
			return token{kind: tBad, text: fmt.Sprintf("expected a name after '%c'", c), line: t.line, col: t.col}
		}
		t.numeric = allDigits(t.text)
		return t
	case c == '"':
		s, ok := lx.readQuoted()
		if !ok {
			return token{kind: tBad, text: "unterminated string", line: t.line, col: t.col}
		}
		if lx.peekByte(0) == ':' {
			lx.advance(1)
			t.kind, t.text = tLabel, s
			return t
		}
		t.kind, t.text = tString, s
		return t
	case c == '!':
		lx.advance(1)
		start := lx.pos
		for lx.pos < len(lx.src) && (isNameChar(lx.src[lx.pos]) || lx.src[lx.pos] == '\\') {
			lx.advance(1)
		}
		if lx.pos == start {
			t.kind, t.text = tPunct, "!"
			return t
		}
		t.kind, t.text = tMeta, string(lx.src[start:lx.pos])
		return t
	case c == '#':
		lx.advance(1)
		start := lx.pos
		for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
			lx.advance(1)
		}
		t.kind, t.text = tAttrRef, string(lx.src[start:lx.pos])
		return t
	case c == '.' && lx.peekByte(1) == '.' && lx.peekByte(2) == '.':
		lx.advance(3)
		t.kind, t.text = tPunct, "..."
		return t
	case isDigit(c) || (c == '-' || c == '+') && (isDigit(lx.peekByte(1))):
		start := lx.pos
		if c == '0' && (lx.peekByte(1) == 'x' || lx.peekByte(1) == 'X') {
			lx.advance(2)
			for lx.pos < len(lx.src) && (isHex(lx.src[lx.pos]) || strings.IndexByte("KLMHR", lx.src[lx.pos]) >= 0 && lx.pos == start+2) {
				lx.advance(1)
			}
			t.kind, t.text = tFloat, string(lx.src[start:lx.pos])
			return t
		}
		lx.advance(1)
		for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
			lx.advance(1)
		}
		if lx.peekByte(0) == ':' && isDigit(c) {
			t.kind, t.text, t.numeric = tLabel, string(lx.src[start:lx.pos]), true
			lx.advance(1)
			return t
		}
		t.kind = tInt
		if lx.peekByte(0) == '.' {
			t.kind = tFloat
			lx.advance(1)
			for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
				lx.advance(1)
			}
		}
		if b := lx.peekByte(0); b == 'e' || b == 'E' {
			off := 1
			if s := lx.peekByte(1); s == '+' || s == '-' {
				off = 2
			}
			if isDigit(lx.peekByte(off)) {
				t.kind = tFloat
				lx.advance(off)
				for lx.pos < len(lx.src) && isDigit(lx.src[lx.pos]) {
					lx.advance(1)
				}
			}
		}
		t.text = string(lx.src[start:lx.pos])
		return t
	case isNameChar(c):
		start := lx.pos
		for lx.pos < len(lx.src) && isNameChar(lx.src[lx.pos]) {
			lx.advance(1)
		}
		t.text = string(lx.src[start:lx.pos])
		if lx.peekByte(0) == ':' {
			lx.advance(1)
			t.kind = tLabel
			t.numeric = allDigits(t.text)
			return t
		}
		if t.text == "c" && lx.peekByte(0) == '"' {
			s, ok := lx.readQuoted()
			if !ok {
				return token{kind: tBad, text: "unterminated string", line: t.line, col: t.col}
			}
			t.kind, t.text = tString, s
			t.numeric = true // marks a c"..." byte string
			return t
		}
		t.kind = tWord
		return t
	case strings.IndexByte("()[]{}<>,=*|", c) >= 0:
		lx.advance(1)
		t.kind, t.text = tPunct, string(c)
		return t
	}
	lx.advance(1)
	return token{kind: tBad, text: fmt.Sprintf("unexpected character %q", c), line: t.line, col: t.col}
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
