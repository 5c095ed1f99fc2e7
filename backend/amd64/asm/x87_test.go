package asm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// x87Cases pairs every x87 encoder form with its llvm-mc Intel-syntax
// spelling.
func x87Cases() []gasCase {
	var cs []gasCase
	add := func(text string, f func(a *Assembler)) { cs = append(cs, gasCase{text, f}) }
	ms := []Mem{M(RAX, 0), M(RSP, 0), M(RBP, 0), M(R12, 8), M(R13, 0), M(R13, -200), M(RSP, 1000), M(R11, 16),
		MI(RAX, RCX, 8, 16), MI(RBP, R12, 4, 0), MI(R13, R14, 2, -8), MI(RSP, RBP, 1, 0), MSym(0, 0), MSym(0, 8)}
	for op := Fld80; op <= Fmul32; op++ {
		for _, m := range ms {
			op, m := op, m
			add(fmt.Sprintf("%s %s", op, memText(m)), func(a *Assembler) { a.X87M(op, m) })
		}
	}
	for i := uint8(0); i < 8; i++ {
		i := i
		for _, c := range []struct {
			op   X87StOp
			text string
		}{{Faddp, "faddp st(%d), st"}, {Fsubp, "fsubp st(%d), st"}, {Fmulp, "fmulp st(%d), st"}, {Fdivp, "fdivp st(%d), st"},
			{Fucomip, "fucomip st, st(%d)"}, {FstpST, "fstp st(%d)"}, {FldST, "fld st(%d)"}, {Fxch, "fxch st(%d)"}} {
			c := c
			if i == 0 && (c.op <= Fdivp || c.op == Fucomip) {
				continue
			}
			add(fmt.Sprintf(c.text, i), func(a *Assembler) { a.X87(c.op, i) })
		}
	}
	add("fchs", func(a *Assembler) { a.X87(Fchs, 0) })
	add("fprem", func(a *Assembler) { a.X87(Fprem, 0) })
	for _, m := range ms {
		m := m
		add(fmt.Sprintf("test byte ptr %s, 4", memText(m)), func(a *Assembler) { a.TestMI8(m, 4) })
	}
	return cs
}

// TestX87AgainstLLVMMC assembles every x87 form with llvm-mc-19 and
// compares the bytes instruction by instruction (relocated operands
// compared with their fields zeroed, as llvm-mc leaves them in the
// object).
func TestX87AgainstLLVMMC(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc-19")
	if err != nil {
		t.Fatalf("llvm-mc-19 is required for this test but was not found in PATH; install llvm-19 (bash scripts/deps.sh): %v", err)
	}
	cs := x87Cases()
	var src strings.Builder
	src.WriteString(".intel_syntax noprefix\n.text\n")
	var mine Assembler
	ends := make([]int, len(cs))
	for i, c := range cs {
		src.WriteString(c.text)
		src.WriteByte('\n')
		c.emit(&mine)
		ends[i] = mine.Len()
	}
	if err := mine.Finish(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := filepath.Join(dir, "t.s")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(mc, "-triple=x86_64-linux-gnu", "-show-encoding", s).CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	// Lines "	fld	tbyte ptr [rax]	# encoding: [0xdb,0x28]"; relocated
	// bytes print as A, which compare as 0.
	var theirs [][]byte
	for _, line := range strings.Split(string(out), "\n") {
		_, enc, ok := strings.Cut(line, "# encoding: [")
		if !ok {
			continue
		}
		enc, _, _ = strings.Cut(enc, "]")
		var b []byte
		for _, f := range strings.Split(enc, ",") {
			var v byte
			if !strings.HasPrefix(f, "0x") {
				b = append(b, 0)
				continue
			}
			fmt.Sscanf(f, "0x%x", &v)
			b = append(b, v)
		}
		theirs = append(theirs, b)
	}
	if len(theirs) != len(cs) {
		t.Fatalf("llvm-mc printed %d encodings for %d instructions", len(theirs), len(cs))
	}
	start := 0
	for i, c := range cs {
		got := append([]byte(nil), mine.Buf[start:ends[i]]...)
		for _, r := range mine.Relocs {
			if r.Offset >= start && r.Offset+4 <= ends[i] {
				copy(got[r.Offset-start:], []byte{0, 0, 0, 0})
			}
		}
		if !bytes.Equal(got, theirs[i]) {
			t.Errorf("%q: mine % x, llvm-mc % x", c.text, got, theirs[i])
		}
		start = ends[i]
	}
}
