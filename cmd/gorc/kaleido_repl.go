package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"gorc/ir"
	"gorc/ir/passes"
	"gorc/jit"
	"gorc/kaleidoscope"
	"gorc/target"
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

// termLines gives line editing and history on a terminal; the terminal is
// in raw mode only while a line is being read, so the program's output
// prints normally.
type termLines struct {
	t  *term.Terminal
	fd int
}

func (t *termLines) ReadLine(prompt string) (string, error) {
	st, err := term.MakeRaw(t.fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(t.fd, st)
	t.t.SetPrompt(prompt)
	return t.t.ReadLine()
}
func (t *termLines) Close() {}

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
	lost   error     // the executor is gone: the session ends
	file   string    // the name of the input in diagnostics
	lazy   *lazyDefs // -lazy: definitions compiled on first call
}

// newREPL opens the JIT and adds the runtime; on failure it returns nil
// and the exit status.
func newREPL(ctx context.Context, level int, eo execOptions, modName string, lazyDefs, noStdin bool, stdout, stderr io.Writer) (*repl, int) {
	r := &repl{ctx: ctx, g: kaleidoscope.NewGenerator(modName), pm: passes.ForLevel(level), stdout: stdout, stderr: stderr, file: "<stdin>"}
	j, err := openJIT(ctx, eo, noStdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		return nil, 2
	}
	r.j = j
	if err := j.LoadDylib(ctx, "-lm"); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		j.Close(ctx)
		return nil, 1
	}
	// The runtime helpers and the format strings go in the first object.
	if err := r.addFuncs(r.g.Runtime(), false); err != nil {
		fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
		j.Close(ctx)
		return nil, 1
	}
	if lazyDefs {
		// Link the runtime now: its symbols must be defined before any
		// stub (a definition named like a runtime helper is refused).
		if err := j.LinkAll(ctx); err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
			j.Close(ctx)
			return nil, 1
		}
		if r.lazy, err = newLazyDefs(j, level, modName); err != nil {
			fmt.Fprintf(stderr, "gorc kaleido: %v\n", err)
			j.Close(ctx)
			return nil, 1
		}
	}
	return r, 0
}

func runREPL(ctx context.Context, level int, eo execOptions, lazyDefs bool, in lineReader, stdout, stderr io.Writer) int {
	r, code := newREPL(ctx, level, eo, "repl", lazyDefs, true, stdout, stderr)
	if r == nil {
		return code
	}
	j := r.j
	defer j.Close(ctx)
	var buf strings.Builder
	line0 := 1
	lineNo := 0
	for {
		prompt := "ready> "
		if buf.Len() > 0 {
			prompt = "...> "
		}
		line, err := in.ReadLine(prompt)
		if err != nil {
			if buf.Len() > 0 {
				r.process(buf.String(), line0, true)
			}
			fmt.Fprintln(stderr)
			if r.lost != nil {
				return executorFailureStatus(j, r.lost)
			}
			return 0
		}
		lineNo++
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
			return executorFailureStatus(j, r.lost)
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
		r.run(item, p)
	}
}

func (r *repl) run(item kaleidoscope.Item, p *kaleidoscope.Parser) {
	if def, ok := item.(*kaleidoscope.FunctionDef); ok && !def.TopLevel && r.lazy != nil {
		r.defineLazy(def, p)
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
		return
	case *kaleidoscope.FunctionDef:
		if !it.TopLevel {
			r.fail(r.addFuncs([]*ir.Function{fn}, true))
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
	_, err = runEntry(r.ctx, r.j, addr, r.stdout)
	r.fail(err)
}

// defineLazy declares def's function for the session's expressions (and
// its operator precedence for the parsers) and hands its body to the lazy
// compiler.
func (r *repl) defineLazy(def *kaleidoscope.FunctionDef, p *kaleidoscope.Parser) {
	if f := r.g.Module.Func(def.Proto.Name); f != nil && !f.IsDeclaration() {
		fmt.Fprintln(r.stderr, &kaleidoscope.Diagnostic{File: r.file, Pos: def.Proto.Pos, Msg: fmt.Sprintf("redefinition of function '%s' (a runtime builtin)", def.Proto.Name)})
		r.errors++
		return
	}
	if _, d := r.g.Gen(r.file, &kaleidoscope.Extern{Proto: def.Proto}, p); d != nil {
		fmt.Fprintln(r.stderr, d)
		r.errors++
		return
	}
	if def.Proto.Kind == kaleidoscope.ProtoBinary {
		op := def.Proto.OperatorChar()
		r.g.SetPrecedence(op, def.Proto.Precedence)
		p.SetPrecedence(op, def.Proto.Precedence)
	}
	r.fail(r.lazy.define(r.ctx, r.file, def))
}

// fail reports err (if any) and returns whether there was one; an error
// saying the executor is gone ends the session.
func (r *repl) fail(err error) bool {
	if err == nil {
		return false
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
	if r.lazy != nil && omitGlobals {
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
	res, err := r.j.Target.Backend.Compile(r.ctx, m, target.Options{Only: only, OmitGlobals: omitGlobals, SourceName: "repl"})
	if err != nil {
		return err
	}
	return r.j.AddObject("repl-"+strconv.Itoa(r.n)+".o", res.Object)
}

// interactiveInput returns the REPL's line reader: line editing when
// stdin is a terminal, plain lines otherwise.
func interactiveInput(stdout io.Writer) lineReader {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		rw := struct {
			io.Reader
			io.Writer
		}{os.Stdin, os.Stdout}
		return &termLines{t: term.NewTerminal(rw, "ready> "), fd: fd}
	}
	return &plainLines{r: bufio.NewReader(os.Stdin), out: stdout}
}
