package worker

import (
	"bytes"
	"strings"

	"github.com/gorc-jit/gorc/ir"
)

// MaxPartBytes is the size of definitions' text SplitSource puts in one
// part at most (it makes more parts than asked rather than larger ones):
// a quarter of the protocol's largest frame.
const MaxPartBytes = 16 << 20

// SplitSource cuts an IR module's source into k requests (more when a
// part would hold over MaxPartBytes of definitions) without
// parsing and printing the function bodies: ir.ParseLazy reads the
// module's symbols (skipping bodies), the definitions' text is sliced out
// of src as written, and each part's text is everything of the module
// that is not a definition (header, globals, declarations, attributes),
// declarations of the functions other parts define, and its own
// definitions. The first part defines the globals; the others are
// compiled with OmitGlobals. Parts are runs of consecutive definitions of
// about equal size in bytes.
//
// ok is false when the source does not lend itself to slicing (a
// definition not at the start of a line, a name the scan reads otherwise
// than the parser, internal
// symbols when noInternal is set, anything the scan and the
// parser disagree on): the caller then parses the module and uses Split,
// which handles every module ir.Parse reads. A parse error is returned as
// ir.ParseLazy reports it.
func SplitSource(name string, src []byte, k int, triple string, level int, noInternal bool) (reqs []*Request, ok bool, err error) {
	m, lb, err := ir.ParseLazy(name, src)
	if err != nil {
		return nil, false, err
	}
	defined := map[string]*ir.Function{}
	for _, f := range m.Funcs {
		if lb.Pending(f) {
			defined[f.Name] = f
			if noInternal && (f.Linkage == ir.Internal || f.Linkage == ir.Private) {
				return nil, false, nil
			}
		}
	}
	if noInternal {
		for _, g := range m.Globals {
			if g.Init != nil && (g.Linkage == ir.Internal || g.Linkage == ir.Private) {
				return nil, false, nil
			}
		}
	}
	type def struct {
		name       string
		start, end int
	}
	var defs []def
	var rest bytes.Buffer
	declaredInRest := map[string]bool{}
	pos := 0
	for pos < len(src) {
		eol := bytes.IndexByte(src[pos:], '\n')
		lineEnd := len(src)
		if eol >= 0 {
			lineEnd = pos + eol + 1
		}
		line := src[pos:lineEnd]
		switch {
		case bytes.HasPrefix(line, []byte("define ")):
			n, good := headerName(line)
			if !good || defined[n] == nil {
				return nil, false, nil
			}
			end, good := definitionEnd(src, pos)
			if !good {
				return nil, false, nil
			}
			defs = append(defs, def{n, pos, end})
			pos = end
			continue
		case bytes.HasPrefix(line, []byte("declare ")):
			n, good := headerName(line)
			if !good {
				return nil, false, nil
			}
			declaredInRest[n] = true
		}
		rest.Write(line)
		pos = lineEnd
	}
	if len(defs) != len(defined) {
		return nil, false, nil
	}
	total := 0
	for _, d := range defs {
		total += d.end - d.start
	}
	// More parts than asked when the parts would be too large to send
	// comfortably (a frame holds at most wire.MaxPayload).
	k = max(k, 1, (total+MaxPartBytes-1)/MaxPartBytes)
	k = min(k, max(len(defs), 1))
	// Cut into runs of about total/k bytes.
	var cuts [][]def
	var cur []def
	size, done := 0, 0
	for i, d := range defs {
		cur = append(cur, d)
		size += d.end - d.start
		left, want := len(defs)-i-1, k-len(cuts)-1
		if want > 0 && left >= want && (done+size)*k >= total*(len(cuts)+1) {
			cuts = append(cuts, cur)
			done += size
			cur, size = nil, 0
		}
	}
	if len(cur) > 0 || len(cuts) == 0 {
		cuts = append(cuts, cur)
	}
	for i, part := range cuts {
		mine := map[string]bool{}
		for _, d := range part {
			mine[d.name] = true
		}
		var sb strings.Builder
		sb.Grow(rest.Len() + total/len(cuts) + 64*len(defs))
		sb.Write(rest.Bytes())
		for _, d := range defs {
			if mine[d.name] || declaredInRest[d.name] {
				continue
			}
			f := defined[d.name]
			decl := &ir.Function{Name: f.Name, Sig: f.Sig, Params: f.Params, Attrs: f.Attrs}
			sb.WriteByte('\n')
			sb.WriteString(decl.String())
		}
		only := make([]string, len(part))
		for j, d := range part {
			sb.WriteByte('\n')
			sb.Write(src[d.start:d.end])
			only[j] = d.name
		}
		reqs = append(reqs, &Request{Name: name, Triple: triple, OptLevel: level, Only: only, OmitGlobals: i > 0, IR: []byte(sb.String())})
	}
	return reqs, true, nil
}

// headerName returns the function name of a define/declare line: the
// identifier after the first '@', up to '(', or a quoted one (@"a b",
// with \XX escapes), as the parser names it.
func headerName(line []byte) (string, bool) {
	at := bytes.IndexByte(line, '@')
	if at < 0 || at+1 >= len(line) {
		return "", false
	}
	if line[at+1] == '"' {
		rest := line[at+2:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return "", false
		}
		raw := rest[:q]
		var sb strings.Builder
		for i := 0; i < len(raw); i++ {
			if raw[i] != '\\' {
				sb.WriteByte(raw[i])
				continue
			}
			if i+2 >= len(raw) || !isHexDigit(raw[i+1]) || !isHexDigit(raw[i+2]) {
				return "", false
			}
			sb.WriteByte(hexDigit(raw[i+1])<<4 | hexDigit(raw[i+2]))
			i += 2
		}
		return sb.String(), sb.Len() > 0
	}
	paren := bytes.IndexByte(line[at:], '(')
	if paren < 0 {
		return "", false
	}
	n := string(line[at+1 : at+paren])
	if n == "" || strings.ContainsAny(n, " \t") {
		return "", false
	}
	return n, true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexDigit(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// definitionEnd returns the offset just past the line holding the '}'
// that closes the definition starting at start: braces in comments and
// quoted strings do not count.
func definitionEnd(src []byte, start int) (int, bool) {
	depth := 0
	opened := false
	for i := start; i < len(src); i++ {
		switch src[i] {
		case ';':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '"':
			i++
			for i < len(src) && src[i] != '"' {
				i++
			}
		case '{':
			depth++
			opened = true
		case '}':
			depth--
			if opened && depth == 0 {
				end := i + 1
				if nl := bytes.IndexByte(src[end:], '\n'); nl >= 0 {
					end += nl + 1
				} else {
					end = len(src)
				}
				return end, true
			}
		}
	}
	return 0, false
}
