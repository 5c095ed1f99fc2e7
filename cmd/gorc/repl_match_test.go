package main

import (
	"errors"
	"regexp"
	"testing"
)

// The REPL's two matchers are written by hand (no package regexp in the
// binary); these tables check them against the regular expressions they
// replace.

func TestParseREPLCommandMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^\s*%([A-Za-z_][A-Za-z0-9_]*)\s*$`)
	for _, line := range []string{
		"%help", "  %defs  ", "\t%undo\r\n", "%quit\f", "%q", "%_x9", "%X_1",
		"%", "% help", "%9lives", "%he-lp", "help", "%%help", "def f() 1;",
		"%help;", " %a b", "", "   ", "%é", "\v%help", "%help\v",
	} {
		got, ok := parseREPLCommand(line)
		var want string
		m := re.FindStringSubmatch(line)
		if m != nil {
			want = m[1]
		}
		if ok != (m != nil) || got != want {
			t.Errorf("parseREPLCommand(%q) = %q, %v; the regexp gives %q, %v", line, got, ok, want, m != nil)
		}
	}
}

func TestHowEndedMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`terminated by signal (SIG[A-Z0-9]+)|exited with status \d+`)
	for _, msg := range []string{
		"executor lost: terminated by signal SIGSEGV",
		"executor lost: exited with status 3",
		"exited with status 12 after terminated by signal SIGABRT",
		"terminated by signal SIGRTMIN1 (core dumped)",
		"terminated by signal SIG, then terminated by signal SIGKILL",
		"terminated by signal 9",
		"exited with status x, exited with status 7",
		"exited with status ",
		"broken pipe",
		"",
	} {
		want := msg
		if m := re.FindStringSubmatch(msg); m != nil {
			want = m[0]
			if m[1] != "" {
				want = m[1]
			}
		}
		if got := howEnded(errors.New(msg)); got != want {
			t.Errorf("howEnded(%q) = %q, want %q (the regexp's)", msg, got, want)
		}
	}
}
