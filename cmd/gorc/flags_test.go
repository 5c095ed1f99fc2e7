package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestCmdLineParse: the one flag syntax of every subcommand.
func TestCmdLineParse(t *testing.T) {
	type result struct {
		Inputs, Rest, Libs, Dirs []string
		Noexec, Lazy             bool
		Entry                    string
		Level                    int
	}
	parse := func(args ...string) (result, error) {
		var r result
		fs := newFlagSet("run")
		fs.BoolVar(&r.Noexec, "noexec", false, "")
		fs.BoolVar(&r.Lazy, "lazy", false, "")
		fs.StringVar(&r.Entry, "entry", "main", "")
		fs.Var(optLevel{&r.Level}, "O", "")
		fs.Var((*stringList)(&r.Dirs), "L", "")
		fs.Var(funcValue(func(s string) error { r.Inputs = append(r.Inputs, "-l"+s); return nil }), "l", "")
		c := cmdLine{cmd: "run", fs: fs, glued: []string{"l", "L", "O"}, stop: []string{"args"},
			input: func(s string) error { r.Inputs = append(r.Inputs, s); return nil }}
		_, rest, err := c.parse(args)
		r.Rest = rest
		return r, err
	}
	tests := []struct {
		name string
		args []string
		want result // Entry "main" and Level 0 unless set
		err  string
	}{
		{"flags before", []string{"-noexec", "-entry", "f", "p.o"}, result{Inputs: []string{"p.o"}, Noexec: true, Entry: "f"}, ""},
		{"flags after", []string{"p.o", "-noexec", "-entry", "f"}, result{Inputs: []string{"p.o"}, Noexec: true, Entry: "f"}, ""},
		{"-flag=value", []string{"-entry=f", "p.o"}, result{Inputs: []string{"p.o"}, Entry: "f"}, ""},
		{"--flag value", []string{"--entry", "f", "--noexec", "p.o"}, result{Inputs: []string{"p.o"}, Noexec: true, Entry: "f"}, ""},
		{"--flag=value", []string{"--entry=f", "p.o"}, result{Inputs: []string{"p.o"}, Entry: "f"}, ""},
		{"bool=false", []string{"-noexec=false", "p.o"}, result{Inputs: []string{"p.o"}, Entry: "main"}, ""},
		{"-- ends flags", []string{"p.o", "--", "-noexec", "x"}, result{Inputs: []string{"p.o"}, Rest: []string{"-noexec", "x"}, Entry: "main"}, ""},
		{"-args ends flags", []string{"p.o", "-args", "-noexec"}, result{Inputs: []string{"p.o"}, Rest: []string{"-noexec"}, Entry: "main"}, ""},
		{"glued -l and order", []string{"a.o", "-lm", "b.o", "-l", "z"}, result{Inputs: []string{"a.o", "-lm", "b.o", "-lz"}, Entry: "main"}, ""},
		{"-lazy is a flag, -llazy a library", []string{"-lazy", "-llazy", "p.o"}, result{Inputs: []string{"-llazy", "p.o"}, Lazy: true, Entry: "main"}, ""},
		{"glued -L", []string{"-L/x", "-L", "/y", "p.o"}, result{Inputs: []string{"p.o"}, Dirs: []string{"/x", "/y"}, Entry: "main"}, ""},
		{"-O forms", []string{"-O1", "p.o"}, result{Inputs: []string{"p.o"}, Level: 1, Entry: "main"}, ""},
		{"-O N", []string{"p.o", "-O", "2"}, result{Inputs: []string{"p.o"}, Level: 2, Entry: "main"}, ""},
		{"--O=0", []string{"--O=0"}, result{Entry: "main"}, ""},
		{"stdin input", []string{"-"}, result{Inputs: []string{"-"}, Entry: "main"}, ""},
		{"unknown flag", []string{"p.o", "-frob"}, result{}, "gorc run: unknown flag -frob (see gorc help run)"},
		{"unknown flag with value", []string{"--frob=1"}, result{}, "gorc run: unknown flag --frob (see gorc help run)"},
		{"missing value", []string{"p.o", "-entry"}, result{}, "gorc run: flag -entry needs a value (see gorc help run)"},
		{"bad value", []string{"-O3"}, result{}, `gorc run: invalid value "3" for -O: want 0, 1 or 2 (see gorc help run)`},
		{"bad bool", []string{"-noexec=maybe"}, result{}, `gorc run: invalid value "maybe" for -noexec`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(tc.args...)
			if tc.err != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parse(%q) error = %v, want a usage error containing %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tc.args, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parse(%q) =\n%+v, want\n%+v", tc.args, got, tc.want)
			}
		})
	}
	for _, h := range []string{"-h", "-help", "--help"} {
		if _, err := parse("p.o", h); err != errHelp {
			t.Errorf("parse(%s) = %v, want errHelp", h, err)
		}
	}
}
