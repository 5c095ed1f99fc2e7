package main

// This file is gorc's one command-line syntax. Every subcommand defines
// its flags on a package flag FlagSet (so defaults and help text live with
// the definition) and parses them with parseFlags, which accepts:
//
//	-flag value, -flag=value, --flag value, --flag=value
//	-bool, --bool, -bool=false
//	-Xvalue for the flags named in glued (-lNAME, -LDIR, -O2)
//	flags before, between and after the inputs
//	--, and any spelling in stop (gorc run's -args), ending the flags:
//	what follows is the program's arguments
//
// and reports every problem in one format, with a one-line hint instead
// of the full usage:
//
//	gorc run: unknown flag -frob (see gorc help run)

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errHelp is returned by parseFlags for -h, -help and --help.
var errHelp = errors.New("help requested")

// usageError is a command-line mistake of subcommand cmd.
type usageError struct {
	cmd string // "run", "kaleido", "executor"
	msg string
}

func (e *usageError) Error() string {
	return fmt.Sprintf("gorc %s: %s (see gorc help %s)", e.cmd, e.msg, e.cmd)
}

// usagef returns a usageError of subcommand cmd.
func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// cmdLine describes how a subcommand's arguments are parsed.
type cmdLine struct {
	cmd string        // subcommand name, for messages
	fs  *flag.FlagSet // the flags
	// glued names the flags that also take their value glued to the name
	// (-lm, -L/usr/lib, -O2): an argument that is not a flag itself but
	// starts with one of these names is that flag with the rest as value.
	glued []string
	// stop lists spellings besides "--" that end the flags (gorc run's
	// -args, llvm-jitlink's).
	stop []string
	// input, when set, is called for each argument that is not a flag, in
	// order with the flags around it (so that -l and inputs keep their
	// relative order); otherwise inputs are returned.
	input func(string) error
}

// boolFlag is the interface package flag uses for flags without a value.
type boolFlag interface{ IsBoolFlag() bool }

// parse parses args. It returns the inputs (the arguments that are not
// flags, when c.input is nil) and the program arguments after "--" (or a
// c.stop spelling); errHelp for -h/-help/--help; a *usageError for
// anything wrong.
func (c *cmdLine) parse(args []string) (inputs, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || c.stops(a) {
			return inputs, append([]string{}, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			// An input ("-" alone is standard input).
			if c.input != nil {
				if err := c.input(a); err != nil {
					return nil, nil, usagef(c.cmd, "%v", err)
				}
			} else {
				inputs = append(inputs, a)
			}
			continue
		}
		name := strings.TrimPrefix(a[1:], "-")
		value, hasValue := "", false
		if k := strings.IndexByte(name, '='); k >= 0 {
			name, value, hasValue = name[:k], name[k+1:], true
		}
		if name == "h" || name == "help" {
			return nil, nil, errHelp
		}
		f := c.fs.Lookup(name)
		if f == nil {
			// -lNAME, -LDIR, -O2: a glued value.
			if g := c.gluedFlag(name); g != "" {
				f, value, hasValue = c.fs.Lookup(g), a[strings.Index(a, g)+len(g):], true
				name = g
			}
		}
		if f == nil || name == "" {
			return nil, nil, usagef(c.cmd, "unknown flag %s", flagName(a))
		}
		if b, ok := f.Value.(boolFlag); ok && b.IsBoolFlag() {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 >= len(args) {
				return nil, nil, usagef(c.cmd, "flag -%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := f.Value.Set(value); err != nil {
			return nil, nil, usagef(c.cmd, "invalid value %q for -%s: %v", value, name, err)
		}
	}
	return inputs, nil, nil
}

// stops reports whether a is one of c.stop's spellings (with one dash or
// two).
func (c *cmdLine) stops(a string) bool {
	for _, s := range c.stop {
		if a == "-"+s || a == "--"+s {
			return true
		}
	}
	return false
}

// gluedFlag returns the longest name in c.glued that name starts with and
// extends (so "-lazy", a flag of its own, is found by Lookup first and
// "-lm" is -l with m).
func (c *cmdLine) gluedFlag(name string) string {
	best := ""
	for _, g := range c.glued {
		if len(name) > len(g) && strings.HasPrefix(name, g) && len(g) > len(best) {
			best = g
		}
	}
	return best
}

// flagName is the flag part of argument a (without "=value"), for
// messages.
func flagName(a string) string {
	if k := strings.IndexByte(a, '='); k >= 0 {
		return a[:k]
	}
	return a
}

// parseCommandLine parses args with c and reports problems on stderr: it
// returns status -1 to go on, 0 after printing help (usage) on stdout, or
// 2 after a usage error.
func (c *cmdLine) parseCommandLine(args []string, stdout, stderr io.Writer, usage func(io.Writer)) (inputs, rest []string, status int) {
	inputs, rest, err := c.parse(args)
	switch {
	case err == errHelp:
		usage(stdout)
		return nil, nil, 0
	case err != nil:
		fmt.Fprintln(stderr, err)
		return nil, nil, 2
	}
	return inputs, rest, -1
}

// newFlagSet returns an empty FlagSet for subcommand cmd whose own output
// (package flag's messages) is discarded: parseFlags reports errors.
func newFlagSet(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet("gorc "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// printFlags prints fs's flags as package flag does (sorted, with
// defaults), to w.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// stringList is a repeatable string flag (-L DIR -L DIR2).
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// funcValue is a flag whose Set calls a function (for flags that must keep
// their order with the inputs, like -lNAME).
type funcValue func(string) error

func (f funcValue) String() string     { return "" }
func (f funcValue) Set(s string) error { return f(s) }

// oneOf is a string flag whose value must be one of a list (-emit ir).
type oneOf struct {
	v      *string
	values []string
}

func (o oneOf) String() string {
	if o.v == nil {
		return ""
	}
	return *o.v
}

func (o oneOf) Set(s string) error {
	for _, v := range o.values {
		if s == v {
			*o.v = s
			return nil
		}
	}
	return fmt.Errorf("want %s", strings.Join(o.values, ", "))
}

// optLevel is the -O flag: -O N, -O=N or -ON (N = 0, 1, 2).
type optLevel struct{ level *int }

func (o optLevel) String() string {
	if o.level == nil {
		return ""
	}
	return strconv.Itoa(*o.level)
}

func (o optLevel) Set(s string) error {
	n, err := parseOptLevel(s)
	if err == nil {
		*o.level = n
	}
	return err
}

// parseOptLevel parses the N of -ON or -O N.
func parseOptLevel(v string) (int, error) {
	switch v {
	case "0", "1", "2":
		return int(v[0] - '0'), nil
	}
	return 0, errors.New("want 0, 1 or 2")
}

// boolFunc is a boolean flag that calls f when set to true.
type boolFunc func()

func (f boolFunc) String() string   { return "" }
func (f boolFunc) IsBoolFlag() bool { return true }
func (f boolFunc) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	if b {
		f()
	}
	return nil
}
