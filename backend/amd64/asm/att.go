package asm

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// AT&T assembly text, as GNU C inline asm templates spell it once their
// operands are substituted: ATT assembles a few instructions separated by
// newlines or ';' ("lock; cmpxchgl %ecx, (%rdx)", "rdtsc", "bswap %eax",
// "1: pause; jne 1b"). It covers the instructions C programs put in
// inline asm (barriers and fences, pause, rdtsc/rdtscp, cpuid, xgetbv,
// syscall, bswap, bsf/bsr, popcnt/lzcnt/tzcnt, the ALU group, mov and its
// extending forms, lea, test, xchg/xadd/cmpxchg with lock, inc/dec/not/
// neg/mul/div, shifts and rotates, bt*, setcc/cmovcc, push/pop, rep
// string operations, jumps to local labels) and refuses anything else
// naming the instruction and its line.

// Raw appends bytes assembled elsewhere (an inline asm blob: its branches
// are relative within it).
func (a *Assembler) Raw(b []byte) {
	a.Insts++
	a.Buf = append(a.Buf, b...)
}

// Xchg8RR emits xchg r1, r2 (64-bit).
func (a *Assembler) Xchg8RR(r1, r2 Reg) {
	if !a.needGPR(r1, "xchg") || !a.needGPR(r2, "xchg") {
		return
	}
	a.rr(0, true, op1(0x87), r1, r2, false)
}

// attTables are the AT&T assembler's name tables, built on its first
// use (inline assembly): a process that assembles none, such as every
// cached `gorc run`, does not build them at its start.
type attTables struct {
	reg    map[string]attRegInfo
	cond   map[string]Cond
	fixed  map[string][]byte
	base   map[string]bool
	suffix map[byte]Size
	alu    map[string]ALUOp
	shift  map[string]byte
}

var attTabs = sync.OnceValue(func() *attTables {
	return &attTables{reg: buildAttReg(), cond: attCondByName(), fixed: attFixedTab(), base: attBaseTab(),
		suffix: attSuffixSize(), alu: attAluByName(), shift: attShiftByName()}
})

// buildAttReg names every general register at every size ("eax", "r8d",
// "al", "ah" ...): the register, its size, and whether it is a legacy
// high byte register (ah, ch, dh, bh: numbers 4-7 without REX).
func buildAttReg() map[string]attRegInfo {
	m := make(map[string]attRegInfo)
	for r := range gprNames {
		for i, n := range gprNames[r] {
			m[n] = attRegInfo{Reg(r), Size(1 << i), false}
		}
	}
	for i, n := range []string{"ah", "ch", "dh", "bh"} {
		m[n] = attRegInfo{Reg(4 + i), 1, true}
	}
	return m
}

type attRegInfo struct {
	r    Reg
	sz   Size
	high bool
}

// CondByName returns the condition code named as in jCC/setCC ("z",
// "nc", "ge", ...).
func CondByName(n string) (Cond, bool) {
	c, ok := attTabs().cond[n]
	return c, ok
}

// RegByName returns the general register named n (any size: "ax",
// "eax", "rax", "r8d", "sil"; no '%') and its size.
func RegByName(n string) (Reg, Size, bool) {
	ri, ok := attTabs().reg[n]
	if !ok || ri.high {
		return 0, 0, false
	}
	return ri.r, ri.sz, true
}

type attKind uint8

const (
	atReg attKind = iota
	atImm
	atMem
	atLabel
	atDigit // a /digit in ModRM.reg (not a register operand)
)

type attOp struct {
	kind  attKind
	r     Reg
	sz    Size
	high  bool
	imm   int64
	m     Mem
	label string
}

func attCondByName() map[string]Cond {
	return map[string]Cond{
		"o": 0, "no": 1, "b": 2, "c": 2, "nae": 2, "ae": 3, "nb": 3, "nc": 3, "e": 4, "z": 4, "ne": 5, "nz": 5,
		"be": 6, "na": 6, "a": 7, "nbe": 7, "s": 8, "ns": 9, "p": 10, "pe": 10, "np": 11, "po": 11,
		"l": 12, "nge": 12, "ge": 13, "nl": 13, "le": 14, "ng": 14, "g": 15, "nle": 15,
	}
}

// attFixed are the instructions without operands, as their bytes.
func attFixedTab() map[string][]byte {
	return map[string][]byte{
		"nop": {0x90}, "pause": {0xf3, 0x90}, "rdtsc": {0x0f, 0x31}, "rdtscp": {0x0f, 0x01, 0xf9},
		"cpuid": {0x0f, 0xa2}, "mfence": {0x0f, 0xae, 0xf0}, "lfence": {0x0f, 0xae, 0xe8},
		"sfence": {0x0f, 0xae, 0xf8}, "syscall": {0x0f, 0x05}, "ud2": {0x0f, 0x0b}, "int3": {0xcc},
		"hlt": {0xf4}, "cld": {0xfc}, "std": {0xfd}, "clc": {0xf8}, "stc": {0xf9}, "cmc": {0xf5},
		"cltq": {0x48, 0x98}, "cdqe": {0x48, 0x98}, "cqto": {0x48, 0x99}, "cqo": {0x48, 0x99},
		"cltd": {0x99}, "cdq": {0x99}, "cwtl": {0x98}, "cwde": {0x98}, "xgetbv": {0x0f, 0x01, 0xd0},
		"lock": {0xf0}, "rep": {0xf3}, "repe": {0xf3}, "repz": {0xf3}, "repne": {0xf2}, "repnz": {0xf2},
		"movsb": {0xa4}, "movsw": {0x66, 0xa5}, "movsl": {0xa5}, "movsq": {0x48, 0xa5},
		"stosb": {0xaa}, "stosw": {0x66, 0xab}, "stosl": {0xab}, "stosq": {0x48, 0xab},
		"lodsb": {0xac}, "lodsq": {0x48, 0xad}, "cmpsb": {0xa6}, "scasb": {0xae},
		"sahf": {0x9e}, "lahf": {0x9f}, "pushf": {0x9c}, "pushfq": {0x9c}, "popf": {0x9d}, "popfq": {0x9d},
		"leave": {0xc9}, "rdpmc": {0x0f, 0x33}, "serialize": {0x0f, 0x01, 0xe8},
	}
}

// attBase are the mnemonics (without a size suffix) of the instructions
// with operands.
func attBaseTab() map[string]bool {
	return map[string]bool{
		"add": true, "or": true, "adc": true, "sbb": true, "and": true, "sub": true, "xor": true, "cmp": true,
		"mov": true, "test": true, "xchg": true, "xadd": true, "cmpxchg": true, "lea": true,
		"inc": true, "dec": true, "not": true, "neg": true, "mul": true, "imul": true, "div": true, "idiv": true,
		"rol": true, "ror": true, "rcl": true, "rcr": true, "shl": true, "sal": true, "shr": true, "sar": true,
		"bswap": true, "bsf": true, "bsr": true, "popcnt": true, "lzcnt": true, "tzcnt": true,
		"bt": true, "bts": true, "btr": true, "btc": true, "push": true, "pop": true,
		"clflush": true, "movzb": true, "movzw": true, "movsb": true, "movsw": true, "movsl": true, "movabs": true,
	}
}

// ATT assembles AT&T text into a (see the top of this file). Local labels
// ("1:", "name:") and jumps to them ("jne 1b", "jmp 2f", "jmp name") are
// resolved within the text.
func (a *Assembler) ATT(text string) error {
	st := &attState{a: a, labels: map[string]Label{}}
	lines := strings.Split(text, "\n")
	// First pass: nothing; labels are created as they are met (forward
	// references "Nf" find the next definition).
	for ln, line := range lines {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, stmt := range strings.Split(line, ";") {
			if err := st.stmt(strings.TrimSpace(stmt), ln+1); err != nil {
				return err
			}
			if err := a.Err(); err != nil {
				return fmt.Errorf("line %d: %q: %w", ln+1, strings.TrimSpace(stmt), err)
			}
		}
	}
	for name, l := range st.labels {
		if a.labels[l] < 0 {
			return fmt.Errorf("label %q is used but not defined", name)
		}
	}
	return nil
}

type attState struct {
	a      *Assembler
	labels map[string]Label // "name" for named labels; "N#k" for the k-th definition of numeric label N
	defs   map[string]int   // numeric label N: how many times defined so far
}

func (st *attState) label(name string) Label {
	l, ok := st.labels[name]
	if !ok {
		l = st.a.NewLabel()
		st.labels[name] = l
	}
	return l
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// stmt assembles one statement (labels first).
func (st *attState) stmt(s string, ln int) error {
	for {
		i := strings.IndexByte(s, ':')
		if i <= 0 || strings.ContainsAny(s[:i], " \t,%$(") {
			break
		}
		name := s[:i]
		if st.defs == nil {
			st.defs = map[string]int{}
		}
		if isDigits(name) {
			k := st.defs[name]
			st.defs[name] = k + 1
			st.a.Bind(st.label(fmt.Sprintf("%s#%d", name, k)))
		} else {
			if _, dup := st.labels[name]; dup && st.a.labels[st.labels[name]] >= 0 {
				return fmt.Errorf("line %d: label %q defined twice", ln, name)
			}
			st.a.Bind(st.label(name))
		}
		s = strings.TrimSpace(s[i+1:])
	}
	if s == "" || strings.HasPrefix(s, ".") && (strings.HasPrefix(s, ".p2align") || strings.HasPrefix(s, ".align")) {
		return nil
	}
	mn, rest, _ := strings.Cut(strings.Replace(s, "\t", " ", -1), " ")
	mn = strings.ToLower(mn)
	rest = strings.TrimSpace(rest)
	// "lock cmpxchgl ...", "rep stosb": a prefix then an instruction.
	if b, ok := attTabs().fixed[mn]; ok && rest != "" && (mn == "lock" || strings.HasPrefix(mn, "rep")) {
		st.a.Raw(b)
		return st.stmt(rest, ln)
	}
	if rest == "" {
		if b, ok := attTabs().fixed[mn]; ok {
			st.a.Raw(b)
			return nil
		}
	}
	ops, err := st.operands(rest)
	if err != nil {
		return fmt.Errorf("line %d: %q: %v", ln, s, err)
	}
	if err := st.inst(mn, ops); err != nil {
		return fmt.Errorf("line %d: %q: %v", ln, s, err)
	}
	return nil
}

func (st *attState) operands(s string) ([]attOp, error) {
	if s == "" {
		return nil, nil
	}
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, s[start:])
	ops := make([]attOp, 0, len(parts))
	for _, p := range parts {
		op, err := parseATTOperand(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func parseATTInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", s)
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

func parseATTOperand(s string) (attOp, error) {
	switch {
	case s == "":
		return attOp{}, fmt.Errorf("empty operand")
	case s[0] == '%':
		ri, ok := attTabs().reg[strings.ToLower(s[1:])]
		if !ok {
			return attOp{}, fmt.Errorf("unknown register %s", s)
		}
		return attOp{kind: atReg, r: ri.r, sz: ri.sz, high: ri.high}, nil
	case s[0] == '$':
		v, err := parseATTInt(s[1:])
		if err != nil {
			return attOp{}, fmt.Errorf("immediate %s: %v", s, err)
		}
		return attOp{kind: atImm, imm: v}, nil
	case strings.HasSuffix(s, ")"):
		i := strings.IndexByte(s, '(')
		if i < 0 {
			return attOp{}, fmt.Errorf("bad memory operand %s", s)
		}
		m := Mem{Base: NoReg, Index: NoReg, Scale: 1}
		if d := strings.TrimSpace(s[:i]); d != "" {
			v, err := parseATTInt(d)
			if err != nil || v != int64(int32(v)) {
				return attOp{}, fmt.Errorf("displacement %q is not a 32-bit number", d)
			}
			m.Disp = int32(v)
		}
		f := strings.Split(s[i+1:len(s)-1], ",")
		if len(f) > 3 {
			return attOp{}, fmt.Errorf("bad memory operand %s", s)
		}
		reg := func(t string) (Reg, error) {
			t = strings.TrimSpace(t)
			if t == "" {
				return NoReg, nil
			}
			ri, ok := attTabs().reg[strings.TrimPrefix(strings.ToLower(t), "%")]
			if !strings.HasPrefix(t, "%") || !ok || ri.sz != 8 {
				return NoReg, fmt.Errorf("bad address register %s in %s", t, s)
			}
			return ri.r, nil
		}
		var err error
		if m.Base, err = reg(f[0]); err != nil {
			return attOp{}, err
		}
		if len(f) > 1 {
			if m.Index, err = reg(f[1]); err != nil {
				return attOp{}, err
			}
		}
		if len(f) > 2 {
			sc, err := strconv.Atoi(strings.TrimSpace(f[2]))
			if err != nil || sc != 1 && sc != 2 && sc != 4 && sc != 8 {
				return attOp{}, fmt.Errorf("bad scale in %s", s)
			}
			m.Scale = uint8(sc)
		}
		if m.Base == NoReg && m.Index == NoReg {
			return attOp{}, fmt.Errorf("memory operand %s without a register", s)
		}
		return attOp{kind: atMem, m: m}, nil
	}
	if v, err := parseATTInt(s); err == nil {
		if v != int64(int32(v)) {
			return attOp{}, fmt.Errorf("absolute address %s out of range", s)
		}
		return attOp{kind: atMem, m: Mem{Base: NoReg, Index: NoReg, Scale: 1, Disp: int32(v)}}, nil
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return attOp{}, fmt.Errorf("unsupported operand %s", s)
		}
	}
	return attOp{kind: atLabel, label: s}, nil
}

// attSize returns the operand size: the suffix's, else the register
// operands' (which must agree).
func attSize(suffix Size, ops []attOp) (Size, error) {
	sz := suffix
	for _, o := range ops {
		if o.kind == atReg {
			if sz == 0 {
				sz = o.sz
			} else if o.sz != sz {
				return 0, fmt.Errorf("operand size mismatch (%s is %d bytes, the instruction %d)", o.r.Name(o.sz), o.sz, sz)
			}
		}
	}
	if sz == 0 {
		return 0, fmt.Errorf("operand size unknown (add a b/w/l/q suffix)")
	}
	return sz, nil
}

func attSuffixSize() map[byte]Size { return map[byte]Size{'b': 1, 'w': 2, 'l': 4, 'q': 8} }

// enc encodes "op reg, r/m" at size sz: opcode o (o8 for bytes; the
// 0x66 prefix for words, REX.W for quadwords), pfx a mandatory prefix.
func (st *attState) enc(pfx byte, sz Size, o8, o opc, reg attOp, rm attOp, immLen int) error {
	a := st.a
	if sz == 1 {
		o = o8
	}
	if sz == 2 {
		if pfx != 0 {
			return fmt.Errorf("16-bit form not supported")
		}
		pfx = 0x66
	}
	forceRex := sz == 1 && (reg.kind == atReg && byteRex(reg.r) && !reg.high || rm.kind == atReg && byteRex(rm.r) && !rm.high)
	if reg.high || rm.kind == atReg && rm.high {
		if reg.r >= R8 || rm.kind == atReg && rm.r >= R8 || forceRex || rm.kind == atMem && (rm.m.Base >= R8 && rm.m.Base != RIP && rm.m.Base != NoReg || rm.m.Index >= R8 && rm.m.Index != NoReg) {
			return fmt.Errorf("%%ah/%%bh/%%ch/%%dh cannot be used with a register that needs REX")
		}
	}
	if rm.kind == atReg {
		a.rr(pfx, sz == 8, o, reg.r, rm.r, forceRex)
	} else if rm.kind == atMem {
		a.rm(pfx, sz == 8, o, reg.r, rm.m, immLen, forceRex)
	} else {
		return fmt.Errorf("bad operand")
	}
	return nil
}

// prefixes emits the operand-size prefix and the REX prefix an
// instruction with its register in the opcode byte (or none) needs at
// size sz.
func (st *attState) prefixes(sz Size, r attOp) error {
	if sz == 2 {
		st.a.b(0x66)
	}
	rex := byte(0)
	if sz == 8 {
		rex |= 8
	}
	if r.kind == atReg {
		rex |= r.r.hi()
		if sz == 1 && byteRex(r.r) && !r.high {
			rex |= 0x40
		}
		if r.high && rex != 0 {
			return fmt.Errorf("%%ah/%%bh/%%ch/%%dh cannot be used with a register that needs REX")
		}
	}
	if rex != 0 {
		st.a.b(0x40 | rex)
	}
	return nil
}

func (st *attState) imm(sz Size, v int64) error {
	switch sz {
	case 1:
		if v < -128 || v > 255 {
			return fmt.Errorf("immediate %d does not fit a byte", v)
		}
		st.a.b(byte(v))
	case 2:
		if v < -32768 || v > 65535 {
			return fmt.Errorf("immediate %d does not fit a word", v)
		}
		st.a.b(byte(v), byte(v>>8))
	default:
		if sz == 4 && (v < -1<<31 || v > 1<<32-1) || sz == 8 && v != int64(int32(v)) {
			return fmt.Errorf("immediate %d does not fit 32 bits", v)
		}
		st.a.imm32(int32(v))
	}
	return nil
}

func immBytes(sz Size) int {
	if sz == 8 {
		return 4
	}
	return int(sz)
}

func attAluByName() map[string]ALUOp {
	return map[string]ALUOp{"add": Add, "or": Or, "adc": Adc, "sbb": Sbb, "and": And, "sub": Sub, "xor": Xor, "cmp": Cmp}
}
func attShiftByName() map[string]byte {
	return map[string]byte{"rol": 0, "ror": 1, "rcl": 2, "rcr": 3, "shl": 4, "sal": 4, "shr": 5, "sar": 7}
}

var grp3ByName = map[string]byte{"not": 2, "neg": 3, "mul": 4, "imul": 5, "div": 6, "idiv": 7}

// inst encodes one instruction with operands (AT&T order: sources first).
func (st *attState) inst(mn string, ops []attOp) error {
	a := st.a
	// Jumps and condition-code families first (their names end in
	// letters that look like size suffixes).
	if mn == "jmp" || strings.HasPrefix(mn, "j") && len(ops) == 1 && ops[0].kind == atLabel {
		if len(ops) != 1 || ops[0].kind != atLabel {
			return fmt.Errorf("only jumps to labels of the same asm are supported")
		}
		l, err := st.target(ops[0].label)
		if err != nil {
			return err
		}
		if mn == "jmp" {
			a.Jmp(l)
			return nil
		}
		cc, ok := attTabs().cond[mn[1:]]
		if !ok {
			return fmt.Errorf("unsupported instruction %q", mn)
		}
		a.Jcc(cc, l)
		return nil
	}
	if strings.HasPrefix(mn, "set") {
		if cc, ok := attTabs().cond[mn[3:]]; ok {
			if len(ops) != 1 || ops[0].kind == atReg && ops[0].sz != 1 || ops[0].kind != atReg && ops[0].kind != atMem {
				return fmt.Errorf("%s takes a byte register or memory", mn)
			}
			return st.enc(0, 1, op2(0x0f, 0x90|byte(cc)), op2(0x0f, 0x90|byte(cc)), attOp{kind: atDigit, r: 0}, ops[0], 0)
		}
	}
	if mn == "cmpxchg16b" || mn == "cmpxchg8b" {
		// cmpxchg16b m128 (REX.W 0F C7 /1; with lock, a 16-byte atomic
		// compare-and-swap of RDX:RAX against m, storing RCX:RBX) and
		// cmpxchg8b m64 (0F C7 /1).
		if len(ops) != 1 || ops[0].kind != atMem {
			return fmt.Errorf("%s takes one memory operand", mn)
		}
		sz := Size(4)
		if mn == "cmpxchg16b" {
			sz = 8
		}
		return st.enc(0, sz, op2(0x0f, 0xc7), op2(0x0f, 0xc7), attOp{kind: atDigit, r: 1}, ops[0], 0)
	}
	if strings.HasPrefix(mn, "cmov") {
		name := mn[4:]
		sfx := Size(0)
		cc, ok := attTabs().cond[name]
		if !ok && len(name) > 1 {
			if s, isSfx := attTabs().suffix[name[len(name)-1]]; isSfx {
				cc, ok = attTabs().cond[name[:len(name)-1]]
				sfx = s
			}
		}
		if ok {
			if len(ops) != 2 || ops[1].kind != atReg {
				return fmt.Errorf("%s takes a source and a destination register", mn)
			}
			sz, err := attSize(sfx, ops)
			if err != nil || sz == 1 {
				return fmt.Errorf("%s: bad operand size", mn)
			}
			o := op2(0x0f, 0x40|byte(cc))
			return st.enc(0, sz, o, o, ops[1], ops[0], 0)
		}
	}
	base, sfx := mn, Size(0)
	if !attTabs().base[mn] {
		if s, ok := attTabs().suffix[mn[len(mn)-1]]; ok && attTabs().base[mn[:len(mn)-1]] {
			base, sfx = mn[:len(mn)-1], s
		} else {
			return fmt.Errorf("unsupported instruction %q", mn)
		}
	}
	// movzbl, movsbq, movslq, ...: a source size and a destination size.
	switch base {
	case "movzb", "movzw", "movsb", "movsw", "movsl":
		if len(ops) != 2 || ops[1].kind != atReg || sfx == 0 && ops[1].sz == 0 {
			return fmt.Errorf("%s takes a source and a destination register", mn)
		}
		dsz := ops[1].sz
		if sfx != 0 && sfx != dsz {
			return fmt.Errorf("%s: destination size mismatch", mn)
		}
		src := ops[0]
		var ssz Size = 1
		if base[4] == 'w' {
			ssz = 2
		} else if base[4] == 'l' {
			ssz = 4
		}
		if src.kind == atReg && src.sz != ssz || ssz >= dsz {
			return fmt.Errorf("%s: operand sizes", mn)
		}
		var o opc
		switch base {
		case "movzb":
			o = op2(0x0f, 0xb6)
		case "movzw":
			o = op2(0x0f, 0xb7)
		case "movsb":
			o = op2(0x0f, 0xbe)
		case "movsw":
			o = op2(0x0f, 0xbf)
		case "movsl":
			if dsz != 8 {
				return fmt.Errorf("movslq needs a 64-bit destination")
			}
			o = op1(0x63)
		}
		if ssz == 1 && src.kind == atReg && byteRex(src.r) && !src.high {
			// sil/dil/spl/bpl as a source need REX.
			if dsz == 2 {
				a.b(0x66)
			}
			a.rr(0, dsz == 8, o, ops[1].r, src.r, true)
			return nil
		}
		return st.enc(0, dsz, o, o, ops[1], src, 0)
	}
	sizeOps := ops
	if _, isShift := attTabs().shift[base]; isShift && len(ops) == 2 && ops[0].kind == atReg && ops[0].r == RCX && ops[0].sz == 1 {
		sizeOps = ops[1:] // the %cl count does not decide the size
	}
	sz, err := attSize(sfx, sizeOps)
	if err != nil && base != "push" && base != "pop" && base != "bswap" && base != "clflush" {
		return err
	}
	two := len(ops) == 2
	switch base {
	case "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp":
		op := attTabs().alu[base]
		if !two {
			return fmt.Errorf("%s takes two operands", mn)
		}
		src, dst := ops[0], ops[1]
		switch {
		case src.kind == atImm && dst.kind == atReg && dst.r == RAX && !dst.high && (sz == 1 || src.imm < -128 || src.imm > 127):
			// The accumulator's short form (as assemblers pick it).
			if err := st.prefixes(sz, dst); err != nil {
				return err
			}
			o := byte(op)<<3 | 5
			if sz == 1 {
				o--
			}
			a.b(o)
			a.Insts++
			return st.imm(sz, src.imm)
		case src.kind == atImm && (dst.kind == atReg || dst.kind == atMem):
			if sz != 1 && src.imm >= -128 && src.imm <= 127 {
				if err := st.enc(0, sz, op1(0x83), op1(0x83), attOp{kind: atDigit, r: Reg(op)}, dst, 1); err != nil {
					return err
				}
				a.b(byte(src.imm))
				return nil
			}
			if err := st.enc(0, sz, op1(0x80), op1(0x81), attOp{kind: atDigit, r: Reg(op)}, dst, immBytes(sz)); err != nil {
				return err
			}
			return st.imm(sz, src.imm)
		case src.kind == atReg && (dst.kind == atReg || dst.kind == atMem):
			return st.enc(0, sz, op1(byte(op)<<3), op1(byte(op)<<3|1), src, dst, 0)
		case src.kind == atMem && dst.kind == atReg:
			return st.enc(0, sz, op1(byte(op)<<3|2), op1(byte(op)<<3|3), dst, src, 0)
		}
	case "mov", "movabs":
		if !two {
			return fmt.Errorf("%s takes two operands", mn)
		}
		src, dst := ops[0], ops[1]
		switch {
		case src.kind == atImm && dst.kind == atReg:
			switch {
			case sz == 8 && (src.imm != int64(int32(src.imm)) || base == "movabs"):
				a.MovRI(dst.r, src.imm)
				return nil
			case sz == 8:
				if err := st.enc(0, 8, op1(0xc7), op1(0xc7), attOp{kind: atDigit, r: 0}, dst, 4); err != nil {
					return err
				}
				return st.imm(4, src.imm)
			case sz == 1:
				if err := st.prefixes(1, dst); err != nil {
					return err
				}
				a.b(0xb0 | dst.r.low())
				a.Insts++
				return st.imm(1, src.imm)
			default:
				if err := st.prefixes(sz, dst); err != nil {
					return err
				}
				a.b(0xb8 | dst.r.low())
				a.Insts++
				return st.imm(sz, src.imm)
			}
		case src.kind == atImm && dst.kind == atMem:
			if err := st.enc(0, sz, op1(0xc6), op1(0xc7), attOp{kind: atDigit, r: 0}, dst, immBytes(sz)); err != nil {
				return err
			}
			return st.imm(sz, src.imm)
		case src.kind == atReg && (dst.kind == atReg || dst.kind == atMem):
			return st.enc(0, sz, op1(0x88), op1(0x89), src, dst, 0)
		case src.kind == atMem && dst.kind == atReg:
			return st.enc(0, sz, op1(0x8a), op1(0x8b), dst, src, 0)
		}
	case "test":
		if !two {
			return fmt.Errorf("test takes two operands")
		}
		src, dst := ops[0], ops[1]
		if src.kind == atImm && dst.kind == atReg && dst.r == RAX && !dst.high {
			if err := st.prefixes(sz, dst); err != nil {
				return err
			}
			if sz == 1 {
				a.b(0xa8)
			} else {
				a.b(0xa9)
			}
			a.Insts++
			return st.imm(sz, src.imm)
		}
		if src.kind == atImm {
			if err := st.enc(0, sz, op1(0xf6), op1(0xf7), attOp{kind: atDigit, r: 0}, dst, immBytes(sz)); err != nil {
				return err
			}
			return st.imm(sz, src.imm)
		}
		if src.kind == atMem {
			src, dst = dst, src
		}
		if src.kind == atReg {
			return st.enc(0, sz, op1(0x84), op1(0x85), src, dst, 0)
		}
	case "xchg":
		if !two {
			return fmt.Errorf("xchg takes two operands")
		}
		r, m := ops[1], ops[0]
		if r.kind != atReg {
			r, m = m, r
		}
		if sz != 1 && r.kind == atReg && m.kind == atReg && (r.r == RAX) != (m.r == RAX) {
			// xchg with the accumulator: 0x90+r.
			if r.r == RAX {
				r, m = m, r
			}
			if err := st.prefixes(sz, r); err != nil {
				return err
			}
			a.b(0x90 | r.r.low())
			a.Insts++
			return nil
		}
		if r.kind == atReg && (m.kind == atReg || m.kind == atMem) {
			return st.enc(0, sz, op1(0x86), op1(0x87), r, m, 0)
		}
	case "xadd", "cmpxchg":
		if two && ops[0].kind == atReg && (ops[1].kind == atReg || ops[1].kind == atMem) {
			o8, o := op2(0x0f, 0xc0), op2(0x0f, 0xc1)
			if base == "cmpxchg" {
				o8, o = op2(0x0f, 0xb0), op2(0x0f, 0xb1)
			}
			return st.enc(0, sz, o8, o, ops[0], ops[1], 0)
		}
	case "lea":
		if two && ops[0].kind == atMem && ops[1].kind == atReg && sz != 1 {
			return st.enc(0, sz, op1(0x8d), op1(0x8d), ops[1], ops[0], 0)
		}
	case "inc", "dec":
		if len(ops) == 1 && (ops[0].kind == atReg || ops[0].kind == atMem) {
			d := Reg(0)
			if base == "dec" {
				d = 1
			}
			return st.enc(0, sz, op1(0xfe), op1(0xff), attOp{kind: atDigit, r: d}, ops[0], 0)
		}
	case "not", "neg", "mul", "div", "idiv", "imul":
		if len(ops) == 1 && (ops[0].kind == atReg || ops[0].kind == atMem) {
			return st.enc(0, sz, op1(0xf6), op1(0xf7), attOp{kind: atDigit, r: Reg(grp3ByName[base])}, ops[0], 0)
		}
		if base == "imul" && two && ops[1].kind == atReg && ops[0].kind != atImm && sz != 1 {
			return st.enc(0, sz, op2(0x0f, 0xaf), op2(0x0f, 0xaf), ops[1], ops[0], 0)
		}
		if base == "imul" && len(ops) == 3 && ops[0].kind == atImm && ops[2].kind == atReg && sz != 1 {
			if ops[0].imm >= -128 && ops[0].imm <= 127 {
				if err := st.enc(0, sz, op1(0x6b), op1(0x6b), ops[2], ops[1], 1); err != nil {
					return err
				}
				a.b(byte(ops[0].imm))
				return nil
			}
			if err := st.enc(0, sz, op1(0x69), op1(0x69), ops[2], ops[1], immBytes(sz)); err != nil {
				return err
			}
			return st.imm(sz, ops[0].imm)
		}
	case "rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar":
		d := attOp{kind: atDigit, r: Reg(attTabs().shift[base])}
		switch {
		case len(ops) == 1 && ops[0].kind != atImm:
			return st.enc(0, sz, op1(0xd0), op1(0xd1), d, ops[0], 0)
		case two && ops[0].kind == atImm:
			if ops[0].imm == 1 {
				return st.enc(0, sz, op1(0xd0), op1(0xd1), d, ops[1], 0)
			}
			if err := st.enc(0, sz, op1(0xc0), op1(0xc1), d, ops[1], 1); err != nil {
				return err
			}
			if ops[0].imm < 0 || ops[0].imm > 255 {
				return fmt.Errorf("shift count %d", ops[0].imm)
			}
			a.b(byte(ops[0].imm))
			return nil
		case two && ops[0].kind == atReg && ops[0].r == RCX && ops[0].sz == 1:
			return st.enc(0, sz, op1(0xd2), op1(0xd3), d, ops[1], 0)
		}
	case "bswap":
		if len(ops) == 1 && ops[0].kind == atReg && (ops[0].sz == 4 || ops[0].sz == 8) && (sfx == 0 || sfx == ops[0].sz) {
			r := ops[0].r
			rex := byte(0)
			if ops[0].sz == 8 {
				rex |= 8
			}
			rex |= r.hi()
			if rex != 0 {
				a.b(0x40 | rex)
			}
			a.b(0x0f, 0xc8|r.low())
			a.Insts++
			return nil
		}
	case "bsf", "bsr", "popcnt", "lzcnt", "tzcnt":
		if two && ops[1].kind == atReg && ops[0].kind != atImm && sz != 1 {
			pfx := byte(0)
			o := op2(0x0f, 0xbc)
			switch base {
			case "bsr":
				o = op2(0x0f, 0xbd)
			case "popcnt":
				pfx, o = 0xf3, op2(0x0f, 0xb8)
			case "lzcnt":
				pfx, o = 0xf3, op2(0x0f, 0xbd)
			case "tzcnt":
				pfx = 0xf3
			}
			return st.enc(pfx, sz, o, o, ops[1], ops[0], 0)
		}
	case "bt", "bts", "btr", "btc":
		d := map[string]byte{"bt": 4, "bts": 5, "btr": 6, "btc": 7}[base]
		if two && ops[0].kind == atImm && sz != 1 {
			if err := st.enc(0, sz, op2(0x0f, 0xba), op2(0x0f, 0xba), attOp{kind: atDigit, r: Reg(d)}, ops[1], 1); err != nil {
				return err
			}
			a.b(byte(ops[0].imm))
			return nil
		}
		if two && ops[0].kind == atReg && sz != 1 {
			o := op2(0x0f, 0x83|d<<3)
			return st.enc(0, sz, o, o, ops[0], ops[1], 0)
		}
	case "clflush":
		if len(ops) == 1 && ops[0].kind == atMem {
			return st.enc(0, 4, op2(0x0f, 0xae), op2(0x0f, 0xae), attOp{kind: atDigit, r: 7}, ops[0], 0)
		}
	case "push", "pop":
		if len(ops) == 1 && ops[0].kind == atReg && ops[0].sz == 8 && (sfx == 0 || sfx == 8) {
			if base == "push" {
				a.Push(ops[0].r)
			} else {
				a.Pop(ops[0].r)
			}
			return nil
		}
		if len(ops) == 1 && ops[0].kind == atImm && base == "push" && ops[0].imm == int64(int32(ops[0].imm)) {
			if v := ops[0].imm; v >= -128 && v <= 127 {
				a.b(0x6a, byte(v))
			} else {
				a.b(0x68)
				a.imm32(int32(v))
			}
			a.Insts++
			return nil
		}
	}
	return fmt.Errorf("unsupported operands for %q", mn)
}

// target returns the label a jump names: "Nb" the last definition of
// numeric label N, "Nf" the next, else a named label.
func (st *attState) target(name string) (Label, error) {
	if n := len(name); n > 1 && isDigits(name[:n-1]) {
		num := name[:n-1]
		k := st.defs[num]
		switch name[n-1] {
		case 'b':
			if k == 0 {
				return 0, fmt.Errorf("label %s: no earlier %s:", name, num)
			}
			return st.label(fmt.Sprintf("%s#%d", num, k-1)), nil
		case 'f':
			return st.label(fmt.Sprintf("%s#%d", num, k)), nil
		}
	}
	if isDigits(name) {
		return 0, fmt.Errorf("label %s: numeric labels are referenced as %sb or %sf", name, name, name)
	}
	return st.label(name), nil
}
