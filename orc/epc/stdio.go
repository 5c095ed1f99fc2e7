package epc

import (
	"io"
	"os"
	"syscall"
)

// Stdio is the standard input, output and error of the program an
// executor runs. A nil field means this process's os.Stdin, os.Stdout or
// os.Stderr. NoStdin as Stdin means the program gets no input from the
// controller (it reads end-of-file): for a controller that reads its own
// stdin, such as the Kaleidoscope REPL.
//
// Where the fields go depends on the executor:
//   - in-process: the program uses this process's descriptors 0, 1 and 2
//     whatever the fields say (C code writes to descriptors, not to Go
//     writers);
//   - child: when every field is nil or an *os.File (NoStdin included),
//     the child inherits them as its descriptors 0, 1 and 2; otherwise the
//     program's output and input are forwarded over the protocol stream,
//     as for TCP;
//   - tcp:// and tls://: always forwarded over the connection: the
//     executor puts pipes on the program's descriptors 0, 1 and 2 and
//     sends what the program writes as stdout/stderr frames; the
//     controller sends Stdin's bytes as stdin calls (and end-of-file).
//
// Forwarded output is complete and in order at every call boundary: the
// executor flushes C stdio and drains the pipes before it answers a call
// that ran JIT'd code (and before a program's exit status), so output the
// controller writes after a call returns comes after the program's.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// NoStdin is a reader at end-of-file: as Stdio.Stdin it means "do not
// forward this process's stdin to the program".
var NoStdin io.Reader = noStdin{}

type noStdin struct{}

func (noStdin) Read([]byte) (int, error) { return 0, io.EOF }

// stdin, stdout and stderr return the fields with their defaults.
func (s Stdio) stdin() io.Reader {
	if s.Stdin == nil {
		return os.Stdin
	}
	return s.Stdin
}

func (s Stdio) stdout() io.Writer {
	if s.Stdout == nil {
		return os.Stdout
	}
	return s.Stdout
}

func (s Stdio) stderr() io.Writer {
	if s.Stderr == nil {
		return os.Stderr
	}
	return s.Stderr
}

// inheritable reports whether a child executor can be given the fields as
// its descriptors directly (no forwarding over the stream).
func (s Stdio) inheritable() bool {
	if _, ok := s.stdin().(*os.File); !ok && s.Stdin != NoStdin {
		return false
	}
	if _, ok := s.stdout().(*os.File); !ok {
		return false
	}
	_, ok := s.stderr().(*os.File)
	return ok
}

// sameDestination reports whether two writers are one destination: the
// same writer, or files on the same open file (a terminal for both). The
// executor then gives the program one pipe for stdout and stderr, so
// their interleaving is exactly what the program wrote.
func sameDestination(a, b io.Writer) (same bool) {
	defer func() {
		if recover() != nil { // uncomparable dynamic types
			same = false
		}
	}()
	if a == b {
		return true
	}
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 {
		return false
	}
	var sa, sb syscall.Stat_t
	if syscall.Fstat(int(fa.Fd()), &sa) != nil || syscall.Fstat(int(fb.Fd()), &sb) != nil {
		return false
	}
	return sa.Dev == sb.Dev && sa.Ino == sb.Ino
}
