package ir

import (
	"fmt"
	"strings"
)

// InlineAsm is the callee of a call of inline assembly: call T asm
// [sideeffect] "template", "constraints"(args). The parser checks the
// constraint string (ParseAsmConstraints) against the call's operands;
// the backend assigns the operands registers and assembles the template.
// To the optimizer such a call is a call of an unknown function: it may
// read and write any memory, so nothing moves across it (an empty
// template with a memory clobber is a compiler barrier and nothing
// else).
type InlineAsm struct {
	Template    string
	Constraints string
	SideEffect  bool
	AlignStack  bool
	Intel       bool // inteldialect: Intel syntax (the backend translates it to AT&T)
	Ops         []AsmOperand
}

func (*InlineAsm) Type() *Type { return Ptr }

// Ident spells the callee as LLVM does: asm sideeffect "...", "...".
func (a *InlineAsm) Ident() string {
	var sb strings.Builder
	sb.WriteString("asm ")
	if a.SideEffect {
		sb.WriteString("sideeffect ")
	}
	if a.AlignStack {
		sb.WriteString("alignstack ")
	}
	if a.Intel {
		sb.WriteString("inteldialect ")
	}
	sb.WriteString(llvmQuote(a.Template))
	sb.WriteString(", ")
	sb.WriteString(llvmQuote(a.Constraints))
	return sb.String()
}

// AsmOperand kinds.
const (
	AsmOutput  = iota // =...: a result of the call (or, Indirect, stored through an argument)
	AsmInput          // an argument
	AsmClobber        // ~{...}
)

// AsmOperand is one comma-separated constraint.
type AsmOperand struct {
	Kind     uint8
	Indirect bool   // *: the operand is the address of the value (m)
	Early    bool   // &: written before the inputs are read
	Tied     int    // an input tied to output Tied (its constraint a digit), else -1
	Codes    string // the constraint letters (alternatives kept in order: "rm", "ri", "r", "m", "i", "a", ...)
	Reg      string // a named register: {ax} -> "ax", ~{memory} -> "memory"
}

// ParseAsmConstraints splits an inline asm constraint string: outputs
// (=r, =&r, =*m, ={ax}), inputs (r, m, *m, i, n, 0-9 tied, a b c d S D,
// {reg}) and clobbers (~{memory}, ~{cc}, ~{reg}). Multiple-alternative
// constraints ("r|m") are refused.
func ParseAsmConstraints(s string) ([]AsmOperand, error) {
	if s == "" {
		return nil, nil
	}
	var ops []AsmOperand
	for _, c := range strings.Split(s, ",") {
		op := AsmOperand{Tied: -1, Kind: AsmInput}
		orig := c
		switch {
		case strings.HasPrefix(c, "~"):
			op.Kind = AsmClobber
			c = c[1:]
		case strings.HasPrefix(c, "="):
			op.Kind = AsmOutput
			c = c[1:]
		case strings.HasPrefix(c, "+"):
			return nil, fmt.Errorf("asm constraint %q: '+' is not expected in LLVM IR (clang splits it into an output and a tied input)", orig)
		}
		if strings.HasPrefix(c, "&") {
			op.Early = true
			c = c[1:]
		}
		if strings.HasPrefix(c, "*") {
			op.Indirect = true
			c = c[1:]
		}
		if strings.ContainsAny(c, "|") {
			return nil, fmt.Errorf("asm constraint %q: multiple alternatives are not supported", orig)
		}
		if strings.HasPrefix(c, "{") {
			if !strings.HasSuffix(c, "}") || len(c) < 3 {
				return nil, fmt.Errorf("asm constraint %q: bad register name", orig)
			}
			op.Reg = c[1 : len(c)-1]
		} else if op.Kind == AsmClobber {
			return nil, fmt.Errorf("asm clobber %q: expected ~{name}", orig)
		} else if c == "" {
			return nil, fmt.Errorf("asm constraint %q is empty", orig)
		} else if c[0] >= '0' && c[0] <= '9' {
			if op.Kind != AsmInput {
				return nil, fmt.Errorf("asm constraint %q: only an input can be tied to an output", orig)
			}
			n := 0
			for _, d := range c {
				if d < '0' || d > '9' {
					return nil, fmt.Errorf("asm constraint %q: bad operand number", orig)
				}
				n = n*10 + int(d-'0')
				if n > 99 {
					return nil, fmt.Errorf("asm constraint %q: bad operand number", orig)
				}
			}
			op.Tied = n
		} else {
			op.Codes = c
		}
		ops = append(ops, op)
	}
	// Tied inputs must name an output.
	nout := 0
	for _, op := range ops {
		if op.Kind == AsmOutput {
			nout++
		}
	}
	for _, op := range ops {
		if op.Tied >= nout {
			return nil, fmt.Errorf("asm constraint string %q: input tied to operand %d, which is not an output", s, op.Tied)
		}
	}
	return ops, nil
}

// AsmArgs returns how many call arguments the constraints take (the
// indirect outputs and the inputs) and how many results (the direct
// outputs).
func AsmArgs(ops []AsmOperand) (args, results int) {
	for _, op := range ops {
		switch {
		case op.Kind == AsmOutput && op.Indirect, op.Kind == AsmInput:
			args++
		case op.Kind == AsmOutput:
			results++
		}
	}
	return args, results
}

// parseInlineAsm reads "asm [sideeffect] [alignstack] [inteldialect]
// [unwind] "template", "constraints"" (the current token the word asm).
func (p *parser) parseInlineAsm() *InlineAsm {
	at := p.tok
	p.next()
	a := &InlineAsm{}
	for p.tok.kind == tWord {
		switch p.tok.text {
		case "sideeffect":
			a.SideEffect = true
		case "alignstack":
			a.AlignStack = true
		case "inteldialect":
			a.Intel = true
		case "unwind":
		default:
			p.fail("unexpected %v in inline asm", p.tok)
		}
		p.next()
	}
	if p.tok.kind != tString || p.tok.numeric {
		p.fail("expected the inline asm template string, found %v", p.tok)
	}
	a.Template = p.tok.text
	p.next()
	p.expectPunct(",")
	if p.tok.kind != tString || p.tok.numeric {
		p.fail("expected the inline asm constraint string, found %v", p.tok)
	}
	a.Constraints = p.tok.text
	ctok := p.tok
	p.next()
	ops, err := ParseAsmConstraints(a.Constraints)
	if err != nil {
		p.failAt(ctok, "%v", err)
	}
	a.Ops = ops
	_ = at
	return a
}

// checkAsmCall checks a call of inline asm against its constraints: the
// number of arguments, and of results (a struct's fields, a scalar, or
// void).
func (p *parser) checkAsmCall(in *Instr, at token) {
	a := in.Ops[0].(*InlineAsm)
	nargs, nres := AsmArgs(a.Ops)
	if len(in.Ops)-1 != nargs {
		p.failAt(at, "inline asm with constraints %q takes %d operands, the call passes %d", a.Constraints, nargs, len(in.Ops)-1)
	}
	got := 0
	switch {
	case in.Typ.IsVoid():
	case in.Typ.Kind == StructKind:
		got = len(in.Typ.Fields)
	default:
		got = 1
	}
	if got != nres {
		p.failAt(at, "inline asm with constraints %q has %d outputs, the call returns %v", a.Constraints, nres, in.Typ)
	}
}

// x86AsmIntrinsics are the llvm.x86.* intrinsics (and
// llvm.readcyclecounter) that <x86intrin.h> and friends call, as the
// inline asm they are: the intrinsic's name, the type it returns, the
// template and constraints.
var x86AsmIntrinsics = map[string]struct{ ret, tmpl, cons string }{
	"llvm.x86.sse2.pause":   {"void", "pause", "~{memory}"},
	"llvm.x86.sse2.mfence":  {"void", "mfence", "~{memory}"},
	"llvm.x86.sse2.lfence":  {"void", "lfence", "~{memory}"},
	"llvm.x86.sse.sfence":   {"void", "sfence", "~{memory}"},
	"llvm.x86.sse2.clflush": {"void", "clflush ($0)", "r,~{memory}"},
	"llvm.x86.rdtsc":        {"i64", "rdtsc\n\tshlq $$32, %rdx\n\torq %rdx, %rax", "={ax},~{dx}"},
	"llvm.readcyclecounter": {"i64", "rdtsc\n\tshlq $$32, %rdx\n\torq %rdx, %rax", "={ax},~{dx}"},
	"llvm.x86.rdtscp":       {"{ i64, i32 }", "rdtscp\n\tshlq $$32, %rdx\n\torq %rdx, %rax", "={ax},={cx},~{dx}"},
	"llvm.x86.xgetbv":       {"i64", "xgetbv\n\tshlq $$32, %rdx\n\torq %rdx, %rax", "={ax},{cx},~{dx}"},
}

// x86Asm makes in, a call of one of x86AsmIntrinsics with the operand
// and result types it has there, a call of that inline asm.
func (p *parser) x86Asm(in *Instr, name string) bool {
	x, ok := x86AsmIntrinsics[name]
	if !ok || x.tmpl == "" || in.Typ.String() != x.ret {
		return false
	}
	tmpl := x.tmpl
	ops, err := ParseAsmConstraints(x.cons)
	if err != nil {
		return false
	}
	nargs, _ := AsmArgs(ops)
	if len(in.Ops)-1 != nargs {
		return false
	}
	for _, a := range in.Ops[1:] {
		if t := a.Type(); !t.IsInt() && !t.IsPtr() {
			return false
		}
	}
	in.Ops[0] = &InlineAsm{Template: tmpl, Constraints: x.cons, SideEffect: true, Ops: ops}
	return true
}
