package kaleidoscope

import "bytes"

// ItemStart returns the offset of the first line at or after off (off
// itself if a line starts there) that begins with the keyword def, or -1.
// A top-level item starts there whatever comes before it: no token spans
// a line (comments run to the end of theirs, there are no strings), and
// the parser never takes def as part of an item (it ends the item, or an
// item in error is skipped up to it). So the items of src are those of
// [0, s) followed by those of [s, len(src)) when a parser of the second
// part starts with the precedences in force at s (Segment, SetEnd).
func ItemStart(src []byte, off int) int {
	if off < 0 {
		off = 0
	}
	for off <= len(src)-3 {
		if (off == 0 || src[off-1] == '\n') && src[off] == 'd' && src[off+1] == 'e' && src[off+2] == 'f' &&
			(off+3 == len(src) || !isAlpha(src[off+3]) && !isDigit(src[off+3])) {
			return off
		}
		i := bytes.Index(src[off:], []byte("\ndef"))
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return -1
}

// Segment returns a parser of the items of p's source from off to end
// (end < 0: to the end of the source), both ItemStart offsets (or 0 and
// the source's length): p's file, lazy-bodies setting and current
// precedences, a lexer table of its own (made by its parse), and
// positions counted from the start of the source. Parsers of
// consecutive segments give the items a parser of the whole source
// gives, in order, when each starts with the precedences in force at its
// start (an operator defined in an earlier segment changes them). It may
// be used on another goroutine than p.
func (p *Parser) Segment(off, end int) *Parser {
	src := p.lx.src
	if end < 0 || end > len(src) {
		end = len(src)
	}
	line := 1 + bytes.Count(src[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
	lx := &Lexer{src: src, pos: off, line: line, col: col}
	// The lexer's table, sized for the segment, is made by the first name
	// its parse meets (intern; a segment's first token is def), on the
	// goroutine that parses it: made here, the tables of all the segments
	// were made one after the other before any parse started.
	lx.sizeEnd = end
	q := &Parser{file: p.file, lx: lx, prec: p.prec, lazy: p.lazy}
	if end < len(src) {
		q.end = end
	}
	q.next()
	return q
}

// SetEnd makes Next report the end of input at the item starting at end
// (an ItemStart offset): p parses the items before end only. A lexer
// table not made yet is sized for the part up to end.
func (p *Parser) SetEnd(end int) {
	p.end = end
	p.lx.sizeEnd = end
}

// Precedences returns the binary operators' precedences in force (by
// operator character; 0: not a binary operator).
func (p *Parser) Precedences() [256]int16 { return p.prec }

// atEnd reports whether the current token is at or past the end SetEnd
// set (it is a def there: an item starts at the end).
func (p *Parser) atEnd() bool {
	return p.end > 0 && p.tok.Kind == TokDef && p.lx.pos-len("def") >= p.end
}
