package main

// This file holds the REPL's session state kept on the controller side:
// the definitions entered so far, in order, as ASTs. From them the
// session is rebuilt on a new executor after a crash or Ctrl-C, and
// without the last one after %undo.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// replDef is one definition of the session: a def or an extern.
type replDef struct {
	file string
	item kaleidoscope.Item
	// undo, for a redefinition in an eager session (which took the
	// definition it replaced out of the session), is how %undo puts that
	// one back.
	undo *replUndo
}

// replUndo is what a redefinition replaced: the earlier definition, its
// place among the session's definitions, and the forward declarations
// the session had before.
type replUndo struct {
	old     replDef
	at      int
	forward []*kaleidoscope.Prototype
}

// String shows the definition as it was declared, without its body.
func (d replDef) String() string {
	switch it := d.item.(type) {
	case *kaleidoscope.Extern:
		return "extern " + protoString(it.Proto)
	case *kaleidoscope.FunctionDef:
		return "def " + protoString(it.Proto)
	}
	return fmt.Sprintf("%T", d.item)
}

// protoString writes a prototype in Kaleidoscope syntax.
func protoString(p *kaleidoscope.Prototype) string {
	params := "(" + strings.Join(p.Params, " ") + ")"
	switch p.Kind {
	case kaleidoscope.ProtoBinary:
		return fmt.Sprintf("%s %d %s", p.Name, p.Precedence, params)
	default:
		return p.Name + params
	}
}

// defined records a definition that was compiled and added.
func (r *repl) defined(item kaleidoscope.Item) {
	r.defs = append(r.defs, replDef{file: r.file, item: item})
}

// open starts a session: it resolves the REPL's default executor (a
// child process, which Ctrl-C can stop; this process when no child can be
// started), connects to it, loads libm and adds the runtime helpers. It
// returns 0, or the exit status after reporting an error.
func (r *repl) open(eo execOptions) int {
	fallback := eo.mode == ""
	if fallback {
		eo.mode = "child"
	}
	r.eo = eo
	err := r.connect(eo)
	if err != nil && fallback {
		if r.j != nil {
			r.j.Close(r.ctx)
		}
		fmt.Fprintf(r.stderr, "gorc kaleido: cannot start a child executor (%v); running code in this process, where Ctrl-C cannot stop it\n", err)
		r.eo.mode = "local"
		err = r.connect(r.eo)
	}
	if err != nil {
		fmt.Fprintf(r.stderr, "gorc kaleido: %v\n", err)
		if r.j == nil {
			return 2
		}
		r.j.Close(r.ctx)
		return 1
	}
	return 0
}

// connect opens a JIT on the executor eo names with a fresh generator,
// libm and the runtime helpers; on failure r.j is the JIT if one was
// opened (to be closed), else nil.
func (r *repl) connect(eo execOptions) error {
	r.j = nil
	j, err := openJIT(r.ctx, eo, true, r.stdout, r.stderr)
	if err != nil {
		return err
	}
	r.j = j
	r.g = kaleidoscope.NewGenerator("repl")
	// -lazy: a definition is declared for the expressions that may call
	// it; its IR declaration is made only when one does.
	r.g.DeferDeclarations = r.lazyMode
	if !r.lazyMode {
		// Later items inline the small functions of earlier ones (a
		// redefinition rebuilds the session, so no stale copy survives).
		r.pm = kaleidoscope.Passes(r.level)
	}
	if err := j.LoadDylib(r.ctx, "-lm"); err != nil {
		return err
	}
	// The runtime helpers and the format strings go in the first object.
	if err := r.addFuncs(r.g.Runtime(), false); err != nil || !r.lazyMode {
		return err
	}
	// -lazy: link the runtime now (its symbols must be defined before any
	// stub: a definition named like a runtime helper is refused) and start
	// this JIT's lazy definitions.
	if err := j.LinkAll(r.ctx); err != nil {
		return err
	}
	r.lazy, err = newLazyDefs(j, r.level, "repl")
	if err != nil {
		return err
	}
	if r.speculate {
		r.lazy.startSpeculation()
	}
	// The definitions' prototypes are the lazy definitions' (defineLazy).
	r.g.Resolve = r.lazy.proto
	return nil
}

// canRestart reports whether the executor is a separate process, which
// can be ended and started again.
func (r *repl) canRestart() bool { return r.eo.mode != "" && r.eo.mode != "local" }

// rebuild ends the current executor and starts a new session with defs
// replayed in order. Definitions that fail now are reported and dropped.
func (r *repl) rebuild(defs []replDef) error {
	// An executor still running code (stopped by Ctrl-C) is killed when
	// the context ends; one that died answers nothing.
	ctx, cancel := context.WithTimeout(r.ctx, 500*time.Millisecond)
	r.j.Close(ctx)
	cancel()
	old := r.j
	if err := r.connect(r.eo); err != nil {
		if r.j != nil {
			r.j.Close(r.ctx)
		}
		r.j = old // closed: anything more fails and ends the session
		return err
	}
	r.defs = nil
	r.lost = nil
	r.interrupted = false
	for _, pr := range r.forward {
		// Redefined functions: declared, so that their callers defined
		// before their latest definition compile.
		if _, d := r.g.Gen(r.file, &kaleidoscope.Extern{Proto: pr}, nil); d != nil {
			fmt.Fprintln(r.stderr, d)
		}
	}
	for _, d := range defs {
		n := len(r.defs)
		r.run(d.item, nil)
		if r.lost != nil {
			return r.lost
		}
		if len(r.defs) == n+1 {
			r.defs[n].undo = d.undo // (a replayed redefinition stays undoable)
		}
	}
	return nil
}

// runRestarting runs an item; if the executor is lost meanwhile (a crash
// or Ctrl-C), a new one runs the rest of the session. An item whose code
// had not started when the executor was found gone (it died between two
// items) runs again in the new one.
func (r *repl) runRestarting(item kaleidoscope.Item, p *kaleidoscope.Parser) {
	r.ran = false
	r.run(item, p)
	if r.lost == nil {
		return
	}
	again := !r.ran && !r.interrupted
	r.restart()
	if again && r.lost == nil {
		r.ran = false
		r.run(item, p)
		if r.lost != nil {
			r.restart()
		}
	}
}

// restart follows an executor lost to a crash or stopped by Ctrl-C (in
// r.lost): in a separate process the session goes on in a new executor
// with the definitions made so far, and the user is told what happened;
// in this process nothing can be done and r.lost stays set.
func (r *repl) restart() {
	if !r.canRestart() {
		return
	}
	what, done := "interrupted", "executor restarted"
	if r.interrupted && isTerminalInput(r.in) {
		fmt.Fprintln(r.stderr) // after the terminal's "^C"
	}
	if !r.interrupted {
		what, done = "executor died: "+howEnded(r.lost), "restarted"
	}
	if err := r.rebuild(r.defs); err != nil {
		fmt.Fprintf(r.stderr, "gorc kaleido: %s; starting a new executor failed: %v\n", what, err)
		if r.lost == nil {
			r.lost = err
		}
		return
	}
	fmt.Fprintf(r.stderr, "gorc kaleido: %s; %s, %s restored\n", what, done, plural(len(r.defs), "definition"))
}

// howEnded says briefly how the executor ended, from the error that
// reported it: the signal ("SIGABRT"), the exit status, or the error. It
// finds the leftmost `terminated by signal (SIG[A-Z0-9]+)|exited with
// status \d+` by hand (see parseREPLCommand for why not with regexp).
func howEnded(err error) string {
	msg := err.Error()
	const signal, status = "terminated by signal SIG", "exited with status "
	for i := range len(msg) {
		rest := msg[i:]
		if strings.HasPrefix(rest, signal) {
			if n := countWhile(rest[len(signal):], isUpperOrDigit); n > 0 {
				return rest[len(signal)-3 : len(signal)+n]
			}
		}
		if strings.HasPrefix(rest, status) {
			if n := countWhile(rest[len(status):], isDigit); n > 0 {
				return rest[:len(status)+n]
			}
		}
	}
	return msg
}

func isDigit(c byte) bool        { return '0' <= c && c <= '9' }
func isUpperOrDigit(c byte) bool { return 'A' <= c && c <= 'Z' || isDigit(c) }

// countWhile is the length of s's longest prefix of bytes that satisfy ok.
func countWhile(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
