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
	if len(bp.t.names) > bodyTableMax {
		bp.t.reset()
	}
	return d.parseLazyBody(q, bp.t)
}

// bodyTableMax bounds the names and numbers a BodyParser's table holds
// between bodies. Each body adds the names it uses that are not there
// yet (its callees', mostly), so a table kept for a whole run of first
// calls grew to every name of the program (thousands of entries, hundreds
// of KiB of slots and entries), and a body's few lookups each missed the
// caches, evicted between two first calls by the link, the session and
// the JIT'd code. Started afresh once past this size, it stays small
// enough to be found in the caches, at the cost of interning a body's
// common names again (a string each) every few dozen bodies.
const bodyTableMax = 256
