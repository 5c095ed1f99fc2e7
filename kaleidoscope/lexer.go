// Package kaleidoscope is the front end for the Kaleidoscope language of
// LLVM's tutorial (chapters 2–7): a lexer and parser that track line and
// column, an AST, diagnostics printed as "FILE:LINE:COL: error: ...", and
// IR generation into gorc's SSA IR (github.com/gorc-jit/gorc/ir).
//
// All values are doubles. The language has def and extern, if/then/else,
// for/in loops with an optional step, var/in, assignment, user-defined
// binary operators with a precedence and unary operators, and # comments.
// After an error the parser resumes at the next top-level item.
//
// Compile turns a whole program into one ir.Module in which every
// top-level expression becomes a function called, in program order, from a
// generated main that prints "Evaluated to %f\n" for each result; the
// module also defines the tutorial's runtime helpers putchard and printd,
// so lli-19 can run it standalone.
package kaleidoscope

import (
	"fmt"
	"strconv"

	"github.com/gorc-jit/gorc/internal/diag"
)

// TokKind is a token's kind.
type TokKind int

// Token kinds. A single character that is none of these (an operator,
// '(', ';', ...) has kind TokChar.
const (
	TokEOF TokKind = iota
	TokDef
	TokExtern
	TokIdent
	TokNumber
	TokIf
	TokThen
	TokElse
	TokFor
	TokIn
	TokBinary
	TokUnary
	TokVar
	TokChar
)

var keywords = map[string]TokKind{
	"def": TokDef, "extern": TokExtern, "if": TokIf, "then": TokThen, "else": TokElse,
	"for": TokFor, "in": TokIn, "binary": TokBinary, "unary": TokUnary, "var": TokVar,
}

// Pos is a source position (1-based line and column).
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Token is one lexical token.
type Token struct {
	Kind TokKind
	Text string  // identifier or the source text of a number / char
	Num  float64 // TokNumber: the value
	Ch   byte    // TokChar: the character
	Pos  Pos
	Err  string // non-empty for an invalid token (the message)
}

func (t Token) String() string {
	switch t.Kind {
	case TokEOF:
		return "end of input"
	case TokIdent:
		return "identifier '" + diag.Clip(t.Text) + "'"
	case TokNumber:
		return "number " + diag.Clip(t.Text)
	case TokChar:
		return "'" + string(rune(t.Ch)) + "'"
	}
	return "'" + diag.Clip(t.Text) + "'"
}

// Lexer splits Kaleidoscope source into tokens.
type Lexer struct {
	src       []byte
	pos       int
	line, col int
	// names interns identifiers and number texts, with their token kind
	// (a keyword's, or TokIdent; TokNumber) and a number's value: a
	// program says the same few names many times, and each token would
	// otherwise copy its text to a new string (and parse a number again);
	// one lookup also tells a keyword. Copies of a lexer (a lazy body's)
	// share it, as they shared the map it replaces.
	names *lexTable
	// sizeEnd, when > 0, is where the lexer's reading ends (a parser's
	// SetEnd): the table of names is sized for the source up to it.
	sizeEnd int
}

// keywordNames holds an entry per keyword, returned by intern before the
// lexer's table is made: the first token of a file (def, mostly) does not
// make it, so a parser whose end is set after its first token (a head
// parsed before segments, SetEnd) sizes its table for its part only.
var keywordNames = func() map[string]*lexName {
	m := make(map[string]*lexName, len(keywords))
	for k, v := range keywords {
		m[k] = &lexName{text: k, kind: v}
	}
	return m
}()

// lexTable is the lexer's interning table: open addressing over indices
// into the entries (a Go map was twice the cost).
type lexTable struct {
	slots []int32 // 0: empty; i: names[i-1]
	names []lexName
	// hot caches the entries found last by the low bits of their hash
	// (0: none; i: names[i-1]): a function says its few names (its
	// parameters and variables, the operators' numbers) again and
	// again, and the slots, sized for the whole program, are mostly
	// out of the first-level cache.
	hot [hotSize]int32
}

// hotSize is the number of entries of lexTable.hot (a power of two).
const hotSize = 64

type lexName struct {
	text string
	kind TokKind
	num  float64 // a TokNumber's value
	bad  bool    // a TokNumber that is not a valid number
}

// charText holds the one-byte strings of the ASCII characters (a TokChar's
// Text).
var charText = func() (t [128]string) {
	for c := range t {
		t[c] = string(rune(c))
	}
	return t
}()

// intern returns the entry of the text of b: its text as a string, the
// same string for the same text (looking it up does not allocate), and
// its kind: a keyword's, or kind (with a number's value when kind is
// TokNumber). The entry must not be kept past the next call.
func (lx *Lexer) intern(b []byte, kind TokKind) *lexName {
	return lx.internHashed(b, fnv1a(b), kind)
}

// internHashed is intern of b whose hash (fnv1a) is h, computed by the
// caller as it scanned b.
func (lx *Lexer) internHashed(b []byte, h uint32, kind TokKind) *lexName {
	t := lx.names
	if t == nil {
		if kind == TokIdent {
			if n := keywordNames[string(b)]; n != nil {
				return n
			}
		}
		// About one new name or number per 256 bytes of a program (the
		// generated 10,000-function program: 10,130 names in 2.6 MB,
		// whether its bodies are parsed or skipped); a program with
		// more grows the table (a rehash), while room never used was
		// zeroed and faulted in all the same (at 128, 540 KB of the
		// 10,000-function program's start-up heap).
		end := len(lx.src)
		if lx.sizeEnd > 0 && lx.sizeEnd < end {
			end = lx.sizeEnd
		}
		t = newLexTable(2 * (16 + len(keywords) + max(end-lx.pos, 0)/256))
		lx.names = t
	}
	hot := &t.hot[h&(hotSize-1)]
	if j := *hot; j != 0 {
		if n := &t.names[j-1]; sameShort(n.text, b) {
			return n
		}
	}
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		j := t.slots[i]
		if j == 0 {
			break
		}
		if n := &t.names[j-1]; n.text == string(b) {
			*hot = j
			return n
		}
	}
	n := t.add(b, kind)
	*hot = int32(len(t.names))
	return n
}

// sameShort reports whether s and b hold the same bytes, comparing the
// few bytes of a short name inline (most names are one to three bytes,
// and a call of the runtime's comparison cost more than the lookup).
func sameShort(s string, b []byte) bool {
	if len(s) != len(b) {
		return false
	}
	if len(b) > 8 {
		return s == string(b)
	}
	for i := range b {
		if s[i] != b[i] {
			return false
		}
	}
	return true
}

// fnv1a is the 32-bit FNV-1a hash of b.
func fnv1a(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// newLexTable returns a table of at least n slots holding the keywords.
func newLexTable(n int) *lexTable {
	// Room for the names the slots are sized for (about n/2), so that
	// the entries are not copied as they grow.
	t := &lexTable{names: make([]lexName, 0, n/2)}
	t.rehash(n)
	for k, v := range keywords {
		t.add([]byte(k), v)
	}
	return t
}

// reset empties t down to the keywords, keeping its memory (the slots it
// has, and its entries' array: an entry is not kept past the next intern).
func (t *lexTable) reset() {
	clear(t.names)
	t.names = t.names[:0]
	clear(t.slots)
	clear(t.hot[:])
	for k, v := range keywords {
		t.add([]byte(k), v)
	}
}

// add puts the text of b in the table (it is not there) with kind.
func (t *lexTable) add(b []byte, kind TokKind) *lexName {
	n := lexName{text: string(b), kind: kind}
	if kind == TokNumber {
		v, err := strconv.ParseFloat(n.text, 64)
		n.num, n.bad = v, err != nil
	}
	t.names = append(t.names, n)
	if 2*len(t.names) > len(t.slots) {
		t.rehash(4 * len(t.names))
	} else {
		t.place(len(t.names) - 1)
	}
	return &t.names[len(t.names)-1]
}

// rehash makes a table of at least n slots (a power of two) for the
// names.
func (t *lexTable) rehash(n int) {
	size := 64
	for size < n {
		size <<= 1
	}
	t.slots = make([]int32, size)
	for i := range t.names {
		t.place(i)
	}
}

// place puts names[i] in its slot.
func (t *lexTable) place(i int) {
	mask := uint32(len(t.slots) - 1)
	for k := fnv1a([]byte(t.names[i].text)) & mask; ; k = (k + 1) & mask {
		if t.slots[k] == 0 {
			t.slots[k] = int32(i + 1)
			return
		}
	}
}

// NewLexer returns a lexer for src.
func NewLexer(src []byte) *Lexer { return &Lexer{src: src, line: 1, col: 1} }

func (lx *Lexer) advance() {
	if lx.pos < len(lx.src) {
		if lx.src[lx.pos] == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
		lx.pos++
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Character classes (charClass): one table lookup per byte of a name or
// number instead of two or four comparisons.
const (
	classAlpha = 1 << iota
	classDigit
	classDot
)

var charClass = func() (t [256]uint8) {
	for c := range t {
		switch b := byte(c); {
		case isAlpha(b):
			t[c] = classAlpha
		case isDigit(b):
			t[c] = classDigit
		case b == '.':
			t[c] = classDot
		}
	}
	return t
}()

// Next returns the next token.
func (lx *Lexer) Next() Token {
	var t Token
	lx.next(&t)
	return t
}

// next sets *t to the next token (the parser's current token, written in
// place: a Token is 72 bytes, and returning it by value copied it twice).
func (lx *Lexer) next(t *Token) {
	// Blanks and comments, with the position kept in locals (advance
	// per byte was a third of the lexer's time).
	src, pos, col := lx.src, lx.pos, lx.col
	for pos < len(src) {
		c := src[pos]
		if c == ' ' { // (most blanks: one comparison)
			col++
			pos++
			continue
		}
		if c > ' ' && c != '#' {
			break // a token's first byte
		}
		switch c {
		case '\n':
			lx.line++
			col = 1
			pos++
			continue
		case ' ', '\t', '\r', '\f', '\v':
			col++
			pos++
			continue
		case '#':
			for pos < len(src) && src[pos] != '\n' {
				col++
				pos++
			}
			continue
		}
		break
	}
	lx.pos, lx.col = pos, col
	// *t = Token{Pos: ...} field by field: every case below sets Kind
	// and Text, and Err is rarely set (zeroing the whole token cleared
	// 72 bytes with a write barrier's check for each of its strings).
	t.Pos, t.Num, t.Ch = Pos{lx.line, col}, 0, 0
	if t.Err != "" {
		t.Err = ""
	}
	if pos >= len(src) {
		t.Kind, t.Text = TokEOF, ""
		return
	}
	c := src[pos]
	start := pos
	switch cl := charClass[c]; {
	case cl == classAlpha:
		// Names and numbers hold no newline: only the column moves.
		// The name is hashed as it is scanned (fnv1a).
		h := (uint32(2166136261) ^ uint32(c)) * 16777619
		end := start + 1
		for ; end < len(src); end++ {
			d := src[end]
			if charClass[d]&(classAlpha|classDigit) == 0 {
				break
			}
			h = (h ^ uint32(d)) * 16777619
		}
		lx.col += end - start
		lx.pos = end
		// The table's hot entry, looked at here (most names are a
		// function's few, said again and again): no call.
		if tb := lx.names; tb != nil {
			if j := tb.hot[h&(hotSize-1)]; j != 0 {
				if n := &tb.names[j-1]; sameShort(n.text, src[start:end]) {
					t.Text, t.Kind = n.text, n.kind
					return
				}
			}
		}
		n := lx.internHashed(src[start:end], h, TokIdent)
		t.Text, t.Kind = n.text, n.kind
		return
	case cl != 0:
		h := (uint32(2166136261) ^ uint32(c)) * 16777619
		end := start + 1
		for ; end < len(src); end++ {
			d := src[end]
			if charClass[d]&(classDigit|classDot) == 0 {
				break
			}
			h = (h ^ uint32(d)) * 16777619
		}
		lx.col += end - start
		lx.pos = end
		if tb := lx.names; tb != nil { // (as for a name)
			if j := tb.hot[h&(hotSize-1)]; j != 0 {
				if n := &tb.names[j-1]; sameShort(n.text, src[start:end]) && !n.bad {
					t.Text, t.Kind, t.Num = n.text, n.kind, n.num
					return
				}
			}
		}
		n := lx.internHashed(src[start:end], h, TokNumber)
		t.Text, t.Kind, t.Num = n.text, n.kind, n.num
		if n.bad {
			t.Err = invalidNumber(t.Text)
		}
		return
	}
	// (c is not a newline, which the loop above took: advance's test
	// for one is not needed.)
	lx.pos++
	lx.col++
	t.Kind, t.Ch = TokChar, c
	if c < 0x80 {
		t.Text = charText[c]
	} else {
		t.Text, t.Err = unexpectedByte(c)
	}
}

// invalidNumber and unexpectedByte are next's error messages, out of
// line: their formatting's arguments made next's frame larger.
//
//go:noinline
func invalidNumber(text string) string {
	return fmt.Sprintf("invalid number '%s'", diag.Clip(text))
}

//go:noinline
func unexpectedByte(c byte) (text, err string) {
	return string(rune(c)), fmt.Sprintf("unexpected byte 0x%02x", c)
}
