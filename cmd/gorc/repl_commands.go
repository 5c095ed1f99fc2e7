package main

// This file holds the REPL's commands: a line "%NAME" at the ready>
// prompt. Such a line is never valid Kaleidoscope (even with a unary
// operator '%', NAME would be a variable, and a top-level expression has
// none), so commands need no escape.

import (
	"fmt"
	"io"
	"strings"

	"github.com/gorc-jit/gorc/kaleidoscope"
)

// parseREPLCommand returns the command a line gives, if it is one: the
// line is `^\s*%([A-Za-z_][A-Za-z0-9_]*)\s*$` (RE2's \s). It is matched by
// hand, not with package regexp: linking regexp (and with it the unicode
// tables regexp/syntax names) costs every gorc process's start its
// package initialisation (docs/RATIONALE.md, "Session 23, issue 13: gorc's fixed process cost").
func parseREPLCommand(line string) (string, bool) {
	name, ok := strings.CutPrefix(strings.Trim(line, " \t\n\f\r"), "%")
	if !ok || name == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || i > 0 && '0' <= c && c <= '9') {
			return "", false
		}
	}
	return name, true
}

const replHelp = `Enter Kaleidoscope definitions (def, extern) and expressions, each ending with ';'.
Commands:
  %help   show this help
  %defs   list the session's definitions
  %undo   undo the last definition (def or extern)
  %quit   end the session (as does Ctrl-D on an empty line)
Ctrl-C stops the expression that runs (its executor is restarted with the
session's definitions) or clears the line being typed.
`

// command runs a REPL command and reports whether the session ends.
func (r *repl) command(name string) (quit bool) {
	switch name {
	case "quit", "q", "exit":
		return true
	case "help", "h":
		io.WriteString(r.stdout, replHelp)
	case "defs":
		for _, d := range r.defs {
			fmt.Fprintln(r.stdout, d)
		}
	case "undo":
		r.undo()
	default:
		fmt.Fprintf(r.stderr, "gorc kaleido: unknown command %%%s (%%help lists the commands)\n", name)
	}
	return false
}

// undo removes the last definition: the session is rebuilt on a new
// executor (or a new in-process JIT) from the definitions before it, so
// its code, its symbols and the generator's knowledge of it (a prototype,
// an operator's precedence) are all gone, and an earlier definition of
// the same name, if any, is the one in force again. An eager session's
// redefinition took the definition it replaced out of the session (its
// callers had to be rebuilt against the new one); undoing it puts that
// definition back where it was, with the forward declarations of then, so
// callers compiled before the redefinition call — or inline — the old
// body again.
func (r *repl) undo() {
	if len(r.defs) == 0 {
		fmt.Fprintln(r.stderr, "gorc kaleido: nothing to undo")
		return
	}
	last := r.defs[len(r.defs)-1]
	keep := r.defs[: len(r.defs)-1 : len(r.defs)-1]
	forward := r.forward
	if u := last.undo; u != nil {
		at := min(u.at, len(keep))
		keep = append(append(append([]replDef(nil), keep[:at]...), u.old), keep[at:]...)
		r.forward = u.forward
	}
	if err := r.rebuild(keep); err != nil {
		r.forward = forward
		fmt.Fprintf(r.stderr, "gorc kaleido: undoing %s: %v\n", last, err)
		if r.lost == nil {
			r.lost = err
		}
		return
	}
	msg := "undone: " + last.String()
	if def, ok := last.item.(*kaleidoscope.FunctionDef); ok {
		for _, d := range r.defs {
			if e, ok := d.item.(*kaleidoscope.FunctionDef); ok && e.Proto.Name == def.Proto.Name {
				msg += "; the previous definition of " + def.Proto.Name + " is back"
				break
			}
		}
	}
	fmt.Fprintf(r.stderr, "gorc kaleido: %s\n", msg)
}
