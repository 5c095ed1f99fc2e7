package ir

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gorc-jit/gorc/internal/diag"
)

// Error is a syntax or semantic error in IR text, printed as
// "FILE:LINE:COL: error: MSG". Source is the text of line Line, so that
// a tool can show it with a caret under column Col (Caret), as clang and
// llc do.
type Error struct {
	File      string
	Line, Col int // 1-based; Col counts bytes
	Msg       string
	Source    string // line Line of the input, without its newline ("" if unknown)
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: error: %s", e.File, e.Line, e.Col, e.Msg)
}

// maxCaretLine is the widest part of a source line Caret shows.
const maxCaretLine = 120

// Caret returns the source line of the error and, below it, a caret under
// its column (two lines, each ending in a newline), or "" when the line
// is unknown. Tabs before the column are kept so the caret lines up in a
// terminal; a long line is cut to maxCaretLine bytes around the column,
// with "..." where it was cut.
func (e *Error) Caret() string {
	line := e.Source
	if line == "" {
		return ""
	}
	col := max(e.Col-1, 0) // byte offset of the caret in line
	col = min(col, len(line))
	pre, post := "", ""
	if len(line) > maxCaretLine {
		start := max(0, col-maxCaretLine/2)
		end := min(len(line), start+maxCaretLine)
		if start > 0 {
			pre = "..."
		}
		if end < len(line) {
			post = "..."
		}
		line, col = line[start:end], col-start
	}
	line = strings.ToValidUTF8(line, "?")
	var b strings.Builder
	b.WriteString(pre + line + post + "\n")
	b.WriteString(strings.Repeat(" ", len(pre)))
	for _, r := range line[:min(col, len(line))] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteString("^\n")
	return b.String()
}

// sourceLine returns line n (1-based) of src without its line end.
func sourceLine(src []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return ""
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimSuffix(string(src), "\r")
}

// Parse reads a module in LLVM IR text syntax (the subset described in the
// package documentation). Harmless constructs outside the subset (comments,
// source_filename, target lines, attribute groups, metadata, parameter and
// function attributes, linkage and visibility keywords, fast-math flags,
// alignment) are accepted and dropped where gorc has no use for them;
// anything else is an *Error naming file, line and column.
func Parse(filename string, src []byte) (m *Module, err error) {
	p := &parser{file: filename, lx: lexer{src: src, line: 1}, arena: new(InstrArena), ownArena: true}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				t := p.tok
				e = &Error{File: filename, Line: t.line, Col: t.col, Msg: fmt.Sprintf("internal parser error: %v", r)}
			}
			e.Source = sourceLine(src, e.Line)
			m, err = nil, e
		}
	}()
	p.next()
	p.m = NewModule("")
	p.module()
	return p.m, nil
}

// ParseString is Parse for a string.
func ParseString(filename, src string) (*Module, error) { return Parse(filename, []byte(src)) }

type parser struct {
	typeDepth int // nesting of the array type being parsed
	// hdrParams, hdrNames, hdrToks: funcHeader's scratch for a header's
	// parameters, copied out at their exact length (one allocation each
	// per function, not one per doubling).
	hdrParams []*Type
	hdrNames  []string
	hdrToks   []token
	file      string
	lx        lexer
	tok       token
	prev      token
	m         *Module
	fname     string // the name the function being parsed had in the source (blockaddr.go)

	// module-level forward references: @name used before its definition.
	gfwd map[string]*fwdRef
	// aliases are the module's aliases, resolved at its end
	// (resolveAliases): an alias usually comes before its target.
	aliases []pendingAlias
	// ifuncs are the module's ifuncs, their resolvers looked up at its
	// end (resolveIFuncs).
	ifuncs []pendingIFunc

	// lazy (ParseLazy): function bodies are skipped and recorded.
	lazy    bool
	pending map[*Function]*pendingBody

	// per-function state
	f      *Function
	locals map[string]Value
	blocks map[string]*Block
	bdef   map[*Block]bool
	bref   map[*Block]token
	fwd    map[string]*fwdRef
	nextID int
	// arena is where instructions and blocks come from: the caller's
	// (LazyBodies.ParseBodyInto) or, owned, the parser's own, whose
	// chunks stay with the functions parsed (never detached nor
	// released: chunks instead of an allocation each).
	arena    *InstrArena
	ownArena bool
	heap     *InstrArena // a pooled body parser's own arena (LazyBodies.parseBody)
	// floats and ints are the unused rest of chunks the constants of
	// instructions come from (constFloat, constInt).
	floats []ConstFloat
	ints   []ConstInt

	// names is the chunk keep copies names into (its unused rest).
	names []byte
	// types is scratch for a call's argument types; callTypes the call
	// types made so far (callType).
	types     []*Type
	callTypes []*Type

	// libcNeeded are the libc and libm functions that calls of
	// intrinsics became, declared at the module's end (ensureLibc).
	libcNeeded map[string]*Type
	// wideLib: a lazy parse of a module that may do i128 arithmetic in
	// its skipped bodies; ensureLibc declares libgcc's functions for it.
	wideLib bool
	// wideAtomicLib: such a module may also hold i128 atomics below align
	// 16, which call libatomic's generic functions (wideAtomicLibs).
	wideAtomicLib bool
	// lazyBody: this parser reads one body of a lazily parsed module,
	// whose declarations are complete (wideint.go's libgcc calls).
	lazyBody bool
	// switches are the function's switch instructions, lowered when its
	// body is read (lowerSwitches).
	switches []*pendingSwitch
	// invokeAggs are the function's invokes returning a struct (eh.go).
	invokeAggs []invokeAgg
	// emit are the instructions an instruction on aggregate values became
	// (aggregate.go), in place of the one instruction parsed; aggRes is
	// its result (an *aggValue, or the scalar an extractvalue picked);
	// emitPhis says emit are phis (constant expressions among their
	// operands go to the entry block).
	emit     []*Instr
	aggRes   Value
	emitPhis bool
	// pre are the instructions that constant expressions among the
	// operands of the instruction being parsed became (materialize).
	pre []*Instr
	// entryPre are instructions for the start of the entry block of the
	// function being read (unpacking its <2 x float> parameters).
	entryPre []*Instr
	// vecParams (lazy parse): the vecs of the functions whose bodies are
	// deferred, for the LazyBodies.
	vecParams map[*Function][]*Type
	// typeRefs are the named types used before their definition, with
	// the first use (module-level parse only).
	typeRefs map[*Type]token
	typeDefs map[*Type]token // where each named type is defined (finishTypes' errors)
}

// keep returns a copy of s, a token's text (which aliases the source),
// for the module to keep: names are copied into chunks shared by many, one
// allocation for a few hundred names instead of one each.
func (p *parser) keep(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > nameChunk/8 {
		return strings.Clone(s)
	}
	if cap(p.names)-len(p.names) < len(s) {
		p.names = make([]byte, 0, nameChunk)
	}
	i := len(p.names)
	p.names = append(p.names, s...)
	return unsafe.String(&p.names[i], len(s))
}

// nameChunk is the size of the chunks parser.keep copies names into.
const nameChunk = 4096

// fwdRef is a placeholder for a value used before its definition.
type fwdRef struct {
	name   string
	typ    *Type
	tok    token
	global bool
}

func (r *fwdRef) Type() *Type { return r.typ }
func (r *fwdRef) Ident() string {
	if r.global {
		return "@" + r.name
	}
	return "%" + r.name
}

func (p *parser) next() {
	p.prev = p.tok
	p.lx.next(&p.tok)
	if p.tok.kind == tBad {
		p.failAt(p.tok, "%s", p.tok.text)
	}
}

func (p *parser) failAt(t token, format string, args ...any) {
	panic(&Error{File: p.file, Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, diag.ClipArgs(args)...)})
}

func (p *parser) fail(format string, args ...any) { p.failAt(p.tok, format, args...) }

func (p *parser) isWord(w string) bool  { return p.tok.kind == tWord && p.tok.text == w }
func (p *parser) isPunct(s string) bool { return p.tok.kind == tPunct && p.tok.text == s }

func (p *parser) acceptWord(w string) bool {
	if p.isWord(w) {
		p.next()
		return true
	}
	return false
}

func (p *parser) acceptPunct(s string) bool {
	if p.isPunct(s) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectPunct(s string) {
	if !p.acceptPunct(s) {
		p.fail("expected '%s', found %v", s, p.tok)
	}
}

func (p *parser) expectWord(w string) {
	if !p.acceptWord(w) {
		p.fail("expected '%s', found %v", w, p.tok)
	}
}

// skipLine skips every token that starts on the current token's line.
func (p *parser) skipLine() {
	line := p.tok.line
	for p.tok.kind != tEOF && p.tok.line == line {
		p.next()
	}
}

// skipBalanced skips a parenthesised/bracketed group starting at the
// current opening token.
func (p *parser) skipBalanced() {
	depth := 0
	for {
		if p.tok.kind == tEOF {
			p.fail("unbalanced brackets")
		}
		if p.tok.kind == tPunct {
			switch p.tok.text {
			case "(", "[", "{", "<":
				depth++
			case ")", "]", "}", ">":
				depth--
			}
		}
		p.next()
		if depth <= 0 {
			return
		}
	}
}

func (p *parser) module() {
	for p.tok.kind != tEOF {
		switch {
		case p.isWord("source_filename"):
			p.next()
			p.expectPunct("=")
			if p.tok.kind != tString {
				p.fail("expected string after source_filename =")
			}
			p.m.SourceFilename = strings.Clone(p.tok.text)
			p.next()
		case p.isWord("target"):
			p.next()
			which := p.tok
			if !p.acceptWord("triple") && !p.acceptWord("datalayout") {
				p.fail("expected 'triple' or 'datalayout' after 'target'")
			}
			p.expectPunct("=")
			if p.tok.kind != tString {
				p.fail("expected string")
			}
			if which.text == "triple" {
				p.m.TargetTriple = strings.Clone(p.tok.text)
			} else {
				p.m.DataLayout = strings.Clone(p.tok.text)
			}
			p.next()
		case p.isWord("attributes"):
			p.next()
			if p.tok.kind != tAttrRef {
				p.fail("expected attribute group '#N'")
			}
			p.next()
			p.expectPunct("=")
			if !p.isPunct("{") {
				p.fail("expected '{'")
			}
			p.skipBalanced()
		case p.tok.kind == tMeta || p.isPunct("!"):
			p.skipMetadataDef()
		case p.isWord("module"):
			p.skipLine()
		case p.isWord("declare"):
			p.next()
			p.funcHeader(false)
		case p.isWord("define"):
			p.next()
			p.funcHeader(true)
		case p.tok.kind == tGlobal:
			p.globalVar()
		case p.tok.kind == tLocal:
			p.namedType()
		case p.tok.kind == tWord && strings.HasPrefix(p.tok.text, "$"):
			p.skipLine()
		default:
			p.fail("expected a top-level entity (define, declare, global variable), found %v", p.tok)
		}
	}
	p.ensureLibc()
	p.finishTypes()
	p.resolveIFuncs()
	p.resolveAliases()
	if len(p.gfwd) > 0 {
		var bad *fwdRef
		for _, r := range p.gfwd {
			if p.m.Lookup(r.name) == nil && (bad == nil || before(r.tok, bad.tok)) {
				bad = r
			}
		}
		if bad != nil {
			p.failAt(bad.tok, "use of undefined global '@%s'", bad.name)
		}
		for _, g := range p.m.Globals {
			if g.Init != nil {
				g.Init = p.resolveConst(g.Init).(Constant)
			}
		}
		for _, f := range p.m.Funcs {
			for _, b := range f.Blocks {
				for _, in := range b.Instrs {
					for i, v := range in.Ops {
						if r, ok := v.(*fwdRef); ok && r.global {
							in.Ops[i] = p.m.Lookup(r.name)
						}
					}
				}
			}
		}
	}
}

// skipMetadataDef skips "!name = ..." or "!0 = distinct !{...}" (possibly
// spanning lines when brackets are open).
func (p *parser) skipMetadataDef() {
	line := p.tok.line
	for p.tok.kind != tEOF && p.tok.line == line {
		if p.tok.kind == tPunct && strings.Contains("([{<", p.tok.text) {
			p.skipBalanced()
			continue
		}
		p.next()
	}
}

var linkageByName = map[string]Linkage{
	"internal": Internal, "private": Private, "linkonce_odr": LinkOnceODR, "weak": Weak,
	"extern_weak": ExternWeak, "common": Common, "external": External,
	"linkonce": LinkOnceODR, "weak_odr": Weak, "available_externally": External, "appending": Appending,
}

// ignoredWords are linkage-adjacent keywords, calling conventions and
// attributes that are accepted and dropped.
var ignoredWords = map[string]bool{
	"dso_local": true, "dso_preemptable": true, "hidden": true, "protected": true, "default": true,
	"unnamed_addr": true, "local_unnamed_addr": true, "ccc": true, "fastcc": true, "coldcc": true,
	"externally_initialized": true, "dllimport": true, "dllexport": true,
}

// valueWords are keywords that spell constants.
var valueWords = map[string]bool{"true": true, "false": true, "null": true, "undef": true, "poison": true, "zeroinitializer": true,
	"getelementptr": true, "ptrtoint": true, "inttoptr": true, "bitcast": true, "trunc": true, "sub": true, "add": true}

// retAttrs are return-value attributes accepted (and dropped) before a
// function's result type.
var retAttrs = map[string]bool{
	"noundef": true, "zeroext": true, "signext": true, "inreg": true, "noalias": true, "nonnull": true,
	"dereferenceable": true, "dereferenceable_or_null": true, "align": true, "noext": true, "range": true,
	"nofpclass": true, "nocapture": true,
}

func (p *parser) globalVar() {
	nameTok := p.tok
	name := p.keep(p.tok.text)
	p.next()
	p.expectPunct("=")
	g := &Global{Name: name, Module: p.m}
	external := false
	for p.tok.kind == tWord {
		w := p.tok.text
		if l, ok := linkageByName[w]; ok {
			g.Linkage = l
			external = external || w == "external" || w == "extern_weak"
		} else if w == "unnamed_addr" {
			g.UnnamedAddr = true
		} else if w == "thread_local" {
			g.ThreadLocal = true
			p.next()
			if p.acceptPunct("(") {
				if p.tok.kind != tWord {
					p.fail("expected a thread-local model, found %v", p.tok)
				}
				switch p.tok.text {
				case "localdynamic", "initialexec", "localexec", "generaldynamic":
				default:
					p.fail("unknown thread-local model '%s'", p.tok.text)
				}
				p.next()
				p.expectPunct(")")
			}
			continue
		} else if ignoredWords[w] {
		} else if w == "alias" {
			p.next()
			p.alias(nameTok, name, g.Linkage)
			return
		} else if w == "ifunc" {
			p.next()
			p.ifunc(nameTok, name, g.Linkage)
			return
		} else if w == "global" || w == "constant" {
			g.Constant = w == "constant"
			p.next()
			break
		} else {
			p.fail("unexpected %v in global variable definition", p.tok)
		}
		p.next()
	}
	if p.prev.text != "global" && p.prev.text != "constant" {
		p.fail("expected 'global' or 'constant'")
	}
	vt := p.tok
	g.ValueType = p.parseType()
	if containsVector(g.ValueType) {
		p.failAt(vt, "vector types are not supported in global variables")
	}
	if !external {
		g.Init = p.parseValue(g.ValueType).(Constant)
	}
	for p.acceptPunct(",") {
		switch {
		case p.acceptWord("align"):
			g.Align = p.parseAlignValue()
		case p.tok.kind == tMeta:
			p.skipMetaAttachment()
		case p.acceptWord("section"):
			if p.tok.kind != tString {
				p.fail("expected a section name string, found %v", p.tok)
			}
			g.Section = strings.Clone(p.tok.text)
			p.next()
		default:
			p.skipLine()
			goto done
		}
	}
done:
	if v := p.m.Lookup(name); v != nil {
		p.failAt(nameTok, "redefinition of global '@%s'", name)
	}
	p.m.Globals = append(p.m.Globals, g)
	p.m.syms[name] = g
}

// pendingAlias is an alias whose target is resolved at the module's end.
type pendingAlias struct {
	a       *Alias
	nameTok token // the alias's @name
	target  string
	tgtTok  token // the aliasee's @target
}

// alias parses the rest of `@name = [linkage...] alias TYPE, ptr @target`
// after 'alias'. The aliasee must be a global name: a constant expression
// (an alias into the middle of an object) is refused.
func (p *parser) alias(nameTok token, name string, l Linkage) {
	if l == Common || l == Appending || l == ExternWeak {
		p.failAt(nameTok, "alias '@%s' cannot have %v linkage", name, l)
	}
	a := &Alias{Name: name, Linkage: l}
	a.Type = p.parseType()
	if p.isPunct("(") { // a function type: its parameters are dropped
		p.skipBalanced()
		a.Type = nil
	}
	p.expectPunct(",")
	if !p.isTypeStart() {
		p.fail("expected the aliasee's type after 'alias %v,', found %v", a.Type, p.tok)
	}
	if t := p.parseType(); !t.IsPtr() {
		p.fail("alias '@%s': aliasee must be a pointer, found type '%v'", name, t)
	}
	if p.tok.kind != tGlobal {
		p.fail("alias '@%s': aliasee %v is not supported (only a global name: an alias of a constant expression is not)", name, p.tok)
	}
	tgt := pendingAlias{a: a, nameTok: nameTok, target: p.keep(p.tok.text), tgtTok: p.tok}
	p.next()
	// Trailing ", partition ..." or metadata attachments are dropped.
	for p.acceptPunct(",") {
		if p.tok.kind == tMeta {
			p.skipMetaAttachment()
			continue
		}
		p.skipLine()
		break
	}
	p.aliases = append(p.aliases, tgt)
}

// pendingIFunc is an ifunc whose resolver is looked up at the module's end.
type pendingIFunc struct {
	i       *IFunc
	nameTok token
	resTok  token // the resolver's @name
}

// ifunc parses the rest of `@name = [linkage...] ifunc TYPE, ptr @resolver`
// after 'ifunc'. TYPE is the function type callers see; the name becomes
// a declaration of that type (uses of it anywhere in the module are
// calls or addresses of the indirect function), and the resolver must
// be a function defined in the module.
func (p *parser) ifunc(nameTok token, name string, l Linkage) {
	switch l {
	case Common, Appending, ExternWeak:
		p.failAt(nameTok, "ifunc '@%s' cannot have %v linkage", name, l)
	}
	if p.m.Lookup(name) != nil {
		p.failAt(nameTok, "redefinition of global '@%s'", name)
	}
	for _, o := range p.aliases {
		if o.a.Name == name {
			p.failAt(nameTok, "redefinition of global '@%s'", name)
		}
	}
	tt := p.tok
	ret := p.parseType()
	if !p.isPunct("(") {
		p.failAt(tt, "ifunc '@%s': expected a function type, found '%v'", name, ret)
	}
	p.next()
	var params []*Type
	variadic := false
	for !p.isPunct(")") {
		if len(params) > 0 || variadic {
			p.expectPunct(",")
		}
		if p.acceptPunct("...") {
			variadic = true
			continue
		}
		if variadic {
			p.fail("'...' must be the last parameter")
		}
		pt := p.tok
		t := p.parseType()
		if !t.IsFirstClass() {
			p.failAt(pt, "invalid parameter type %v", t)
		}
		if isVector(t) || splitSig(t) || isAggType(t) {
			p.failAt(pt, "ifunc '@%s': parameter type '%v' is not supported (scalars and pointers only)", name, t)
		}
		params = append(params, t)
	}
	p.next()
	if isVector(ret) || splitSig(ret) || isAggType(ret) {
		p.failAt(tt, "ifunc '@%s': result type '%v' is not supported (scalars and pointers only)", name, ret)
	}
	p.expectPunct(",")
	if t := p.parseType(); !t.IsPtr() {
		p.fail("ifunc '@%s': resolver must be a pointer, found type '%v'", name, t)
	}
	if p.tok.kind != tGlobal {
		p.fail("ifunc '@%s': resolver %v is not supported (only a function name)", name, p.tok)
	}
	resTok := p.tok
	f, err := p.m.NewFunction(name, FuncType(ret, params, variadic), nil)
	if err != nil {
		p.failAt(nameTok, "redefinition of global '@%s'", name)
	}
	f.Linkage = External
	p.m.Funcs = p.m.Funcs[:len(p.m.Funcs)-1] // (NewFunction appends it)
	i := &IFunc{Name: name, Linkage: l, Func: f}
	p.ifuncs = append(p.ifuncs, pendingIFunc{i: i, nameTok: nameTok, resTok: resTok})
	p.m.syms[name] = f
	p.next()
	for p.acceptPunct(",") {
		if p.tok.kind == tMeta {
			p.skipMetaAttachment()
			continue
		}
		p.skipLine()
		break
	}
}

// resolveIFuncs gives each ifunc its resolver, a function defined in the
// module.
func (p *parser) resolveIFuncs() {
	if len(p.ifuncs) == 0 {
		return
	}
	p.m.IFuncs = make([]*IFunc, len(p.ifuncs))
	for k, pi := range p.ifuncs {
		name := pi.resTok.text
		r, ok := p.m.Lookup(name).(*Function)
		switch {
		case !ok:
			p.failAt(pi.resTok, "ifunc '@%s': resolver '@%s' is not a function defined in the module", pi.i.Name, name)
		case p.isIFunc(r):
			p.failAt(pi.resTok, "ifunc '@%s': resolver '@%s' is an ifunc", pi.i.Name, name)
		case r.IsDeclaration() && p.pending[r] == nil:
			p.failAt(pi.resTok, "ifunc '@%s': resolver '@%s' is a declaration: it must be defined in the module", pi.i.Name, name)
		}
		pi.i.Resolver = r
		p.m.IFuncs[k] = pi.i
	}
}

// isIFunc reports whether f is the declaration of one of the module's
// ifuncs (an alias of an ifunc is one more name for it).
func (p *parser) isIFunc(f *Function) bool {
	for _, pi := range p.ifuncs {
		if pi.i.Func == f {
			return true
		}
	}
	return false
}

// resolveAliases gives each alias its target (following aliases of
// aliases) and makes its name look up the target, so that uses of the
// alias anywhere in the module are uses of the target.
func (p *parser) resolveAliases() {
	if len(p.aliases) == 0 {
		return
	}
	byName := make(map[string]int, len(p.aliases))
	for i, pa := range p.aliases {
		if _, dup := byName[pa.a.Name]; dup || p.m.Lookup(pa.a.Name) != nil {
			p.failAt(pa.nameTok, "redefinition of global '@%s'", pa.a.Name)
		}
		byName[pa.a.Name] = i
	}
	for _, pa := range p.aliases {
		cur := pa
		for steps := 0; ; steps++ {
			if v := p.m.Lookup(cur.target); v != nil {
				switch x := v.(type) {
				case *Function:
					if x.IsDeclaration() && p.pending[x] == nil && !p.isIFunc(x) {
						p.failAt(cur.tgtTok, "alias '@%s' of '@%s', a declaration: an aliasee must be defined in the module", cur.a.Name, cur.target)
					}
				case *Global:
					if x.Init == nil {
						p.failAt(cur.tgtTok, "alias '@%s' of '@%s', a declaration: an aliasee must be defined in the module", cur.a.Name, cur.target)
					}
				}
				pa.a.Target = v
				break
			}
			j, ok := byName[cur.target]
			if !ok {
				p.failAt(cur.tgtTok, "alias '@%s' of undefined global '@%s'", cur.a.Name, cur.target)
			}
			if steps > len(p.aliases) {
				p.failAt(pa.nameTok, "alias '@%s' is part of a cycle of aliases", pa.a.Name)
			}
			cur = p.aliases[j]
		}
	}
	p.m.Aliases = make([]*Alias, len(p.aliases))
	for i, pa := range p.aliases {
		p.m.Aliases[i] = pa.a
		p.m.syms[pa.a.Name] = pa.a.Target
	}
}

func (p *parser) skipMetaAttachment() {
	p.next() // !name
	if p.tok.kind == tMeta {
		p.next()
	} else if p.isPunct("!") {
		p.next()
		if p.isPunct("{") || p.isPunct("(") {
			p.skipBalanced()
		}
	}
}

func (p *parser) parseIntLit() int64 {
	if p.tok.kind != tInt {
		p.fail("expected integer, found %v", p.tok)
	}
	v, err := strconv.ParseInt(p.tok.text, 10, 64)
	if err != nil {
		p.fail("integer %s out of range", p.tok.text)
	}
	p.next()
	return v
}

// maxAlign is the largest alignment accepted (LLVM's limit, 2^32).
const maxAlign = 1 << 32

// parseAlignValue parses the N of "align N": a power of two up to
// maxAlign, so that layout's rounding cannot overflow.
func (p *parser) parseAlignValue() int64 {
	tok := p.tok
	n := p.parseIntLit()
	if n <= 0 || n&(n-1) != 0 || n > maxAlign {
		p.failAt(tok, "alignment %d is not a power of two between 1 and 2^32", n)
	}
	return n
}

// isTypeStart reports whether the current token begins a type.
func (p *parser) isTypeStart() bool {
	if p.isPunct("[") || p.isPunct("{") || p.isPunct("<") {
		return true
	}
	if p.tok.kind == tLocal {
		return p.m != nil && p.m.typeNames[p.tok.text] != nil
	}
	if p.tok.kind != tWord {
		return false
	}
	switch t := p.tok.text; t {
	case "void", "double", "float", "ptr", "label", "half", "fp128", "x86_fp80", "bfloat", "ppc_fp128":
		return true
	default:
		return len(t) > 1 && t[0] == 'i' && allDigits(t[1:])
	}
}

func (p *parser) parseType() *Type {
	t := p.parseBaseType()
	for p.isPunct("*") { // typed pointers of older LLVM: T* is ptr
		p.next()
		t = Ptr
	}
	return t
}

// maxTypeDepth bounds the nesting of array types ([1 x [1 x ...]]): the
// parser and every walk over types recurse on it.
const maxTypeDepth = 256

func (p *parser) parseBaseType() *Type {
	tok := p.tok
	if p.acceptPunct("[") {
		p.typeDepth++
		if p.typeDepth > maxTypeDepth {
			p.failAt(tok, "type nests too deeply (limit %d)", maxTypeDepth)
		}
		n := p.parseIntLit()
		if n < 0 {
			p.failAt(tok, "negative array length")
		}
		p.expectWord("x")
		elem := p.parseType()
		if !elem.IsFirstClass() {
			p.failAt(tok, "invalid array element type %v", elem)
		}
		p.expectPunct("]")
		p.typeDepth--
		t := ArrayType(n, elem)
		if _, err := t.CheckSize(); err != nil {
			p.failAt(tok, "%v", err)
		}
		return t
	}
	if p.isPunct("{") {
		return p.structBody(tok, false)
	}
	if p.isPunct("<") {
		p.next()
		if p.tok.kind == tInt {
			return p.vectorType(tok)
		}
		if !p.isPunct("{") {
			p.failAt(tok, "vector types are not supported")
		}
		t := p.structBody(tok, true)
		p.expectPunct(">")
		return t
	}
	if p.tok.kind == tLocal {
		return p.namedTypeRef()
	}
	if p.tok.kind != tWord {
		p.fail("expected a type, found %v", p.tok)
	}
	w := p.tok.text
	p.next()
	switch w {
	case "void":
		return Void
	case "double":
		return F64
	case "float":
		return F32
	case "ptr":
		if p.isWord("addrspace") {
			p.fail("address spaces are not supported")
		}
		return Ptr
	case "label":
		return Label
	case "x86_fp80":
		return F80
	case "half", "bfloat", "fp128", "ppc_fp128":
		p.failAt(tok, "floating-point type %s is not supported (float, double and x86_fp80)", w)
	}
	if len(w) > 1 && w[0] == 'i' && allDigits(w[1:]) {
		n, _ := strconv.Atoi(w[1:])
		if t := IntType(n); t != nil {
			return t
		}
		if t := oddIntType(n); t != nil {
			return t
		}
		if t := wideIntType(n); t != nil {
			return t
		}
		p.failAt(tok, "integer type %s is not supported (i1 to i128)", w)
	}
	p.failAt(tok, "expected a type, found '%s'", w)
	return nil
}

// skipParamAttrs skips parameter/return attributes such as noundef,
// signext, align 8, dereferenceable(8), captures(none).
func (p *parser) skipParamAttrs() {
	for p.tok.kind == tWord && !p.isTypeStart() && !valueWords[p.tok.text] {
		w := p.tok.text
		p.next()
		if p.isPunct("(") {
			p.skipBalanced()
		} else if (w == "align" || w == "alignstack") && p.tok.kind == tInt {
			p.next()
		}
	}
}

// paramAttrs is skipParamAttrs for a parameter or call argument,
// returning the types of its byval(T) and sret(T) attributes (nil if
// none).
func (p *parser) paramAttrs() (byval, sret *Type) {
	for p.tok.kind == tWord && !p.isTypeStart() && !valueWords[p.tok.text] {
		w := p.tok.text
		p.next()
		if (w == "byval" || w == "sret") && p.isPunct("(") {
			p.next()
			tok := p.tok
			t := p.parseType()
			if _, err := t.CheckSize(); err != nil || !t.IsFirstClass() {
				p.failAt(tok, "invalid %s type '%v'", w, t)
			}
			p.expectPunct(")")
			if w == "byval" {
				byval = t
			} else {
				sret = t
			}
		} else if p.isPunct("(") {
			p.skipBalanced()
		} else if (w == "align" || w == "alignstack") && p.tok.kind == tInt {
			p.next()
		}
	}
	return byval, sret
}

// withByVal returns ft with byval types bvs (when any is set).
func withByVal(ft *Type, bvs []*Type) *Type {
	for _, b := range bvs {
		if b != nil {
			t := *ft
			t.ByVal = append([]*Type(nil), bvs...)
			return &t
		}
	}
	return ft
}

func (p *parser) funcHeader(define bool) {
	startTok := p.prev
	if !define && p.skipVectorIntrinsicDecl() {
		return
	}
	linkage := External
	// linkage, visibility, calling convention, return attributes
	for p.tok.kind == tWord && !p.isTypeStart() {
		w := p.tok.text
		if l, ok := linkageByName[w]; ok {
			linkage = l
			p.next()
			continue
		}
		if !ignoredWords[w] && !retAttrs[w] {
			p.fail("expected a type, found '%s'", w)
		}
		p.next()
		if p.isPunct("(") {
			p.skipBalanced()
		} else if w == "align" && p.tok.kind == tInt {
			p.next()
		}
	}
	retTok := p.tok
	ret := p.parseType()
	vecABI := isVector(ret) && splitSig(ret)
	if splitSig(ret) {
		ret = p.splitRet(retTok, ret)
	} else if isVector(ret) || hasVec2F(ret) {
		ret = p.abiType(retTok, ret)
	}
	p.noWideSig(retTok, ret)
	if isAggType(ret) && !flatStruct(ret) {
		p.failAt(retTok, "functions returning '%v' are not supported (a returned struct must have scalar fields only)", ret)
	}
	if p.tok.kind != tGlobal {
		p.fail("expected function name, found %v", p.tok)
	}
	nameTok := p.tok
	name := p.keep(p.tok.text)
	p.next()
	p.expectPunct("(")
	params, pnames, ptoks := p.hdrParams[:0], p.hdrNames[:0], p.hdrToks[:0]
	var byvals []*Type
	var vecs []*Type
	var sretType *Type
	sretIdx := 0
	variadic := false
	metaParams := false
	for !p.isPunct(")") {
		if len(pnames) > 0 || variadic || metaParams {
			p.expectPunct(",")
		}
		if p.acceptPunct("...") {
			variadic = true
			continue
		}
		if variadic {
			p.fail("'...' must be the last parameter")
		}
		if p.isWord("metadata") && !define && isDroppedIntrinsic(name) {
			// (Its calls are dropped: declare void
			// @llvm.experimental.noalias.scope.decl(metadata).)
			p.next()
			metaParams = true
			continue
		}
		tt := p.tok
		t := p.parseType()
		if !t.IsFirstClass() {
			p.fail("invalid parameter type %v", t)
		}
		var split []*Type
		if splitSig(t) {
			vecABI = vecABI || isVector(t)
			split = p.eightbytes(tt, t)
			if n := gprCount(params, byvals); isWideInt(t) && n > 4 {
				// No two registers left: the whole value on the stack,
				// 16-byte aligned (byval), and no later argument in the
				// last register, as clang-19 passes it (an unused i64
				// takes that register).
				split = []*Type{Ptr}
				if n == 5 {
					split = []*Type{I64, Ptr}
				}
				for len(byvals) < len(params)+len(split)-1 {
					byvals = append(byvals, nil)
				}
				byvals = append(byvals, t)
			}
		}
		if isVector(t) || split != nil {
			for len(vecs) < len(pnames) {
				vecs = append(vecs, nil)
			}
			vecs = append(vecs, t)
			if split == nil {
				t = p.abiType(tt, t)
			}
		}
		if split == nil {
			p.noWideSig(tt, t)
			p.noStructValue(tt, t)
		}
		bv, sr := p.paramAttrs()
		if sr != nil && t.IsPtr() && sretIdx == 0 {
			sretIdx, sretType = len(params)+1, sr
		}
		if bv != nil {
			if !t.IsPtr() {
				p.failAt(tt, "byval on a parameter of type '%v'", t)
			}
			for len(byvals) < len(params) {
				byvals = append(byvals, nil)
			}
			byvals = append(byvals, bv)
		}
		pn := ""
		ptok := p.tok
		if p.tok.kind == tLocal {
			if !p.tok.numeric {
				pn = p.keep(p.tok.text)
			} else {
				pn = "#" + p.tok.text // numbered; checked below
			}
			p.next()
		}
		if split != nil {
			params = append(params, split...)
		} else {
			params = append(params, t)
		}
		pnames = append(pnames, pn)
		ptoks = append(ptoks, ptok)
	}
	p.hdrParams, p.hdrNames, p.hdrToks = params, pnames, ptoks
	params = slices.Clone(params) // (nil when there are none, as before)
	if define {
		pnames, ptoks = slices.Clone(pnames), slices.Clone(ptoks)
	} else {
		pnames, ptoks = nil, nil
	}
	p.next() // ')'
	// Function attributes, attribute groups, section, metadata: skipped;
	// the personality kept.
	personality := ""
	for p.tok.kind != tEOF && !p.isPunct("{") {
		if define && (p.isWord("define") || p.isWord("declare")) {
			break
		}
		if define && p.isWord("personality") {
			p.next()
			p.parseType()
			if p.tok.kind != tGlobal {
				p.fail("expected the personality function, found %v", p.tok)
			}
			personality = p.keep(p.tok.text)
			p.next()
			continue
		}
		if !define && p.tok.line != nameTok.line {
			break
		}
		if p.isPunct("(") {
			p.skipBalanced()
			continue
		}
		p.next()
	}
	for byvals != nil && len(byvals) < len(params) {
		byvals = append(byvals, nil)
	}
	sig := withByVal(widenType(FuncType(ret, params, variadic)), byvals)
	if sretIdx > 0 && ret.IsVoid() {
		if sig.ByVal == nil {
			sig = widenType(FuncType(ret, params, variadic))
		}
		sig.SRet, sig.SRetType = sretIdx, sretType
	}
	if existing := p.m.Lookup(name); existing != nil {
		p.failAt(nameTok, "redefinition of '@%s'", name)
	}
	f := &Function{Name: name, Sig: sig, Module: p.m, Linkage: linkage, Personality: personality}
	if vecABI {
		// Looked up by its IR name; linked under the suffixed one.
		f.Name = name + VectorABISuffix
	}
	if len(params) > 0 {
		// The parameters in one block.
		ps := make([]Param, len(params))
		f.Params = make([]*Param, len(params))
		for i, t := range params {
			ps[i] = Param{Typ: t, Index: i, Func: f}
			f.Params[i] = &ps[i]
		}
	}
	if !metaParams {
		// (A dropped intrinsic taking metadata is known by name only:
		// no call of it is kept, and LLVM's declaration of it would
		// not print back.)
		p.m.Funcs = append(p.m.Funcs, f)
	}
	p.m.syms[name] = f
	if !define {
		widenParams(f)
		return
	}
	if !p.isPunct("{") {
		p.failAt(startTok, "expected '{' to begin the body of '@%s'", name)
	}
	if p.lazy {
		p.pending[f] = &pendingBody{lx: p.lx, pnames: pnames, ptoks: ptoks, name: name}
		if vecs != nil {
			if p.vecParams == nil {
				p.vecParams = make(map[*Function][]*Type)
			}
			p.vecParams[f] = vecs
		}
		p.skipBody(name)
		return
	}
	p.next()
	p.fname = name
	p.funcBody(f, pnames, ptoks, vecs)
}

// funcBody parses the body of f, whose '{' has been consumed; vecs[i]
// (if i < len(vecs)) is the type of the i-th parameter as declared if it
// is <2 x float>, carried as a double (vector.go), or split into
// eightbytes (splitsig.go), else nil.
func (p *parser) funcBody(f *Function, pnames []string, ptoks []token, vecs []*Type) {
	p.f = f
	if p.locals == nil {
		p.locals = make(map[string]Value)
		p.blocks = make(map[string]*Block)
		p.bdef = make(map[*Block]bool)
		p.bref = make(map[*Block]token)
		p.fwd = make(map[string]*fwdRef)
	} else {
		// The tables of the function parsed before, emptied (a parser
		// of many functions, or of lazy bodies: LazyBodies.parseBody).
		clear(p.locals)
		clear(p.blocks)
		clear(p.bdef)
		clear(p.bref)
		clear(p.fwd)
	}
	p.nextID = 0
	p.switches = p.switches[:0]
	p.invokeAggs = p.invokeAggs[:0]
	j := 0 // f.Params[j] is the first of parameter i's
	for i, pn := range pnames {
		a := f.Params[j]
		var st *Type
		if i < len(vecs) {
			st = vecs[i]
		}
		k := 1
		var mem *Param // a wide parameter passed on the stack (byval)
		if st != nil && splitSig(st) {
			k = p.splitCount(st)
			if isWideInt(st) {
				for d := 0; d < 2 && j+d < len(f.Params); d++ {
					if bv := f.Sig.ByVal; j+d < len(bv) && bv[j+d] != nil {
						mem, k = f.Params[j+d], d+1
						break
					}
				}
			}
		}
		key := pn
		if strings.HasPrefix(pn, "#") {
			key = pn[1:]
			if key != strconv.Itoa(p.nextID) {
				p.failAt(ptoks[i], "argument expected to be numbered '%%%d'", p.nextID)
			}
			p.nextID++
			pn = ""
		} else if pn == "" {
			key = strconv.Itoa(p.nextID)
			p.nextID++
		}
		a.Name = pn
		if _, dup := p.locals[key]; dup {
			p.failAt(ptoks[i], "redefinition of parameter '%%%s'", key)
		}
		p.locals[key] = a
		switch {
		case st == nil:
		case isVec2F(st):
			// A <2 x float> carried as a double: its floats, unpacked
			// at the entry.
			lo, hi := p.unpackVec2F(&p.entryPre, a)
			vt := ArrayType(2, F32)
			vt.Vector = true
			p.locals[key] = &aggValue{typ: vt, leaves: []Value{lo, hi}}
		case mem != nil:
			// On the stack (byval): loaded at the entry.
			a.Name = ""
			ld := p.instrTo(&p.entryPre, OpLoad, st, mem)
			ld.Align = 16
			p.locals[key] = ld
		default:
			// Split into eightbytes (splitsig.go).
			a.Name = ""
			p.locals[key] = p.splitParam(st, f.Params[j:j+k])
		}
		j += k
	}
	p.body()
	p.lowerWideInts(f)
	p.lowerOddInts(f)
	p.f = nil
	if p.ownArena {
		// The chunks are the functions' for good: the arena need not
		// list them.
		clear(p.arena.used)
		clear(p.arena.usedBlk)
		p.arena.used, p.arena.usedBlk = p.arena.used[:0], p.arena.usedBlk[:0]
	}
}

// constChunk is how many constants a chunk of parser.floats or ints holds.
const constChunk = 32

// takeConst returns the next element of a chunk of constants, starting a
// new chunk when it is used up.
func takeConst[T any](chunk *[]T) *T {
	if len(*chunk) == 0 {
		*chunk = make([]T, constChunk)
	}
	c := &(*chunk)[0]
	*chunk = (*chunk)[1:]
	return c
}

func (p *parser) constFloat(t *Type, v float64) *ConstFloat {
	c := takeConst(&p.floats)
	*c = ConstFloat{Typ: t, V: v}
	return c
}

func (p *parser) constInt(t *Type, v int64) *ConstInt {
	c := takeConst(&p.ints)
	*c = ConstInt{Typ: t, V: NormInt(t, v)}
	return c
}

func (p *parser) getBlock(name string, t token) *Block {
	if b, ok := p.blocks[name]; ok {
		return b
	}
	var bn string
	if !allDigits(name) {
		bn = p.keep(name)
	}
	b := p.arena.block(p.f, bn)
	p.blocks[name] = b
	p.bref[b] = t
	return b
}

func (p *parser) body() {
	f := p.f
	var cur *Block
	if p.isPunct("}") {
		// (A body without blocks read as a declaration, so that the
		// lazy and eager parsers disagreed on the module.)
		p.fail("function body requires at least one basic block")
	}
	for !p.isPunct("}") {
		if p.tok.kind == tEOF {
			p.fail("expected '}' at end of function '@%s'", f.Name)
		}
		if p.tok.kind == tLabel || cur == nil {
			var name string
			lt := p.tok
			if p.tok.kind == tLabel {
				name = p.tok.text
				if p.tok.numeric {
					if name != strconv.Itoa(p.nextID) {
						p.fail("label expected to be numbered '%d'", p.nextID)
					}
					p.nextID++
				}
				p.next()
			} else {
				name = strconv.Itoa(p.nextID)
				p.nextID++
			}
			b := p.getBlock(name, lt)
			if p.bdef[b] {
				p.failAt(lt, "redefinition of label '%s'", name)
			}
			if _, clash := p.locals[name]; clash {
				p.failAt(lt, "label '%s' redefines a value", name)
			}
			p.bdef[b] = true
			b.Index = len(f.Blocks)
			f.Blocks = append(f.Blocks, b)
			cur = b
			if b.Index == 0 && len(p.entryPre) > 0 {
				for _, x := range p.entryPre {
					x.Block = b
				}
				b.Instrs = append(b.Instrs, p.entryPre...)
				p.entryPre = p.entryPre[:0]
			}
		}
		at := p.tok
		p.pre = p.pre[:0]
		p.emit, p.aggRes, p.emitPhis = p.emit[:0], nil, false
		in := p.instruction()
		if in == nil {
			// Instructions on aggregates, split into p.emit.
			p.placePre(f, cur, p.emitPhis)
			for _, x := range p.emit {
				x.Block = cur
				cur.Instrs = append(cur.Instrs, x)
			}
			if n := len(p.emit); n > 0 && p.emit[n-1].Op.IsTerminator() {
				cur = nil // (an invoke returning a struct)
			}
			continue
		}
		p.placePre(f, cur, in.Op == OpPhi)
		if in.Op == OpCall {
			pre, drop := p.lowerIntrinsic(in, at)
			for _, x := range pre {
				x.Block = cur
				cur.Instrs = append(cur.Instrs, x)
			}
			if drop {
				continue
			}
		}
		in.Block = cur
		cur.Instrs = append(cur.Instrs, in)
		if in.Op.IsTerminator() {
			cur = nil
			if p.tok.kind != tLabel && !p.isPunct("}") {
				// An unlabelled block after a terminator: numbered.
				continue
			}
		}
	}
	p.next() // '}'
	if cur != nil {
		p.failAt(p.prev, "block '%s' in '@%s' does not end with a terminator", blockLabel(cur), f.Name)
	}
	// The maps are searched for the failure earliest in the source, so
	// that a body with several gives the same error every time.
	var badB *Block
	var badT token
	for b, t := range p.bref {
		if !p.bdef[b] && (badB == nil || before(t, badT)) {
			badB, badT = b, t
		}
	}
	if badB != nil {
		p.failAt(badT, "use of undefined label '%%%s' in '@%s'", nameOrNum(p.blocks, badB), f.Name)
	}
	var badName string
	var badR *fwdRef
	for name, r := range p.fwd {
		v, ok := p.locals[name]
		if (!ok || !v.Type().Equal(r.typ)) && (badR == nil || before(r.tok, badR.tok)) {
			badName, badR = name, r
		}
	}
	if badR != nil {
		v, ok := p.locals[badName]
		if !ok {
			p.failAt(badR.tok, "use of undefined value '%%%s'", displayName(badName))
		}
		p.failAt(badR.tok, "'%%%s' defined with type '%v' but used as '%v'", displayName(badName), v.Type(), badR.typ)
	}
	if len(p.fwd) > 0 {
		for _, b := range f.Blocks {
			for _, in := range b.Instrs {
				for i, v := range in.Ops {
					if r, ok := v.(*fwdRef); ok && !r.global {
						in.Ops[i] = p.resolveLocal(r)
					}
				}
			}
		}
	}
	p.lowerSwitches()
	p.placeInvokeAggs()
}

// resolveLocal is the value forward reference r stands for, following
// names that extractvalue made aliases of forward references.
func (p *parser) resolveLocal(r *fwdRef) Value {
	v := p.locals[r.name]
	for range len(p.fwd) + 1 {
		r2, ok := v.(*fwdRef)
		if !ok || r2.global {
			return v
		}
		v = p.locals[r2.name]
	}
	p.failAt(r.tok, "'%%%s' is defined in terms of itself", displayName(r.name))
	return nil
}

// defineValue records v, an aggregate or a value an extractvalue picked,
// as the result named by t; an aggregate's leaves are recorded too, for
// the forward references to them (parseAgg).
func (p *parser) defineValue(t token, v Value) {
	key := t.text
	if t.numeric {
		if key != strconv.Itoa(p.nextID) {
			p.failAt(t, "instruction expected to be numbered '%%%d'", p.nextID)
		}
		p.nextID++
	}
	if _, dup := p.locals[key]; dup {
		p.failAt(t, "multiple definition of local value named '%s'", key)
	}
	if b, ok := p.blocks[key]; ok && b != nil {
		p.failAt(t, "value '%%%s' redefines a label", key)
	}
	p.locals[key] = v
	a, ok := v.(*aggValue)
	if !ok {
		// A field extractvalue picked: an unnamed instruction takes the
		// name, so that the printed form reads back the same.
		if in, ok := v.(*Instr); ok && in.Name == "" && !t.numeric {
			in.Name = p.keep(key)
		}
		return
	}
	for i, x := range a.leaves {
		if e, ok := x.(*Instr); ok && e.Op == OpExtractValue && i == 0 && !t.numeric {
			if call := e.Ops[0].(*Instr); call.Name == "" && call.Block == nil {
				call.Name = p.keep(key)
			}
		}
		p.locals[key+leafSep+strconv.Itoa(i)] = x
		// Name the instructions made for this value after it.
		if in, ok := x.(*Instr); ok && in.Name == "" && !t.numeric && in.Block == nil {
			in.Name = p.keep(key + "." + strconv.Itoa(i))
		}
	}
}

func blockLabel(b *Block) string {
	if b.Name != "" {
		return b.Name
	}
	return "#" + strconv.Itoa(b.Index)
}

func nameOrNum(m map[string]*Block, b *Block) string {
	for k, v := range m {
		if v == b {
			return k
		}
	}
	return "?"
}

// defineLocal records the result name of an instruction.
func (p *parser) defineLocal(t token, in *Instr) {
	key := t.text
	if t.numeric {
		if key != strconv.Itoa(p.nextID) {
			p.failAt(t, "instruction expected to be numbered '%%%d'", p.nextID)
		}
		p.nextID++
		in.Name = ""
	} else {
		in.Name = p.keep(key)
	}
	if _, dup := p.locals[key]; dup {
		p.failAt(t, "multiple definition of local value named '%s'", key)
	}
	if b, ok := p.blocks[key]; ok && b != nil {
		p.failAt(t, "value '%%%s' redefines a label", key)
	}
	p.locals[key] = in
}

func (p *parser) instruction() *Instr {
	var resTok token
	hasRes := false
	if p.tok.kind == tLocal {
		resTok = p.tok
		hasRes = true
		p.next()
		p.expectPunct("=")
	}
	in := p.instrBody()
	// trailing metadata attachments: , !dbg !12
	for p.isPunct(",") {
		p.next()
		if p.tok.kind != tMeta {
			p.fail("expected metadata attachment, found %v", p.tok)
		}
		p.skipMetaAttachment()
	}
	if in == nil {
		// An instruction on aggregates: its result is p.aggRes.
		if hasRes {
			if p.aggRes == nil {
				p.failAt(resTok, "instruction does not produce a value to assign to '%%%s'", resTok.text)
			}
			p.defineValue(resTok, p.aggRes)
		} else if p.aggRes != nil {
			p.defineValue(token{kind: tLocal, text: strconv.Itoa(p.nextID), numeric: true}, p.aggRes)
		}
		return nil
	}
	if hasRes {
		if !in.HasResult() {
			p.failAt(resTok, "instruction '%s' does not produce a value to assign to '%%%s'", in.Op, resTok.text)
		}
		p.defineLocal(resTok, in)
	} else if in.HasResult() {
		// An unassigned result still takes a number.
		in.Name = ""
		p.locals[strconv.Itoa(p.nextID)] = in
		p.nextID++
	}
	return in
}

func (p *parser) parseFMF() Flags {
	var f Flags
	for p.tok.kind == tWord {
		switch p.tok.text {
		case "fast":
			f |= FlagFast
		case "nnan":
			f |= FlagNNan
		case "ninf":
			f |= FlagNInf
		case "nsz":
			f |= FlagNSZ
		case "arcp":
			f |= FlagARCP
		case "contract":
			f |= FlagContract
		case "afn":
			f |= FlagAFN
		case "reassoc":
			f |= FlagReassoc
		default:
			return f
		}
		p.next()
	}
	return f
}

func (p *parser) parseIntFlags() Flags {
	var f Flags
	for p.tok.kind == tWord {
		switch p.tok.text {
		case "nsw":
			f |= FlagNSW
		case "nuw":
			f |= FlagNUW
		case "exact":
			f |= FlagExact
		case "disjoint":
			f |= FlagDisjoint
		case "nneg":
			f |= FlagNNeg
		case "samesign":
		default:
			return f
		}
		p.next()
	}
	return f
}

func (p *parser) instrBody() *Instr {
	if p.tok.kind != tWord {
		p.fail("expected an instruction, found %v", p.tok)
	}
	opTok := p.tok
	w := p.tok.text
	switch w {
	case "tail", "musttail", "notail":
		p.next()
		if !p.isWord("call") {
			p.fail("expected 'call' after '%s'", w)
		}
		in := p.instrBody()
		if in != nil && (w == "tail" || w == "musttail") {
			in.Flags |= FlagTail
		}
		return in
	}
	if w == "switch" {
		p.next()
		return p.parseSwitch(opTok)
	}
	if w == "indirectbr" {
		p.next()
		return p.parseIndirectBr(opTok)
	}
	if w == "extractvalue" || w == "insertvalue" {
		p.next()
		p.aggInstr(opTok, w)
		return nil
	}
	if w == "extractelement" || w == "insertelement" || w == "shufflevector" {
		p.next()
		p.vectorInstr(opTok, w)
		return nil
	}
	if w == "freeze" {
		p.next()
		p.freezeInstr()
		return nil
	}
	if w == "landingpad" {
		p.next()
		p.landingPad(opTok)
		return nil
	}
	if w == "resume" {
		p.next()
		return p.resume(opTok)
	}
	callbr := w == "callbr" // read as a call up to its destinations (callbr.go)
	if callbr {
		w = "call"
	}
	op, ok := opByWord(w)
	if !ok {
		p.fail("unknown or unsupported instruction '%s'", w)
	}
	p.next()
	in := p.arena.alloc()
	*in = Instr{Op: op, Typ: Void}
	switch {
	case op.IsBinary():
		if op.IsFloatBinary() {
			in.Flags = p.parseFMF()
		} else {
			in.Flags = p.parseIntFlags()
		}
		t := p.parseType()
		if isVector(t) {
			p.vectorBinary(op, in.Flags, t)
			return nil
		}
		x := p.parseValue(t)
		p.expectPunct(",")
		y := p.parseValue(t)
		in.Typ = t
		in.setOps2(x, y)
	case op == OpFNeg:
		in.Flags = p.parseFMF()
		t := p.parseType()
		if isVector(t) {
			xs := p.parseAgg(t)
			leaves := make([]Value, len(xs))
			for i, x := range xs {
				leaves[i] = p.emitInstr(OpFNeg, t.Elem, x)
				leaves[i].(*Instr).Flags = in.Flags
			}
			p.aggRes = &aggValue{typ: t, leaves: leaves}
			return nil
		}
		in.Typ = t
		in.setOps1(p.parseValue(t))
	case op == OpFCmp || op == OpICmp:
		if op == OpFCmp {
			in.Flags = p.parseFMF()
		} else {
			p.parseIntFlags()
		}
		if p.tok.kind != tWord {
			p.fail("expected comparison predicate, found %v", p.tok)
		}
		pr, ok := PredByName(p.tok.text, op == OpFCmp)
		if !ok {
			p.fail("invalid %s predicate '%s'", op, p.tok.text)
		}
		p.next()
		in.Pred = pr
		t := p.parseType()
		if isVector(t) {
			p.vectorCompare(op, pr, in.Flags, t)
			return nil
		}
		x := p.parseValue(t)
		p.expectPunct(",")
		y := p.parseValue(t)
		in.Typ = I1
		in.setOps2(x, y)
	case op.IsCast():
		in.Flags = p.parseIntFlags()
		t := p.parseType()
		if isVector(t) {
			p.vectorCast(op, t)
			return nil
		}
		x := p.parseValue(t)
		p.expectWord("to")
		tt := p.tok
		in.Typ = p.parseType()
		if isVector(in.Typ) {
			p.vectorFromScalar(tt, op, x, in.Typ)
			return nil
		}
		in.setOps1(x)
	case op == OpSelect:
		in.Flags = p.parseFMF()
		ct := p.parseType()
		if isVector(ct) {
			p.vectorSelect(ct, in.Flags)
			return nil
		}
		c := p.parseValue(ct)
		p.expectPunct(",")
		t := p.parseType()
		if isAggType(t) {
			p.aggSelect(c, t, in.Flags)
			return nil
		}
		x := p.parseValue(t)
		p.expectPunct(",")
		t2 := p.parseType()
		y := p.parseValue(t2)
		in.Typ = t
		in.opsBuf = [3]Value{c, x, y}
		in.Ops = in.opsBuf[:3:3]
	case op == OpPhi:
		in.Flags = p.parseFMF()
		t := p.parseType()
		if isAggType(t) {
			p.aggPhi(t, in.Flags)
			return nil
		}
		in.Typ = t
		in.Ops, in.Blocks = in.opsBuf[:0:2], in.blkBuf[:0:2]
		for {
			p.expectPunct("[")
			v := p.parseValue(t)
			p.expectPunct(",")
			if p.tok.kind != tLocal {
				p.fail("expected a block label in phi, found %v", p.tok)
			}
			b := p.getBlock(p.tok.text, p.tok)
			p.next()
			p.expectPunct("]")
			in.AddIncoming(v, b)
			if !p.isPunct(",") {
				break
			}
			// "," followed by metadata ends the phi.
			save := p.lx
			saveTok, savePrev := p.tok, p.prev
			p.next()
			if !p.isPunct("[") {
				p.lx, p.tok, p.prev = save, saveTok, savePrev
				break
			}
			p.lx, p.tok, p.prev = save, saveTok, savePrev
			p.next()
		}
	case op == OpCall || op == OpInvoke:
		in.Flags |= p.parseFMF()
		for p.tok.kind == tWord && !p.isTypeStart() {
			if valueWords[p.tok.text] {
				p.fail("expected a type, found '%s'", p.tok.text)
			}
			if ignoredWords[p.tok.text] {
				p.next()
				continue
			}
			p.skipParamAttrs()
		}
		rt := p.tok
		ret := p.parseType()
		if p.tok.kind == tGlobal && isVectorIntrinsic(p.tok.text) {
			p.vectorIntrinsicCall(opTok, ret, in.Flags)
			return nil
		}
		srcRet := ret
		if splitSig(ret) {
			ret = p.splitRet(rt, ret)
		} else if isVector(ret) || hasVec2F(ret) {
			ret = p.abiType(rt, ret)
		}
		p.noWideSig(rt, ret)
		if ret.Kind == ArrayKind {
			p.noStructValue(rt, ret)
		}
		var ft *Type
		if p.isPunct("(") {
			p.next()
			var ps []*Type
			variadic := false
			for !p.isPunct(")") {
				if len(ps) > 0 || variadic {
					p.expectPunct(",")
				}
				if p.acceptPunct("...") {
					variadic = true
					continue
				}
				pt := p.tok
				t := p.parseType()
				if splitSig(t) {
					if n := gprCount(ps, nil); isWideInt(t) && n > 4 {
						if n == 5 {
							ps = append(ps, I64)
						}
						ps = append(ps, Ptr) // byval: set from the arguments
						continue
					}
					ps = append(ps, p.eightbytes(pt, t)...)
					continue
				}
				ps = append(ps, p.abiType(pt, t))
			}
			p.next()
			ft = FuncType(ret, ps, variadic)
		}
		var callee Value
		if p.isWord("asm") {
			callee = p.parseInlineAsm()
		} else {
			callee = p.parseValue(Ptr)
		}
		p.expectPunct("(")
		// The callee and arguments go to the inline operands while they
		// fit; the argument types to the parser's scratch.
		in.opsBuf[0] = callee
		args := in.opsBuf[:1:len(in.opsBuf)]
		ats := p.types[:0]
		var byvals []*Type
		vecCall := hasVec2F(srcRet)
		metaArgs := false
		for !p.isPunct(")") {
			if len(args) > 1 || metaArgs {
				p.expectPunct(",")
			}
			if p.isWord("metadata") {
				// (An argument of the intrinsics dropped below:
				// llvm.experimental.noalias.scope.decl(metadata !3).)
				p.next()
				p.skipMetaArg()
				metaArgs = true
				continue
			}
			tt := p.tok
			t := p.parseType()
			var split []*Type
			if splitSig(t) {
				split = p.eightbytes(tt, t)
			} else {
				p.noWideSig(tt, t)
			}
			if bv, _ := p.paramAttrs(); bv != nil {
				if !t.IsPtr() {
					p.failAt(tt, "byval on an argument of type '%v'", t)
				}
				for len(byvals) < len(ats) {
					byvals = append(byvals, nil)
				}
				byvals = append(byvals, bv)
			}
			if n := gprCount(ats, byvals); split != nil && isWideInt(t) && n > 4 {
				// No two registers left: a 16-byte aligned copy on the
				// stack (byval), as the psABI passes it.
				slot := p.arena.alloc()
				*slot = Instr{Op: OpAlloca, Typ: Ptr, ElemType: t, Align: 16}
				entry := p.f.Blocks[0]
				slot.Block = entry
				entry.Instrs = append([]*Instr{slot}, entry.Instrs...)
				st := p.instrTo(&p.pre, OpStore, Void, p.parseValue(t), slot)
				st.Align = 16
				if n == 5 {
					// The last register unused (see funcHeader).
					args = append(args, p.constInt(I64, 0))
					ats = append(ats, I64)
				}
				for len(byvals) < len(ats) {
					byvals = append(byvals, nil)
				}
				byvals = append(byvals, t)
				args = append(args, slot)
				ats = append(ats, Ptr)
				continue
			}
			if split != nil {
				args = append(args, p.splitValue(&p.pre, t)...)
				ats = append(ats, split...)
				vecCall = vecCall || isVector(t)
				continue
			}
			if isVector(t) {
				at := p.abiType(tt, t)
				leaves := p.parseAgg(t)
				args = append(args, p.packVec2F(&p.pre, leaves[0], leaves[1]))
				ats = append(ats, at)
				vecCall = true
				continue
			}
			args = append(args, p.parseValue(t))
			ats = append(ats, t)
		}
		for byvals != nil && len(byvals) < len(ats) {
			byvals = append(byvals, nil)
		}
		p.types = ats[:0]
		p.next()
		for p.tok.kind == tAttrRef || p.tok.kind == tWord && p.tok.line == opTok.line && !p.isTypeStart() && !isInstrWord(p.tok.text) && !((op == OpInvoke || callbr) && p.isWord("to")) {
			p.next()
			if p.isPunct("(") {
				p.skipBalanced()
			}
		}
		if ft == nil {
			ft = p.callType(ret, ats)
		}
		ft = withByVal(ft, byvals)
		in.Typ, in.FnType = ret, ft
		in.Ops = args[:len(args):len(args)]
		if name := calleeName(in); vecCall && strings.HasPrefix(name, "llvm.") {
			p.failAt(opTok, "intrinsic '@%s' on vectors is not supported", name)
		}
		if metaArgs && !isDroppedIntrinsic(calleeName(in)) {
			p.failAt(opTok, "metadata arguments are supported only for the intrinsics gorc drops, not '@%s'", calleeName(in))
		}
		if callbr {
			p.callBr(in, opTok, srcRet)
			return nil
		}
		if op == OpInvoke {
			p.invokeDests(in, opTok, srcRet)
			if ret.Kind == StructKind {
				p.invokeAgg(in, opTok)
				return nil
			}
			break
		}
		if hasVec2F(srcRet) {
			p.vec2fCall(in, opTok, srcRet)
			return nil
		}
		if splitSig(srcRet) {
			p.splitCall(in, srcRet)
			return nil
		}
		if _, ok := callee.(*InlineAsm); ok {
			p.checkAsmCall(in, opTok)
		}
		if ret.Kind == StructKind {
			p.aggCall(in, opTok)
			return nil
		}
	case op == OpAlloca:
		p.acceptWord("inalloca")
		in.ElemType = p.parseType()
		in.Typ = Ptr
		for p.isPunct(",") {
			if p.peekMeta() {
				break
			}
			p.next()
			if p.acceptWord("align") {
				in.Align = p.parseAlignValue()
			} else if p.isTypeStart() {
				t := p.parseType()
				in.Ops = []Value{p.parseValue(t)}
			} else {
				p.fail("unexpected %v in alloca", p.tok)
			}
		}
		if in.Align > 16 && len(in.Ops) == 0 {
			p.overAligned(in)
			return nil
		}
		if len(in.Ops) == 1 {
			if _, ok := in.Ops[0].(*ConstInt); !ok {
				p.dynAlloca(in, opTok)
			}
		}
	case op == OpLoad:
		atomic := p.acceptWord("atomic")
		if p.acceptWord("volatile") {
			in.Flags |= FlagVolatile
		}
		lt := p.tok
		in.Typ = p.parseType()
		p.expectPunct(",")
		pt := p.parseType()
		in.setOps1(p.parseValue(pt))
		if atomic {
			if !atomicScalar(in.Typ) && !isI128(in.Typ) {
				p.failAt(lt, "atomic load of type '%v' is not supported", in.Typ)
			}
			o := p.parseOrdering()
			if o == Release || o == AcqRel {
				p.failAt(opTok, "atomic load cannot be '%v'", o)
			}
			in.SetAtomic(o, 0)
		}
		p.parseAlign(in)
		p.i128AtomicAlign(in, in.Typ, opTok, "load atomic")
		if isAggType(in.Typ) {
			p.aggLoad(lt, in.Typ, in.Ops[0], in.Flags)
			return nil
		}
	case op == OpStore:
		atomic := p.acceptWord("atomic")
		if p.acceptWord("volatile") {
			in.Flags |= FlagVolatile
		}
		st := p.tok
		t := p.parseType()
		if atomic {
			if !atomicScalar(t) && !isI128(t) {
				p.failAt(st, "atomic store of type '%v' is not supported", t)
			}
			v := p.parseValue(t)
			p.expectPunct(",")
			pt := p.parseType()
			in.setOps2(v, p.parseValue(pt))
			o := p.parseOrdering()
			if o == Acquire || o == AcqRel {
				p.failAt(opTok, "atomic store cannot be '%v'", o)
			}
			in.SetAtomic(o, 0)
			p.parseAlign(in)
			p.i128AtomicAlign(in, t, opTok, "store atomic")
			break
		}
		if isAggType(t) {
			leaves := p.parseAgg(t)
			p.expectPunct(",")
			pt := p.parseType()
			ptr := p.parseValue(pt)
			p.parseAlign(in)
			p.aggStore(t, leaves, ptr, in.Flags)
			return nil
		}
		v := p.parseValue(t)
		p.expectPunct(",")
		pt := p.parseType()
		in.setOps2(v, p.parseValue(pt))
		p.parseAlign(in)
	case op == OpGEP:
		for p.tok.kind == tWord && !p.isTypeStart() {
			if p.tok.text == "inbounds" {
				in.Flags |= FlagInBounds
			} else if p.tok.text != "nuw" && p.tok.text != "nusw" {
				p.fail("unexpected %v in getelementptr", p.tok)
			}
			p.next()
		}
		in.ElemType = p.parseType()
		in.Typ = Ptr
		p.expectPunct(",")
		pt := p.parseType()
		var lanes [][]Value // a vector operand's leaves (vector GEP)
		if isVector(pt) {
			lanes = make([][]Value, 1)
			lanes[0] = p.parseAgg(pt)
			in.opsBuf[0] = nil
		} else {
			in.opsBuf[0] = p.parseValue(pt)
		}
		in.Ops = in.opsBuf[:1:len(in.opsBuf)]
		for p.isPunct(",") && !p.peekMeta() {
			p.next()
			p.acceptWord("inrange")
			tt := p.tok
			t := p.parseType()
			if isVector(t) {
				for len(lanes) < len(in.Ops) {
					lanes = append(lanes, nil)
				}
				lanes = append(lanes, p.parseAgg(t))
				in.Ops = append(in.Ops, nil)
				if n := len(lanes[len(lanes)-1]); n != p.gepLanes(lanes) {
					p.failAt(tt, "getelementptr with vectors of %d and %d elements", n, p.gepLanes(lanes))
				}
				continue
			}
			in.Ops = append(in.Ops, p.parseValue(t))
		}
		if lanes != nil {
			p.vectorGEP(in, lanes)
			return nil
		}
	case op == OpBr:
		if p.acceptWord("label") {
			in.blkBuf[0] = p.parseLabelRef()
			in.Blocks = in.blkBuf[:1:1]
		} else {
			t := p.parseType()
			c := p.parseValue(t)
			p.expectPunct(",")
			p.expectWord("label")
			a := p.parseLabelRef()
			p.expectPunct(",")
			p.expectWord("label")
			b := p.parseLabelRef()
			in.setOps1(c)
			in.blkBuf = [2]*Block{a, b}
			in.Blocks = in.blkBuf[:2:2]
		}
	case op == OpRet:
		tt := p.tok
		t := p.parseType()
		if splitSig(t) {
			p.eightbytes(tt, t)
			in.Ops = append([]Value(nil), p.splitValue(&p.pre, t)...)
			if len(in.Ops) == 1 {
				in.setOps1(in.Ops[0])
			}
		} else if hasVec2F(t) {
			leaves := p.parseAgg(t)
			in.Ops = append([]Value(nil), p.packLeaves(&p.pre, t, leaves)...)
			if len(in.Ops) == 1 && !isAggType(p.abiType(tt, t)) {
				in.setOps1(in.Ops[0])
			}
		} else if isAggType(t) {
			if !flatStruct(t) {
				p.failAt(tt, "returning a value of type '%v' is not supported (a returned struct must have scalar fields only)", t)
			}
			leaves := p.parseAgg(t)
			in.Ops = append([]Value(nil), leaves...)
		} else if !t.IsVoid() {
			in.setOps1(p.parseValue(t))
		}
	case op == OpUnreachable:
	case op == OpFence:
		o := p.parseOrdering()
		if o < Acquire {
			p.failAt(opTok, "fence cannot be '%v'", o)
		}
		in.SetAtomic(o, 0)
	case op == OpAtomicRMW:
		if p.acceptWord("volatile") {
			in.Flags |= FlagVolatile
		}
		rt := p.tok
		rmw, ok := RMWOpByName(p.tok.text)
		if p.tok.kind != tWord || !ok {
			p.fail("unsupported atomicrmw operation %v", p.tok)
		}
		p.next()
		pt := p.parseType()
		ptr := p.parseValue(pt)
		p.expectPunct(",")
		vt := p.tok
		t := p.parseType()
		v := p.parseValue(t)
		if !pt.IsPtr() {
			p.failAt(opTok, "atomicrmw needs a pointer operand")
		}
		switch {
		case rmw < RMWFAdd && isI128(t): // wideatomic.go
		case rmw == RMWXchg && atomicScalar(t):
		case rmw >= RMWFAdd && t.IsFloat() && atomicScalar(t):
		case rmw < RMWFAdd && rmw != RMWXchg && t.IsInt() && atomicScalar(t):
		default:
			p.failAt(vt, "atomicrmw %v of type '%v' is not supported", rmw, t)
		}
		_ = rt
		in.Typ = t
		in.setOps2(ptr, v)
		in.SetAtomic(p.parseOrdering(), rmw)
		p.parseAlign(in)
		p.i128AtomicAlign(in, t, opTok, "atomicrmw")
	case op == OpCmpXchg:
		weak := p.acceptWord("weak")
		if p.acceptWord("volatile") {
			in.Flags |= FlagVolatile
		}
		pt := p.parseType()
		ptr := p.parseValue(pt)
		p.expectPunct(",")
		ct := p.tok
		t := p.parseType()
		cmp := p.parseValue(t)
		p.expectPunct(",")
		nt := p.tok
		t2 := p.parseType()
		nv := p.parseValue(t2)
		if !pt.IsPtr() {
			p.failAt(opTok, "cmpxchg needs a pointer operand")
		}
		if (!(t.IsInt() || t.IsPtr()) || !atomicScalar(t)) && !isI128(t) {
			p.failAt(ct, "cmpxchg of type '%v' is not supported", t)
		}
		if !t2.Equal(t) {
			p.failAt(nt, "cmpxchg's new value has type '%v' but its compared value '%v'", t2, t)
		}
		succ := p.parseOrdering()
		fail := p.parseOrdering()
		in.Typ = StructType([]*Type{t, I1}, false)
		in.opsBuf = [3]Value{ptr, cmp, nv}
		in.Ops = in.opsBuf[:3:3]
		in.SetCmpXchg(succ, fail, weak)
		p.parseAlign(in)
		p.i128AtomicAlign(in, t, opTok, "cmpxchg")
		// Its fields are read as a call's are: one extractvalue each.
		p.emit = append(p.emit, in)
		leaves := []Value{
			p.emitInstr(OpExtractValue, t, in, p.constInt(I32, 0)),
			p.emitInstr(OpExtractValue, I1, in, p.constInt(I32, 1)),
		}
		p.aggRes = &aggValue{typ: in.Typ, leaves: leaves}
		return nil
	default:
		p.failAt(opTok, "unsupported instruction '%s'", w)
	}
	return in
}

// i128AtomicAlign refuses an atomicrmw of i128 (in, of type t, at tok)
// other than xchg whose explicit alignment is below 16: cmpxchg16b
// faults on it, and only load, store, xchg and cmpxchg have libatomic
// calls to go to (wideatomic.go).
func (p *parser) i128AtomicAlign(in *Instr, t *Type, tok token, what string) {
	if in.Op == OpAtomicRMW && in.RMW() != RMWXchg && isI128(t) && in.Align != 0 && in.Align < 16 {
		p.failAt(tok, "%s %v of i128 with align %d is not supported (cmpxchg16b needs 16-byte aligned memory; below it only load, store, xchg and cmpxchg, through libatomic)", what, in.RMW(), in.Align)
	}
}

// isI128 reports whether t is i128, the one wide type atomics take
// (lowered with the other wide values, wideatomic.go).
func isI128(t *Type) bool { return t.IsInt() && t.Bits == 128 }

// atomicScalar reports whether t is a type atomic instructions take: an
// integer of 8 to 64 bits, a pointer, float or double.
func atomicScalar(t *Type) bool {
	switch {
	case t.IsInt():
		return t.Bits == 8 || t.Bits == 16 || t.Bits == 32 || t.Bits == 64
	case t.IsPtr(), t.IsFloat() && t.Bits != 80: // x86_fp80: not a power-of-two size (LLVM refuses it too)
		return true
	}
	return false
}

// parseOrdering parses an atomic instruction's optional
// syncscope("...") (dropped: every scope is treated as the whole system,
// which is stronger) and its ordering.
func (p *parser) parseOrdering() Ordering {
	if p.acceptWord("syncscope") {
		p.expectPunct("(")
		if p.tok.kind != tString {
			p.fail("expected a sync scope name, found %v", p.tok)
		}
		p.next()
		p.expectPunct(")")
	}
	if p.tok.kind == tWord {
		if o, ok := OrderingByName(p.tok.text); ok {
			p.next()
			return o
		}
	}
	p.fail("expected an atomic ordering, found %v", p.tok)
	return NotAtomic
}

// setOps1 and setOps2 set in.Ops to one or two operands in its inline
// storage (capacity as long, as Builder does: appending copies).
func (in *Instr) setOps1(x Value) {
	in.opsBuf[0] = x
	in.Ops = in.opsBuf[:1:1]
}

func (in *Instr) setOps2(x, y Value) {
	in.opsBuf[0], in.opsBuf[1] = x, y
	in.Ops = in.opsBuf[:2:2]
}

// callType returns the function type ret(params...) of a call written
// without one, the same *Type as the call before it of that type: a
// module's calls of one function (or of functions of one type) share
// their type, as LLVM's uniqued types are shared, instead of one each.
// params is the parser's scratch: it is copied.
func (p *parser) callType(ret *Type, params []*Type) *Type {
	for _, ft := range p.callTypes {
		if ft.Ret == ret && len(ft.Params) == len(params) && !ft.Variadic {
			same := true
			for i, t := range params {
				if ft.Params[i] != t {
					same = false
					break
				}
			}
			if same {
				return ft
			}
		}
	}
	ft := FuncType(ret, append([]*Type(nil), params...), false)
	if len(p.callTypes) < maxCallTypes {
		p.callTypes = append(p.callTypes, ft)
	}
	return ft
}

// maxCallTypes bounds the call types callType remembers (a linear search).
const maxCallTypes = 16

// opsByFirst lists the instructions by the first byte of their names, for
// opByWord to compare a word with a few names rather than all.
var opsByFirst = func() (t [256][]Op) {
	for i, n := range opNames {
		if op := Op(i); op != OpInvalid && n != "" {
			t[n[0]] = append(t[n[0]], op)
		}
	}
	return t
}()

// opByWord is OpByName by way of opsByFirst.
func opByWord(w string) (Op, bool) {
	if w == "" {
		return OpInvalid, false
	}
	for _, op := range opsByFirst[w[0]] {
		if opNames[op] == w {
			return op, true
		}
	}
	return OpInvalid, false
}

func isInstrWord(s string) bool {
	_, ok := opByWord(s)
	return ok || s == "tail" || s == "musttail" || s == "notail" || s == "switch" || s == "indirectbr" || s == "extractvalue" || s == "insertvalue" ||
		s == "extractelement" || s == "insertelement" || s == "shufflevector" || s == "freeze"
}

// peekMeta reports whether the current ',' is followed by a metadata
// attachment.
func (p *parser) peekMeta() bool {
	save, st, sp := p.lx, p.tok, p.prev
	p.next()
	meta := p.tok.kind == tMeta
	p.lx, p.tok, p.prev = save, st, sp
	return meta
}

func (p *parser) parseAlign(in *Instr) {
	for p.isPunct(",") && !p.peekMeta() {
		p.next()
		if p.acceptWord("align") {
			in.Align = p.parseAlignValue()
		} else {
			p.fail("unexpected %v", p.tok)
		}
	}
}

func (p *parser) parseLabelRef() *Block {
	if p.tok.kind != tLocal {
		p.fail("expected a label, found %v", p.tok)
	}
	b := p.getBlock(p.tok.text, p.tok)
	p.next()
	return b
}

// parseValue parses an operand of type t.
func (p *parser) parseValue(t *Type) Value {
	tok := p.tok
	if p.f != nil {
		p.noStructValue(tok, t)
	}
	switch tok.kind {
	case tLocal:
		p.next()
		if p.f == nil {
			p.failAt(tok, "local value '%%%s' outside a function", tok.text)
		}
		if v, ok := p.locals[tok.text]; ok {
			if !v.Type().Equal(t) {
				p.failAt(tok, "'%%%s' defined with type '%v' but expected '%v'", tok.text, v.Type(), t)
			}
			return v
		}
		if r, ok := p.fwd[tok.text]; ok {
			if !r.typ.Equal(t) {
				p.failAt(tok, "'%%%s' used with type '%v' and '%v'", tok.text, r.typ, t)
			}
			return r
		}
		r := &fwdRef{name: tok.text, typ: t, tok: tok}
		p.fwd[tok.text] = r
		return r
	case tGlobal:
		p.next()
		if !t.IsPtr() {
			p.failAt(tok, "global '@%s' has type ptr, expected '%v'", tok.text, t)
		}
		if v := p.m.Lookup(tok.text); v != nil {
			return v
		}
		if p.gfwd == nil {
			p.gfwd = make(map[string]*fwdRef)
		}
		if r, ok := p.gfwd[tok.text]; ok {
			return r
		}
		r := &fwdRef{name: tok.text, typ: Ptr, tok: tok, global: true}
		p.gfwd[tok.text] = r
		return r
	}
	c := p.parseConstant(t)
	if p.f != nil {
		switch x := c.(type) {
		case *ConstExpr:
			return p.materialize(x)
		case *ConstAggregate:
			p.failAt(tok, "aggregate constants as instruction operands are not supported")
		}
	}
	return c
}

func (p *parser) parseConstant(t *Type) Constant {
	tok := p.tok
	switch tok.kind {
	case tInt:
		if t == F80 {
			return p.fp80Const(tok)
		}
		p.next()
		if t.IsFloat() {
			v, err := strconv.ParseFloat(tok.text, 64)
			if err != nil {
				p.failAt(tok, "invalid floating-point constant %s", tok.text)
			}
			return p.constFloat(t, v)
		}
		if !t.IsInt() {
			p.failAt(tok, "integer constant for type '%v'", t)
		}
		if isWideInt(t) {
			lo, hi, ok := wideLiteral(tok.text, t.Bits)
			if !ok {
				p.failAt(tok, "integer constant %s out of range for '%v'", tok.text, t)
			}
			if p.f == nil {
				return wideConstBytes(t, lo, hi)
			}
			return &wideConst{Typ: t, Lo: lo, Hi: hi}
		}
		v, err := strconv.ParseInt(tok.text, 10, 64)
		if err != nil {
			u, err2 := strconv.ParseUint(tok.text, 10, 64)
			if err2 != nil {
				p.failAt(tok, "integer constant %s out of range", tok.text)
			}
			v = int64(u)
		}
		return p.constInt(t, v)
	case tFloat:
		if t == F80 {
			return p.fp80Const(tok)
		}
		p.next()
		if !t.IsFloat() {
			p.failAt(tok, "floating-point constant for type '%v'", t)
		}
		if strings.HasPrefix(tok.text, "0x") || strings.HasPrefix(tok.text, "0X") {
			h := tok.text[2:]
			if h == "" || !isHex(h[0]) || len(h) > 16 {
				p.failAt(tok, "unsupported hexadecimal floating-point constant %s", tok.text)
			}
			bits, err := strconv.ParseUint(h, 16, 64)
			if err != nil {
				p.failAt(tok, "invalid hexadecimal constant %s", tok.text)
			}
			return p.constFloat(t, math.Float64frombits(bits))
		}
		v, err := strconv.ParseFloat(tok.text, 64)
		if err != nil && !math.IsInf(v, 0) {
			p.failAt(tok, "invalid floating-point constant %s", tok.text)
		}
		return p.constFloat(t, v)
	case tString:
		p.next()
		if !tok.numeric {
			p.failAt(tok, "expected a constant, found a string")
		}
		if isWideInt(t) && p.f == nil && int64(len(tok.text)) == t.Size() {
			// A wide integer global's initializer as it prints (wideint.go).
			return &ConstBytes{Typ: t, Data: []byte(tok.text)}
		}
		if t.Kind != ArrayKind || !t.Elem.Equal(I8) || t.Len != int64(len(tok.text)) {
			p.failAt(tok, "constant c\"...\" of %d bytes does not match type '%v'", len(tok.text), t)
		}
		return &ConstBytes{Typ: t, Data: []byte(tok.text)}
	case tPunct:
		if tok.text == "[" || tok.text == "{" || tok.text == "<" {
			return p.parseAggregate(t)
		}
	case tWord:
		p.next()
		switch tok.text {
		case "true", "false":
			if !t.Equal(I1) {
				p.failAt(tok, "'%s' must be of type i1", tok.text)
			}
			if tok.text == "true" {
				return True
			}
			return False
		case "null":
			if !t.IsPtr() {
				p.failAt(tok, "'null' must be a pointer")
			}
			return &ConstNull{}
		case "undef", "poison":
			return &Undef{Typ: t, Poison: tok.text == "poison"}
		case "zeroinitializer":
			return &ConstZero{Typ: t}
		}
		if op, ok := constExprWords[tok.text]; ok {
			return p.parseConstExpr(tok, op, t)
		}
		if tok.text == "blockaddress" {
			return p.parseBlockAddress(tok, t)
		}
		p.failAt(tok, "expected a value, found '%s' (not a supported constant or constant expression)", tok.text)
	}
	p.failAt(tok, "expected a value of type '%v', found %v", t, tok)
	return nil
}

// noStructValue rejects t, at tok, as the type of a parameter or call
// argument: struct and array values are split into scalars where they
// are results, returns and operands of phi, select, load, store,
// extractvalue and insertvalue (aggregate.go), but not passed.
func (p *parser) noStructValue(tok token, t *Type) {
	if isVector(t) {
		p.failAt(tok, "a '%v' operand of this instruction is not supported (vectors are split into elements: see docs/IR.md)", t)
	}
	if isAggType(t) {
		p.failAt(tok, "values of aggregate type '%v' are not supported as parameters or call arguments (clang passes structs as scalars or byval pointers)", t)
	}
}

// before reports whether token a comes before token b in the source.
func before(a, b token) bool {
	return a.line < b.line || a.line == b.line && a.col < b.col
}

// placePre places the instructions made for constant expressions among
// an instruction's operands (p.pre): before the instruction in cur, or,
// for a phi, at the start of f's entry block (the entry dominates every
// block and has no phis); p.pre is emptied.
func (p *parser) placePre(f *Function, cur *Block, phi bool) {
	if len(p.pre) == 0 {
		return
	}
	if phi {
		entry := f.Blocks[0]
		for _, x := range p.pre {
			x.Block = entry
		}
		entry.Instrs = append(append([]*Instr(nil), p.pre...), entry.Instrs...)
	} else {
		for _, x := range p.pre {
			x.Block = cur
			cur.Instrs = append(cur.Instrs, x)
		}
	}
	p.pre = p.pre[:0]
}
