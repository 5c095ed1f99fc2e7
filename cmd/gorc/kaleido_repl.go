package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/target"
)

// lineReader yields input lines for the REPL.
type lineReader interface {
	ReadLine(prompt string) (string, error)
	Close()
}

// plainLines reads lines from a non-terminal, echoing nothing.
type plainLines struct {
	r   *bufio.Reader
	out io.Writer
}

func (p *plainLines) ReadLine(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	line, err := p.r.ReadString('\n')
	if err == io.EOF && line != "" {
		return line, nil
	}
	return strings.TrimSuffix(line, "\n"), err
}
func (p *plainLines) Close() {}

// repl is the interactive Kaleidoscope session: each definition is
// compiled to an object and added to the JIT as soon as it is complete;
// each top-level expression is compiled with a small entry function,
// linked and run, printing "Evaluated to %f".
type repl struct {
	ctx    context.Context
	g      *kaleidoscope.Generator
	pm     *passes.Manager
	j      *jit.JIT
	stdout io.Writer
	stderr io.Writer
	n      int
	errors int
	lost   error // the executor is gone: restart it or end the session

	eo          execOptions // where code runs (repl_session.go)
	defs        []replDef   // the session's definitions, in order
	intr        interrupter // Ctrl-C while code runs (repl_signal.go)
	interrupted bool        // the last evaluation was stopped by Ctrl-C
	ran         bool        // the current item's code started running
	in          lineReader  // where lines come from

	file     string    // the input's name in diagnostics ("<stdin>")
	level    int       // optimisation level (lazy definitions)
	lazyMode bool      // -lazy: definitions compiled on first call
	lazy     *lazyDefs // the current JIT's lazy definitions (-lazy)
	// speculate (-lazy -speculate): lazy definitions' callees are
	// compiled ahead, in the background (lazyDefs.startSpeculation).
	speculate bool
	// forward holds the functions defined again in this (eager)
	// session: a rebuild declares them before replaying the definitions,
	// so that callers defined before the latest definition compile.
	forward []*kaleidoscope.Prototype
	// evalTime is the time spent running top-level expressions' code
	// (eval; a lazy session's first calls made by it included), for
	// gorc kaleido -lazy -show-times.
	evalTime time.Duration
}

func runREPL(ctx context.Context, level int, eo execOptions, lazyDefs, speculate bool, in lineReader, stdout, stderr io.Writer) int {
	r := &repl{ctx: ctx, pm: passes.ForLevel(level), stdout: stdout, stderr: stderr, in: in, file: "<stdin>", level: level, lazyMode: lazyDefs, speculate: speculate}
	if code := r.open(eo); code != 0 {
		return code
	}
	defer func() { r.j.Close(ctx) }() // r.j changes when the executor is restarted
	defer r.intr.watch(isTerminalInput(in), stderr)()
	var buf strings.Builder
	line0 := 1
	lineNo := 0
	for {
		prompt := "ready> "
		if buf.Len() > 0 {
			prompt = "...> "
		}
		line, err := in.ReadLine(prompt)
		if errors.Is(err, errLineCancelled) {
			buf.Reset() // Ctrl-C at the prompt drops the item being typed
			continue
		}
		if err != nil {
			if buf.Len() > 0 {
				r.process(buf.String(), line0, true)
			}
			fmt.Fprintln(stderr)
			if r.lost != nil {
				return executorFailureStatus(r.j, r.lost)
			}
			return 0
		}
		lineNo++
		if buf.Len() == 0 {
			if cmd, ok := parseREPLCommand(line); ok {
				if r.command(cmd) {
					return 0
				}
				if r.lost != nil {
					fmt.Fprintf(stderr, "gorc kaleido: the executor is gone; ending the session\n")
					return executorFailureStatus(r.j, r.lost)
				}
				continue
			}
		}
		if buf.Len() == 0 {
			line0 = lineNo
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		if r.process(buf.String(), line0, false) {
			buf.Reset()
		}
		if r.lost != nil {
			fmt.Fprintf(stderr, "gorc kaleido: the executor is gone; ending the session\n")
			return executorFailureStatus(r.j, r.lost)
		}
	}
}

// process parses and runs the complete items of src (which started on
// line line0). It returns false, doing nothing, if the last item is
// incomplete and more input may complete it (unless atEOF).
func (r *repl) process(src string, line0 int, atEOF bool) bool {
	// Pad with newlines so positions are lines of the whole session.
	text := strings.Repeat("\n", line0-1) + src
	p := r.g.NewParser(r.file, []byte(text))
	var items []kaleidoscope.Item
	var diags []*kaleidoscope.Diagnostic
	for {
		item, d := p.Next()
		if d != nil {
			if !atEOF && strings.Contains(d.Msg, "end of input") {
				return false
			}
			diags = append(diags, d)
			continue
		}
		if item == nil {
			break
		}
		items = append(items, item)
	}
	for _, d := range diags {
		fmt.Fprintln(r.stderr, d)
	}
	// Re-parse item by item so that operators defined by an item apply to
	// the next (the parser learns precedences from Gen).
	p = r.g.NewParser(r.file, []byte(text))
	for {
		item, d := p.Next()
		if d != nil {
			continue // reported above
		}
		if item == nil || r.lost != nil {
			return true
		}
		r.runRestarting(item, p)
	}
}

func (r *repl) run(item kaleidoscope.Item, p *kaleidoscope.Parser) {
	if def, ok := item.(*kaleidoscope.FunctionDef); ok && !def.TopLevel && r.lazy != nil {
		if r.defineLazy(def, p) {
			r.defined(item)
		}
		return
	}
	if def, ok := item.(*kaleidoscope.FunctionDef); ok && !def.TopLevel && r.definedBefore(def.Proto.Name) != nil {
		r.redefine(def, p)
		return
	}
	fn, d := r.g.Gen(r.file, item, p)
	if d != nil {
		fmt.Fprintln(r.stderr, d)
		r.errors++
		return
	}
	switch it := item.(type) {
	case *kaleidoscope.Extern:
		if r.lazy != nil {
			r.lazy.declare(it.Proto)
		}
		r.defined(item)
		return
	case *kaleidoscope.FunctionDef:
		if !it.TopLevel {
			if !r.fail(r.addFuncs([]*ir.Function{fn}, true)) {
				r.defined(item)
			}
			return
		}
	}
	r.n++
	name := "__repl_main" + strconv.Itoa(r.n)
	w, err := r.g.ExprMain(fn, name)
	if r.fail(err) {
		return
	}
	if r.fail(r.addFuncs([]*ir.Function{fn, w}, true)) {
		return
	}
	addr, err := r.j.Lookup(r.ctx, name)
	if r.fail(err) {
		return
	}
	r.fail(r.eval(addr))
}

// definedBefore returns the session's definition of the function name,
// or nil.
func (r *repl) definedBefore(name string) *kaleidoscope.FunctionDef {
	for i := len(r.defs) - 1; i >= 0; i-- {
		if def, ok := r.defs[i].item.(*kaleidoscope.FunctionDef); ok && def.Proto.Name == name {
			return def
		}
	}
	return nil
}

// redefine replaces a function defined before in an eager session, for
// every caller: its callers are linked to it directly (or inlined it), so
// the session is rebuilt — a new JIT on a new executor, the redefined
// functions declared first, then the definitions replayed in order
// without the old one — and the new definition is added last. A new
// definition that fails leaves the session as it was.
func (r *repl) redefine(def *kaleidoscope.FunctionDef, p *kaleidoscope.Parser) {
	name := def.Proto.Name
	old := r.definedBefore(name)
	if len(old.Proto.Params) != len(def.Proto.Params) {
		fmt.Fprintln(r.stderr, &kaleidoscope.Diagnostic{File: r.file, Pos: def.Proto.Pos, Msg: fmt.Sprintf("definition of '%s' has %d parameters, previously %d", name, len(def.Proto.Params), len(old.Proto.Params))})
		r.errors++
		return
	}
	before, forward := r.defs, r.forward
	r.forward = nil
	for _, pr := range forward {
		if pr.Name != name {
			r.forward = append(r.forward, pr)
		}
	}
	r.forward = append(r.forward, def.Proto)
	var keep []replDef
	var undo *replUndo
	for i, d := range before {
		if fd, ok := d.item.(*kaleidoscope.FunctionDef); ok && fd.Proto.Name == name {
			undo = &replUndo{old: d, at: i, forward: forward} // (%undo puts it back)
			continue
		}
		keep = append(keep, d)
	}
	if r.fail(r.rebuild(keep)) {
		return
	}
	errs, n := r.errors, len(r.defs)
	r.run(def, p)
	if r.errors > errs && r.lost == nil {
		// The new definition failed: back to the old one.
		r.forward = forward
		r.fail(r.rebuild(before))
		return
	}
	if len(r.defs) == n+1 {
		r.defs[n].undo = undo
	}
}

// defineLazy declares def's function for the session's expressions (and
// its operator precedence for the parsers) and hands its body to the lazy
// compiler; it reports whether the definition was taken.
func (r *repl) defineLazy(def *kaleidoscope.FunctionDef, p *kaleidoscope.Parser) bool {
	// Most definitions of a program are the first of their name, which
	// nothing else claims: taken at once (defineFirst), with none of the
	// checks below, which find nothing to report for them.
	if r.g.Unclaimed(def.Proto.Name) && r.lazy.defineFirst(r.file, def) {
		r.setLazyPrecedence(def, p)
		return true
	}
	if f := r.g.Module.Func(def.Proto.Name); f != nil && !f.IsDeclaration() {
		fmt.Fprintln(r.stderr, &kaleidoscope.Diagnostic{File: r.file, Pos: def.Proto.Pos, Msg: fmt.Sprintf("redefinition of function '%s' (a runtime builtin)", def.Proto.Name)})
		r.errors++
		return false
	}
	// Checked as a declaration of it would be; its prototype is kept
	// once, by the lazy definitions (the generator's Resolve).
	if d := r.g.DeclareKept(r.file, def.Proto); d != nil {
		fmt.Fprintln(r.stderr, d)
		r.errors++
		return false
	}
	r.setLazyPrecedence(def, p)
	return !r.fail(r.lazy.define(r.ctx, r.file, def))
}

// setLazyPrecedence sets, for a definition of a binary operator, its
// precedence in the generator and in p (the parser of the items after
// it).
func (r *repl) setLazyPrecedence(def *kaleidoscope.FunctionDef, p *kaleidoscope.Parser) {
	if def.Proto.Kind == kaleidoscope.ProtoBinary {
		op := def.Proto.OperatorChar()
		r.g.SetPrecedence(op, def.Proto.Precedence)
		if p != nil {
			p.SetPrecedence(op, def.Proto.Precedence)
		}
	}
}

// fail reports err (if any) and returns whether there was one; an error
// saying the executor is gone sets r.lost (the executor is restarted, or
// the session ends). An evaluation stopped by Ctrl-C is not reported
// here: restart says so.
func (r *repl) fail(err error) bool {
	if err == nil {
		return false
	}
	if r.interrupted {
		if r.lost == nil {
			r.lost = err
		}
		return true
	}
	fmt.Fprintf(r.stderr, "gorc kaleido: %v\n", err)
	r.errors++
	if executorLost(err) && r.lost == nil {
		r.lost = err
	}
	return true
}

// addFuncs optimises fns and adds them to the JIT as one object.
func (r *repl) addFuncs(fns []*ir.Function, omitGlobals bool) error {
	for _, f := range fns {
		if err := r.pm.RunFunction(f); err != nil {
			return err
		}
	}
	r.n++
	m, only := r.g.Module, fns
	if r.lazyMode && omitGlobals {
		// An item's functions in a module of their own: everything else
		// is reached by name, and compiling the item does not walk the
		// session's (possibly thousands of) declarations. Nothing refers
		// to an item's functions by pointer afterwards.
		m, only = ir.NewModule(r.g.Module.Name), nil
		m.Funcs = fns
		for _, f := range fns {
			f.Module = m
		}
	}
	// The object goes to the linker as a graph (no ELF written and read).
	res, err := r.j.Target.Backend.Compile(r.ctx, m, target.Options{Only: only, OmitGlobals: omitGlobals, SourceName: "repl", GraphName: "repl-" + strconv.Itoa(r.n) + ".o", NoObject: true})
	if err != nil {
		return err
	}
	return r.j.AddGraph(res.Graph)
}
