package amd64

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// Inline assembly. A call of an ir.InlineAsm is selected as a call whose
// body is the assembled template: the register allocator sees an mCall
// (inputs in fixed physical registers before it, every caller-saved
// register clobbered by it, outputs read from fixed registers after it),
// and emit copies the bytes where the call instruction would be. Each
// operand gets its own register, so early-clobber outputs need nothing
// more:
//   - a named register ({ax}, a b c d S D) is that register; a callee-saved
//     one (rbx, r12-r15) is stood in for by a free caller-saved register,
//     exchanged with it around the template;
//   - r, q, g (and rm, ri, ...: the register alternative is taken) get the
//     next free register of rax, rcx, rdx, rsi, rdi, r8, r9 (those a call
//     passes arguments in, so the allocator's moves into them are the
//     ones it already makes for calls);
//   - *m (the operand is an address) is "(%reg)" with the address in such
//     a register; i and n (with no r alternative) are immediates;
//   - a digit ties an input to that output's register;
//   - clobbered callee-saved registers are pushed and popped around the
//     template;
//   - an Intel-syntax template (asm inteldialect) is translated to AT&T
//     after its operands are substituted (asm.IntelToATT); ~{memory}, ~{cc}, ~{flags}, ~{dirflag}, ~{fpsr} and
//     caller-saved registers cost nothing (a call clobbers them anyway).
// An empty template emits no bytes: it is still a call to the optimizer
// and to the allocator, so nothing moves across it.

var asmPool = [...]asm.Reg{asm.RAX, asm.RCX, asm.RDX, asm.RSI, asm.RDI, asm.R8, asm.R9}

// asmOperand is where one constraint's value is: a register (of size
// sz), the memory at a register, or an immediate.
type asmOperand struct {
	kind   uint8 // 0 reg, 1 mem, 2 imm
	reg    asm.Reg
	stand  asm.Reg // the caller-saved register standing in for a callee-saved reg, or NoReg
	sz     asm.Size
	imm    int64
	arg    ir.Value // the input, or the address of an indirect operand
	result int      // a direct output: its result index, else -1
}

func asmSize(t *ir.Type) asm.Size {
	switch {
	case t == nil:
		return 8
	case t.IsInt() && t.Bits <= 8:
		return 1
	case t.IsInt() && t.Bits <= 16:
		return 2
	case t.IsInt() && t.Bits <= 32:
		return 4
	}
	return 8
}

// asmNamedReg maps a constraint's register name or letter to a register.
func asmNamedReg(op *ir.AsmOperand) (asm.Reg, bool, error) {
	name := op.Reg
	if name == "" {
		if len(op.Codes) != 1 {
			return 0, false, nil
		}
		switch op.Codes {
		case "a":
			name = "ax"
		case "b":
			name = "bx"
		case "c":
			name = "cx"
		case "d":
			name = "dx"
		case "S":
			name = "si"
		case "D":
			name = "di"
		default:
			return 0, false, nil
		}
	}
	r, _, ok := asm.RegByName(strings.ToLower(name))
	if !ok {
		return 0, false, fmt.Errorf("register {%s} is not supported in an inline asm operand", name)
	}
	if r == asm.RSP || r == asm.RBP {
		return 0, false, fmt.Errorf("register {%s} cannot be an inline asm operand", name)
	}
	return r, true, nil
}

func isCalleeSaved(r asm.Reg) bool {
	for _, c := range calleeSaved {
		if c == r {
			return true
		}
	}
	return false
}

// selectAsm selects a call of inline asm (see the top of this file).
func (fc *fnCompiler) selectAsm(in *ir.Instr, ia *ir.InlineAsm) {
	if err := fc.lowerAsm(in, ia); err != nil && fc.err == nil {
		// Not an iselError: the message is not clipped to a quote's
		// length, so that it names the instruction refused.
		fc.err = fmt.Errorf("inline asm %q: %w", diagClip(ia.Template), err)
	}
}

func diagClip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

func (fc *fnCompiler) lowerAsm(in *ir.Instr, ia *ir.InlineAsm) error {
	fc.hasCall = true
	args := in.Ops[1:]
	var resTypes []*ir.Type
	switch {
	case in.Typ.IsVoid():
	case in.Typ.Kind == ir.StructKind:
		resTypes = in.Typ.Fields
	default:
		resTypes = []*ir.Type{in.Typ}
	}
	for _, t := range resTypes {
		if !t.IsInt() && !t.IsPtr() || t.Bits > 64 {
			return fmt.Errorf("an output of type %v is not supported (integers and pointers only)", t)
		}
	}
	for _, a := range args {
		if t := a.Type(); !t.IsInt() && !t.IsPtr() || t.Bits > 64 {
			return fmt.Errorf("an operand of type %v is not supported (integers and pointers only)", t)
		}
	}
	used := map[asm.Reg]bool{}
	var saves []asm.Reg // clobbered callee-saved registers
	for i := range ia.Ops {
		op := &ia.Ops[i]
		if op.Kind == ir.AsmClobber {
			switch strings.ToLower(op.Reg) {
			case "memory", "cc", "flags", "dirflag", "fpsr", "fpcr", "eflags":
				continue
			}
			r, _, ok := asm.RegByName(strings.ToLower(op.Reg))
			if !ok {
				if strings.HasPrefix(op.Reg, "xmm") || strings.HasPrefix(op.Reg, "st") || strings.HasPrefix(op.Reg, "mm") {
					continue // caller-saved (x87 and MMX registers are free across calls too)
				}
				return fmt.Errorf("clobber ~{%s} is not supported", op.Reg)
			}
			if r == asm.RSP || r == asm.RBP {
				return fmt.Errorf("clobber ~{%s} is not supported", op.Reg)
			}
			used[r] = true
			if isCalleeSaved(r) {
				saves = append(saves, r)
			}
			continue
		}
		if strings.HasPrefix(op.Reg, "@cc") {
			continue // a flag output (below)
		}
		r, named, err := asmNamedReg(op)
		if err != nil {
			return err
		}
		if named {
			used[r] = true
		}
	}
	free := func() (asm.Reg, error) {
		for _, r := range asmPool {
			if !used[r] {
				used[r] = true
				return r, nil
			}
		}
		return 0, fmt.Errorf("too many register operands (at most %d)", len(asmPool))
	}
	// The operands in template order (clobbers have no number).
	var opnds []asmOperand
	var outs []int        // operand numbers of the outputs
	var flagOuts []string // the instructions setting flag outputs
	argi, resi := 0, 0
	for i := range ia.Ops {
		op := &ia.Ops[i]
		if op.Kind == ir.AsmClobber {
			continue
		}
		o := asmOperand{stand: asm.NoReg, result: -1}
		var t *ir.Type
		if op.Kind == ir.AsmOutput && !op.Indirect {
			o.result = resi
			t = resTypes[resi]
			resi++
		} else {
			if argi >= len(args) {
				return fmt.Errorf("fewer operands than constraints")
			}
			o.arg = args[argi]
			t = o.arg.Type()
			argi++
		}
		o.sz = asmSize(t)
		if op.Kind == ir.AsmOutput {
			outs = append(outs, len(opnds))
		}
		r, named, _ := asmNamedReg(op)
		switch {
		case op.Kind == ir.AsmOutput && strings.HasPrefix(op.Reg, "@cc"):
			// A flag output ("=@ccz"): set from the condition after the
			// template, as 0 or 1.
			if _, ok := asm.CondByName(op.Reg[3:]); !ok || op.Indirect {
				return fmt.Errorf("flag output {%s} is not supported", op.Reg)
			}
			reg, err := free()
			if err != nil {
				return err
			}
			o.kind, o.reg = 0, reg
			flagOuts = append(flagOuts, fmt.Sprintf("\nset%s %%%s\nmovzbl %%%s, %%%s", op.Reg[3:], reg.Name(1), reg.Name(1), reg.Name(4)))
		case op.Tied >= 0:
			if op.Tied >= len(outs) {
				return fmt.Errorf("input tied to operand %d, not an output before it", op.Tied)
			}
			to := opnds[outs[op.Tied]]
			if to.kind != 0 {
				return fmt.Errorf("input tied to a memory output")
			}
			o.kind, o.reg, o.stand = 0, to.reg, to.stand
		case op.Indirect:
			if !strings.ContainsAny(op.Codes, "mor") && !named {
				return fmt.Errorf("indirect constraint %q is not supported", op.Codes)
			}
			base, err := free()
			if err != nil {
				return err
			}
			o.kind, o.reg, o.sz = 1, base, 8
		case named:
			o.kind, o.reg = 0, r
			if isCalleeSaved(r) {
				s, err := free()
				if err != nil {
					return err
				}
				o.stand = s
			}
		case strings.ContainsAny(op.Codes, "rqgRQ"):
			reg, err := free()
			if err != nil {
				return err
			}
			o.kind, o.reg = 0, reg
		case strings.ContainsAny(op.Codes, "inseIJKLMNOZ"):
			c, ok := o.arg.(*ir.ConstInt)
			if !ok || op.Kind != ir.AsmInput {
				return fmt.Errorf("constraint %q needs a constant integer", op.Codes)
			}
			o.kind, o.imm = 2, c.V
		default:
			return fmt.Errorf("constraint %q is not supported", op.Codes)
		}
		opnds = append(opnds, o)
	}
	// The template, its operands substituted, assembled.
	text, err := asmSubstDialect(ia.Template, opnds, ia.Intel)
	if err != nil {
		return err
	}
	if ia.Intel {
		// Translated to AT&T (asm/intel.go) before the flag outputs,
		// which are AT&T text.
		if text, err = asm.IntelToATT(text); err != nil {
			return fmt.Errorf("Intel syntax: %w", err)
		}
	}
	text += strings.Join(flagOuts, "")
	var a asm.Assembler
	for _, r := range saves {
		a.Push(r)
	}
	swapped := map[asm.Reg]asm.Reg{}
	for _, o := range opnds {
		if o.stand != asm.NoReg && swapped[o.reg] == 0 {
			swapped[o.reg] = o.stand
			a.Xchg8RR(o.reg, o.stand)
		}
	}
	if err := a.ATT(text); err != nil {
		return err
	}
	for r, s := range swapped {
		a.Xchg8RR(r, s)
	}
	for i := len(saves) - 1; i >= 0; i-- {
		a.Pop(saves[i])
	}
	if err := a.Finish(); err != nil {
		return err
	}
	if len(a.Relocs) > 0 {
		return fmt.Errorf("symbol references are not supported")
	}
	// Inputs into their registers (a stand-in's in place of a callee-
	// saved register), the call, the outputs out of theirs.
	ci := callInfo{sym: -1, isAsm: true, blob: append([]byte(nil), a.Buf...)}
	for _, o := range opnds {
		if o.arg == nil || o.kind == 2 {
			continue
		}
		r := o.reg
		if o.stand != asm.NoReg {
			r = o.stand
		}
		fc.mov(vreg(r), fc.use(o.arg))
		ci.uses = append(ci.uses, vreg(r))
	}
	fc.calls = append(fc.calls, ci)
	fc.emit(minst{op: mCall, dst: noVReg, a: noVReg, b: noVReg, c: noVReg, imm: int64(len(fc.calls) - 1)})
	if fc.useCount(in) == 0 {
		return nil
	}
	for _, o := range opnds {
		if o.result < 0 {
			continue
		}
		r := o.reg
		if o.stand != asm.NoReg {
			r = o.stand
		}
		fc.mov(vreg(in.ID+o.result), vreg(r))
	}
	return nil
}

// asmSubst substitutes the operands into an LLVM inline asm template:
// $N, ${N}, ${N:mod} (k q w b h: the register at that size; c and P: an
// immediate without '$'; H: memory 8 bytes on), $$ (a '$'), and the
// dialect alternatives $( att $| intel $) (the first kept).
func asmSubst(tmpl string, ops []asmOperand) (string, error) {
	return asmSubstDialect(tmpl, ops, false)
}

// asmSubstDialect is asmSubst for an AT&T (intel false) or Intel
// template: in an Intel one the second of $(att$|intel$) is taken,
// memory operands are [reg] and immediates have no '$' (registers keep
// their '%', which asm.IntelToATT accepts).
func asmSubstDialect(tmpl string, ops []asmOperand, intel bool) (string, error) {
	var sb strings.Builder
	skip := false // inside the alternative not taken
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '$' {
			if !skip {
				sb.WriteByte(c)
			}
			continue
		}
		if i+1 >= len(tmpl) {
			return "", fmt.Errorf("template ends with '$'")
		}
		i++
		switch n := tmpl[i]; {
		case n == '$':
			if !skip {
				sb.WriteByte('$')
			}
			continue
		case n == '(':
			skip = intel
			continue
		case n == '|':
			skip = !intel
			continue
		case n == ')':
			skip = false
			continue
		}
		num, mod := "", byte(0)
		if tmpl[i] == '{' {
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("unterminated ${ in template")
			}
			body := tmpl[i+1 : i+end]
			i += end
			if k := strings.IndexByte(body, ':'); k >= 0 {
				if len(body) != k+2 {
					return "", fmt.Errorf("operand modifier %q is not supported", body[k+1:])
				}
				num, mod = body[:k], body[k+1]
			} else {
				num = body
			}
		} else {
			j := i
			for j < len(tmpl) && tmpl[j] >= '0' && tmpl[j] <= '9' {
				j++
			}
			num = tmpl[i:j]
			i = j - 1
		}
		k, err := strconv.Atoi(num)
		if err != nil || k < 0 || k >= len(ops) {
			return "", fmt.Errorf("template operand $%s does not exist", num)
		}
		if skip {
			continue
		}
		o := ops[k]
		switch o.kind {
		case 0:
			sz := o.sz
			switch mod {
			case 0, 'P', 'c', 'a':
			case 'k':
				sz = 4
			case 'q':
				sz = 8
			case 'w':
				sz = 2
			case 'b':
				sz = 1
			case 'h':
				if o.reg > asm.RBX {
					return "", fmt.Errorf("${%d:h} of %s: no high byte register", k, o.reg)
				}
				sb.WriteString("%" + [...]string{"ah", "ch", "dh", "bh"}[o.reg])
				continue
			default:
				return "", fmt.Errorf("operand modifier %q is not supported", mod)
			}
			if mod == 'a' {
				if intel {
					sb.WriteString("[%" + o.reg.Name(8) + "]")
				} else {
					sb.WriteString("(%" + o.reg.Name(8) + ")")
				}
				continue
			}
			sb.WriteString("%" + o.reg.Name(sz))
		case 1:
			switch mod {
			case 0, 'a', 'P':
				if intel {
					sb.WriteString("[%" + o.reg.Name(8) + "]")
				} else {
					sb.WriteString("(%" + o.reg.Name(8) + ")")
				}
			case 'H':
				if intel {
					sb.WriteString("[%" + o.reg.Name(8) + " + 8]")
				} else {
					sb.WriteString("8(%" + o.reg.Name(8) + ")")
				}
			default:
				return "", fmt.Errorf("operand modifier %q on memory is not supported", mod)
			}
		case 2:
			switch mod {
			case 0:
				if !intel {
					sb.WriteByte('$')
				}
				sb.WriteString(strconv.FormatInt(o.imm, 10))
			case 'c', 'P', 'n':
				if mod == 'n' {
					o.imm = -o.imm
				}
				sb.WriteString(strconv.FormatInt(o.imm, 10))
			default:
				return "", fmt.Errorf("operand modifier %q on an immediate is not supported", mod)
			}
		}
	}
	return sb.String(), nil
}
