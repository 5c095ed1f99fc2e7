package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// callbr: asm goto. clang-19 writes `asm goto` (the Linux kernel's
// static keys and feature tests, user code's fast paths) as
//
//	%r = callbr T asm "...${2:l}...", "=r,r,!i,..."(args)
//	        to label %fallthrough [label %target, ...]
//
// where each "!i" constraint is a label operand (numbered with the
// others, not passed as an argument) and the outputs are valid on every
// edge. The parser lowers it to a call of inline asm the backend already
// compiles, plus a switch: the template's references to label k jump to
// a local label at the end that sets one more output, the selector, to
// k (0 when the template falls through), and the call's block ends with
// switch selector, label %fallthrough [1, label %target1 ...]. The
// outputs are the call's results, so they hold on every edge as callbr
// requires; the cost is a mov and a jmp on each path and the switch's
// compare.

// callBrLabel is the name of the template's local label for indirect
// destination k (1-based); callBrEnd ends the selector's code.
func callBrLabel(k int) string { return "gorc_callbr_" + strconv.Itoa(k) }

const callBrEnd = "gorc_callbr_end"

// callBrAsm rewrites the template and constraints of an asm goto: label
// operands ("!i") become local labels setting a new output (the
// selector, after the last output); the other operands are renumbered.
// It returns the new template and constraints and the number of labels.
func callBrAsm(tmpl, cons string, intel bool) (string, string, int, error) {
	parts := strings.Split(cons, ",")
	var keep []string
	newNum := map[int]int{} // old operand number -> new, for non-labels
	label := map[int]int{}  // old operand number -> label index (1-based)
	nout := 0
	for _, c := range parts {
		if strings.HasPrefix(c, "=") {
			nout++
		}
	}
	old, next := 0, 0
	for _, c := range parts {
		switch {
		case strings.HasPrefix(c, "~"):
			keep = append(keep, c)
			continue
		case c == "!i":
			label[old] = len(label) + 1
		default:
			if next == nout {
				next++ // the selector's number
			}
			newNum[old] = next
			next++
			keep = append(keep, c)
		}
		old++
	}
	if len(label) == 0 {
		return "", "", 0, fmt.Errorf("callbr without label operands (\"!i\" constraints)")
	}
	// The selector: one more output, after the last.
	sel := nout
	cs := append(append(append([]string(nil), keep[:nout]...), "=r"), keep[nout:]...)
	var sb strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '$' || i+1 == len(tmpl) {
			sb.WriteByte(c)
			continue
		}
		d := tmpl[i+1]
		switch {
		case d == '$':
			sb.WriteString("$$")
			i++
		case d >= '0' && d <= '9':
			j := i + 1
			for j < len(tmpl) && tmpl[j] >= '0' && tmpl[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(tmpl[i+1 : j])
			if k, ok := label[n]; ok {
				sb.WriteString(callBrLabel(k))
			} else if m, ok := newNum[n]; ok {
				sb.WriteString("$" + strconv.Itoa(m))
			} else {
				return "", "", 0, fmt.Errorf("template operand $%d does not exist", n)
			}
			i = j - 1
		case d == '{':
			j := strings.IndexByte(tmpl[i:], '}')
			if j < 0 {
				return "", "", 0, fmt.Errorf("template has an unterminated ${")
			}
			body := tmpl[i+2 : i+j]
			num, mod, _ := strings.Cut(body, ":")
			n, err := strconv.Atoi(num)
			if err != nil {
				return "", "", 0, fmt.Errorf("template operand ${%s} is not supported", body)
			}
			if k, ok := label[n]; ok {
				if mod != "" && mod != "l" {
					return "", "", 0, fmt.Errorf("label operand ${%s}: modifier %q is not supported", body, mod)
				}
				sb.WriteString(callBrLabel(k))
			} else if m, ok := newNum[n]; ok {
				if mod != "" {
					sb.WriteString("${" + strconv.Itoa(m) + ":" + mod + "}")
				} else {
					sb.WriteString("$" + strconv.Itoa(m))
				}
			} else {
				return "", "", 0, fmt.Errorf("template operand ${%s} does not exist", body)
			}
			i += j
		default:
			sb.WriteByte(c)
		}
	}
	s := "$" + strconv.Itoa(sel)
	set := func(k int) string { return fmt.Sprintf("movl $$%d, %s", k, s) }
	if intel {
		set = func(k int) string { return fmt.Sprintf("mov %s, %d", s, k) }
	}
	fmt.Fprintf(&sb, "\n\t%s\n\tjmp %s", set(0), callBrEnd)
	for k := 1; k <= len(label); k++ {
		fmt.Fprintf(&sb, "\n%s:\n\t%s", callBrLabel(k), set(k))
		if k < len(label) {
			fmt.Fprintf(&sb, "\n\tjmp %s", callBrEnd)
		}
	}
	fmt.Fprintf(&sb, "\n%s:", callBrEnd)
	return sb.String(), strings.Join(cs, ","), len(label), nil
}

// callBr finishes a callbr read as a call up to its destinations (in,
// of source result type srcRet): it reads the destinations and queues
// the call of the rewritten asm, the extractvalues of its results and
// the switch on the selector in p.emit, the result in p.aggRes.
func (p *parser) callBr(in *Instr, at token, srcRet *Type) {
	ia, ok := in.Ops[0].(*InlineAsm)
	if !ok {
		p.failAt(at, "callbr of '%s' is not supported (only of inline asm: asm goto)", in.Ops[0].Ident())
	}
	p.expectWord("to")
	p.expectWord("label")
	def := p.parseLabelRef()
	p.expectPunct("[")
	var dests []*Block
	for !p.isPunct("]") {
		if len(dests) > 0 {
			p.expectPunct(",")
		}
		p.expectWord("label")
		dests = append(dests, p.parseLabelRef())
	}
	p.next() // ']'
	tmpl, cons, n, err := callBrAsm(ia.Template, ia.Constraints, ia.Intel)
	if err != nil {
		p.failAt(at, "asm goto: %v", err)
	}
	if n != len(dests) {
		p.failAt(at, "callbr has %d label operands but %d indirect destinations", n, len(dests))
	}
	ops, err := ParseAsmConstraints(cons)
	if err != nil {
		p.failAt(at, "asm goto: %v", err)
	}
	var fields []*Type
	switch {
	case srcRet.IsVoid():
	case flatStruct(srcRet):
		fields = append(fields, srcRet.Fields...)
	case srcRet.IsInt() && srcRet.Bits <= 64 || srcRet.IsPtr():
		fields = []*Type{srcRet}
	default:
		p.failAt(at, "callbr returning '%v' is not supported", srcRet)
	}
	ret := StructType(append(append([]*Type(nil), fields...), I32), false)
	in.Ops[0] = &InlineAsm{Template: tmpl, Constraints: cons, SideEffect: true, AlignStack: ia.AlignStack, Intel: ia.Intel, Ops: ops}
	in.Typ = ret
	in.FnType = FuncType(ret, in.FnType.Params, false)
	p.checkAsmCall(in, at)
	p.emit = append(p.emit, in)
	leaves := make([]Value, len(fields))
	for i, f := range fields {
		leaves[i] = p.emitInstr(OpExtractValue, f, in, p.constInt(I32, int64(i)))
	}
	sel := p.emitInstr(OpExtractValue, I32, in, p.constInt(I32, int64(len(fields))))
	sw := &pendingSwitch{cond: sel, tok: at}
	for k, d := range dests {
		sw.vals = append(sw.vals, p.constInt(I32, int64(k+1)))
		sw.dests = append(sw.dests, d)
	}
	br := p.arena.alloc()
	*br = Instr{Op: OpBr, Typ: Void}
	br.blkBuf[0] = def
	br.Blocks = br.blkBuf[:1:1]
	sw.br = br
	p.switches = append(p.switches, sw)
	p.emit = append(p.emit, br)
	switch {
	case srcRet.IsVoid():
	case len(leaves) == 1 && !flatStruct(srcRet):
		p.aggRes = leaves[0]
	default:
		p.aggRes = &aggValue{typ: srcRet, leaves: leaves}
	}
}
