package asm

import (
	"fmt"
	"strconv"
	"strings"
)

// Intel syntax. LLVM's `asm inteldialect` (clang's -masm=intel, and
// MS-style `__asm { ... }` blocks under -fasm-blocks) writes templates
// as GNU as's `.intel_syntax noprefix` does: destination first, bare
// register names, immediates without `$`, memory as `dword ptr [base +
// index*scale + disp]`. IntelToATT translates each statement into the
// AT&T statement ATT assembles (operands reversed, `%` and `$` added,
// the memory operand rewritten, a size suffix when only a `ptr` gives
// the size, movzx/movsx and the Intel names of the conversions renamed),
// so both dialects share one encoder and its checks against llvm-mc-19.
// Registers written with `%` and immediates with `$` are accepted too
// (operands substituted by the backend and `$$N` in MS blocks).

// intelSuffix is the AT&T suffix of an operand size.
var intelSuffix = map[Size]string{1: "b", 2: "w", 4: "l", 8: "q"}

// intelRenames are mnemonics spelled differently in the two syntaxes.
var intelRenames = map[string]string{
	"cbw": "cbtw", "cwde": "cwtl", "cdqe": "cltq", "cwd": "cwtd", "cdq": "cltd", "cqo": "cqto",
	"movsxd": "movslq",
}

// intelStringOps are the string instructions whose Intel names end in a
// size letter AT&T writes differently (d -> l); without operands only.
var intelStringOps = map[string]string{
	"movsd": "movsl", "stosd": "stosl", "lodsd": "lodsl", "scasd": "scasl", "cmpsd": "cmpsl",
}

// intelSuffixed are the mnemonics that take a size suffix in AT&T when
// no register operand gives the size.
var intelSuffixed = map[string]bool{
	"mov": true, "add": true, "or": true, "adc": true, "sbb": true, "and": true, "sub": true, "xor": true, "cmp": true,
	"test": true, "inc": true, "dec": true, "not": true, "neg": true, "mul": true, "imul": true, "div": true, "idiv": true,
	"shl": true, "shr": true, "sal": true, "sar": true, "rol": true, "ror": true, "rcl": true, "rcr": true,
	"xchg": true, "xadd": true, "cmpxchg": true, "bt": true, "bts": true, "btr": true, "btc": true, "push": true, "pop": true,
}

// intelOp is one operand read from Intel text.
type intelOp struct {
	att  string // the AT&T spelling
	kind attKind
	sz   Size // a register's size, or a memory operand's ptr size (0 if none)
}

// IntelToATT translates Intel-syntax assembly (see the top of this file)
// into AT&T syntax, statement by statement; labels, local-label jumps
// ("jne 1b") and comments carry over.
func IntelToATT(text string) (string, error) {
	var out []string
	for ln, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		var stmts []string
		for _, s := range strings.Split(line, ";") {
			t, err := intelStmt(strings.TrimSpace(s))
			if err != nil {
				return "", fmt.Errorf("line %d: %q: %v", ln+1, strings.TrimSpace(s), err)
			}
			stmts = append(stmts, t)
		}
		out = append(out, strings.Join(stmts, "; "))
	}
	return strings.Join(out, "\n"), nil
}

// Intel assembles Intel-syntax text (IntelToATT, then ATT).
func (a *Assembler) Intel(text string) error {
	t, err := IntelToATT(text)
	if err != nil {
		return err
	}
	return a.ATT(t)
}

func isLabelName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func intelStmt(s string) (string, error) {
	var labels string
	for {
		i := strings.IndexByte(s, ':')
		if i <= 0 || !isLabelName(s[:i]) {
			break
		}
		labels += s[:i+1] + " "
		s = strings.TrimSpace(s[i+1:])
	}
	if s == "" || strings.HasPrefix(s, ".") {
		return strings.TrimSpace(labels + s), nil
	}
	mn, rest, _ := strings.Cut(strings.ReplaceAll(s, "\t", " "), " ")
	mn = strings.ToLower(mn)
	rest = strings.TrimSpace(rest)
	switch mn {
	case "lock", "rep", "repe", "repz", "repne", "repnz":
		if rest == "" {
			return labels + mn, nil
		}
		t, err := intelStmt(rest)
		return labels + mn + " " + t, err
	}
	if rest == "" {
		if r, ok := intelStringOps[mn]; ok {
			return labels + r, nil
		}
		if r, ok := intelRenames[mn]; ok {
			return labels + r, nil
		}
		return labels + mn, nil
	}
	var ops []intelOp
	for _, f := range splitOperands(rest) {
		o, err := intelOperand(strings.TrimSpace(f), mn)
		if err != nil {
			return "", err
		}
		ops = append(ops, o)
	}
	if r, ok := intelRenames[mn]; ok {
		mn = r
	}
	switch mn {
	case "movzx", "movsx":
		if len(ops) != 2 || ops[0].kind != atReg || ops[1].sz == 0 {
			return "", fmt.Errorf("%s takes a register and a sized source", mn)
		}
		mn = mn[:4] + intelSuffix[ops[1].sz] + intelSuffix[ops[0].sz]
	default:
		// The size from a ptr when no register gives it (a shift's
		// count in cl does not).
		var msz Size
		hasReg := false
		for i, o := range ops {
			switch {
			case o.kind == atMem && o.sz != 0:
				msz = o.sz
			case o.kind == atReg && !(i == 1 && o.att == "%cl"):
				hasReg = true
			}
		}
		if msz != 0 && !hasReg && intelSuffixed[mn] {
			mn += intelSuffix[msz]
		}
	}
	atts := make([]string, len(ops))
	for i, o := range ops {
		atts[len(ops)-1-i] = o.att
	}
	return labels + mn + " " + strings.Join(atts, ", "), nil
}

// splitOperands splits at the commas outside brackets.
func splitOperands(s string) []string {
	var fs []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 {
				fs = append(fs, s[start:i])
				start = i + 1
			}
		}
	}
	return append(fs, s[start:])
}

// intelNumber reads a number: decimal, 0x hex, or hex ending in h;
// optionally signed, optionally with a leading '$'.
func intelNumber(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	if s == "" {
		return 0, false
	}
	var v uint64
	var err error
	ls := strings.ToLower(s)
	switch {
	case strings.HasPrefix(ls, "0x"):
		v, err = strconv.ParseUint(ls[2:], 16, 64)
	case strings.HasSuffix(ls, "h") && ls[0] >= '0' && ls[0] <= '9':
		v, err = strconv.ParseUint(ls[:len(ls)-1], 16, 64)
	default:
		v, err = strconv.ParseUint(ls, 10, 64)
	}
	if err != nil {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

var intelPtr = map[string]Size{"byte": 1, "word": 2, "dword": 4, "qword": 8, "xmmword": 16}

func intelReg(s string) (attRegInfo, bool) {
	ri, ok := attTabs().reg[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "%"))]
	return ri, ok
}

func intelOperand(s, mn string) (intelOp, error) {
	low := strings.ToLower(s)
	var sz Size
	for w, n := range intelPtr {
		if strings.HasPrefix(low, w+" ptr") {
			sz = n
			s = strings.TrimSpace(s[len(w)+4:])
			low = strings.ToLower(s)
			break
		}
	}
	if strings.HasPrefix(low, "offset ") {
		return intelOp{}, fmt.Errorf("offset operands (symbol addresses) are not supported")
	}
	if i := strings.IndexByte(s, '['); i >= 0 {
		return intelMem(s, i, sz)
	}
	if strings.HasPrefix(s, "(") || strings.Contains(s, "(%") {
		// An AT&T memory operand substituted into an Intel template.
		return intelOp{att: s, kind: atMem, sz: sz}, nil
	}
	if sz != 0 {
		return intelOp{}, fmt.Errorf("%q: a ptr size needs a memory operand", s)
	}
	if ri, ok := intelReg(s); ok {
		name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "%"))
		return intelOp{att: "%" + name, kind: atReg, sz: ri.sz}, nil
	}
	if v, ok := intelNumber(s); ok {
		if strings.HasPrefix(mn, "j") || mn == "call" {
			return intelOp{}, fmt.Errorf("jumps to addresses are not supported")
		}
		return intelOp{att: "$" + strconv.FormatInt(v, 10), kind: atImm}, nil
	}
	if isLabelName(s) {
		return intelOp{att: s, kind: atLabel}, nil
	}
	return intelOp{}, fmt.Errorf("operand %q is not supported", s)
}

// intelMem rewrites [base + index*scale + disp] (with a displacement
// before or after the brackets) as
// disp(base,index,scale).
func intelMem(s string, open int, sz Size) (intelOp, error) {
	close := strings.LastIndexByte(s, ']')
	if close < open {
		return intelOp{}, fmt.Errorf("%q: unterminated [", s)
	}
	pre, inner, post := strings.TrimSpace(s[:open]), s[open+1:close], strings.TrimSpace(s[close+1:])
	if strings.IndexByte(pre, ':') >= 0 {
		return intelOp{}, fmt.Errorf("%q: segment overrides are not supported (nor in AT&T templates)", s)
	}
	var disp int64
	if pre != "" {
		v, ok := intelNumber(pre)
		if !ok {
			return intelOp{}, fmt.Errorf("%q: displacement %q is not supported", s, pre)
		}
		disp += v
	}
	if post != "" {
		v, ok := intelNumber(post)
		if !ok {
			return intelOp{}, fmt.Errorf("%q: displacement %q is not supported", s, post)
		}
		disp += v
	}
	base, index, scale := "", "", int64(0)
	// Terms separated by + and - (a - only before a number).
	expr := strings.ReplaceAll(inner, " ", "")
	expr = strings.ReplaceAll(expr, "\t", "")
	var terms []string
	start := 0
	for i := 1; i < len(expr); i++ {
		if expr[i] == '+' || expr[i] == '-' {
			terms = append(terms, expr[start:i])
			start = i
		}
	}
	terms = append(terms, expr[start:])
	for _, t := range terms {
		neg := strings.HasPrefix(t, "-")
		t = strings.TrimPrefix(strings.TrimPrefix(t, "+"), "-")
		if t == "" {
			return intelOp{}, fmt.Errorf("%q: empty term", s)
		}
		if v, ok := intelNumber(t); ok {
			if neg {
				v = -v
			}
			disp += v
			continue
		}
		if neg {
			return intelOp{}, fmt.Errorf("%q: a register cannot be subtracted", s)
		}
		if a, b, ok := strings.Cut(t, "*"); ok {
			r, n := a, b
			if _, isReg := intelReg(a); !isReg {
				r, n = b, a
			}
			ri, isReg := intelReg(r)
			v, isNum := intelNumber(n)
			if !isReg || !isNum || ri.sz != 8 || v != 1 && v != 2 && v != 4 && v != 8 || index != "" {
				return intelOp{}, fmt.Errorf("%q: index %q is not supported", s, t)
			}
			index, scale = strings.ToLower(strings.TrimPrefix(r, "%")), v
			continue
		}
		ri, ok := intelReg(t)
		if !ok || ri.sz != 8 && strings.ToLower(strings.TrimPrefix(t, "%")) != "rip" {
			return intelOp{}, fmt.Errorf("%q: %q is not a 64-bit register or a number", s, t)
		}
		name := strings.ToLower(strings.TrimPrefix(t, "%"))
		switch {
		case base == "":
			base = name
		case index == "":
			index, scale = name, 1
		default:
			return intelOp{}, fmt.Errorf("%q: too many registers", s)
		}
	}
	var sb strings.Builder
	if disp != 0 || base == "" && index == "" {
		sb.WriteString(strconv.FormatInt(disp, 10))
	}
	if base != "" || index != "" {
		sb.WriteString("(")
		if base != "" {
			sb.WriteString("%" + base)
		}
		if index != "" {
			fmt.Fprintf(&sb, ",%%%s,%d", index, scale)
		}
		sb.WriteString(")")
	}
	return intelOp{att: sb.String(), kind: atMem, sz: sz}, nil
}
