package kaleidoscope

// BodyParser parses the bodies a parser with lazy bodies skipped, one at
// a time, into syntax trees whose nodes it recycles: the tree of the body
// parsed last is valid only until the next ParseBodyWith with the same
// BodyParser. A lazy JIT that generates a body's IR right after parsing
// it, and drops the tree once the function is compiled, keeps one per
// compiler instead of allocating every node of every body afresh (about
// 70 nodes, 40% of a lazy compile's allocations, for the functions of
// the synthetic program).
//
// A BodyParser is not safe for concurrent use.
type BodyParser struct {
	p  Parser
	lx Lexer
	t  *lexTable
}

// NewBodyParser returns a BodyParser.
func NewBodyParser() *BodyParser {
	bp := &BodyParser{t: newLexTable(2 * (16 + len(keywords)))}
	bp.p.lx = &bp.lx
	bp.p.reuse = true
	return bp
}

// ParseBodyWith is ParseBody with the nodes of bp: d's body, if it was
// skipped, is parsed into nodes that bp takes back at its next use, so d
// (and its body) must not be used after that. A body already parsed is
// left alone.
func (d *FunctionDef) ParseBodyWith(bp *BodyParser) *Diagnostic {
	if d.lazy == nil || d.Body != nil {
		return nil
	}
	q := &bp.p
	q.resetNodes()
	q.dropStacks()
	return d.parseLazyBody(q, bp.t)
}
