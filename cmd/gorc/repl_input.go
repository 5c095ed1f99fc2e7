package main

// This file holds the REPL's line input on a terminal: line editing
// (golang.org/x/term), Ctrl-C clearing the line, and history kept across
// sessions (repl_history.go).

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"
)

// errLineCancelled is returned by ReadLine when Ctrl-C cancelled the line
// being typed.
var errLineCancelled = errors.New("line cancelled")

// termLines gives line editing and history on a terminal; the terminal is
// in raw mode only while a line is being read, so the program's output
// prints normally and Ctrl-C while code runs is SIGINT.
type termLines struct {
	t    *term.Terminal
	fd   int
	keys *ctrlCKeys
	hist *history
}

func (t *termLines) ReadLine(prompt string) (string, error) {
	st, err := term.MakeRaw(t.fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(t.fd, st)
	// Keys typed while code ran were taken by the terminal in its normal
	// mode, where Ctrl-D on an empty line is an end-of-file mark that
	// raw mode then reads as a NUL byte: they are the bytes queued now.
	t.keys.typedAhead(queuedInput(t.fd))
	t.t.SetPrompt(prompt)
	line, err := t.t.ReadLine()
	if err == nil && t.keys.cancelled(line) {
		return "", errLineCancelled
	}
	if err == nil {
		t.hist.record(line)
	}
	return line, err
}

func (t *termLines) Close() {}

// ctrlCKeys sits between the terminal and x/term's line editor, which
// ends the session on Ctrl-C as on Ctrl-D: it turns each Ctrl-C into
// "go to the end of the line, show ^C, enter" (as a shell shows it), and
// ReadLine then drops that line.
//
// It also gives back the Ctrl-Ds typed ahead: see typedAhead.
type ctrlCKeys struct {
	r       io.Reader
	mu      sync.Mutex
	pending []byte
	hits    int // Ctrl-Cs turned into lines not yet returned
	cooked  int // bytes still to read that the terminal queued in its normal mode
}

// typedAhead says that the next n bytes to read were typed while the
// terminal was in its normal (canonical) mode: a NUL among them is the
// end-of-file mark Ctrl-D left on an empty line, and is read as Ctrl-D.
// (A NUL typed as such, Ctrl-@, is read so too: the line editor ignores
// NULs anyway.)
func (c *ctrlCKeys) typedAhead(n int) {
	c.mu.Lock()
	c.cooked = max(n, 0)
	c.mu.Unlock()
}

// ctrlCLine is what one Ctrl-C becomes: ^E (end of line), "^C", Enter.
const ctrlCLine = "\x05^C\r"

func (c *ctrlCKeys) Read(p []byte) (int, error) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		n, err := c.r.Read(p)
		c.mu.Lock()
		if k := min(n, c.cooked); k > 0 {
			for i, b := range p[:k] {
				if b == 0 {
					p[i] = 4 // Ctrl-D
				}
			}
			c.cooked -= k
		}
		c.mu.Unlock()
		if n == 0 || bytes.IndexByte(p[:n], 3) < 0 {
			return n, err
		}
		c.mu.Lock()
		k := bytes.Count(p[:n], []byte{3})
		c.hits += k
		c.pending = bytes.ReplaceAll(p[:n], []byte{3}, []byte(ctrlCLine))
		if err != nil && err != io.EOF {
			c.mu.Unlock()
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	c.mu.Unlock()
	return n, nil
}

// cancelled reports whether line is one that Ctrl-C ended.
func (c *ctrlCKeys) cancelled(line string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hits > 0 && strings.HasSuffix(line, "^C") {
		c.hits--
		return true
	}
	return false
}

// isTerminalInput reports whether the REPL reads a terminal.
func isTerminalInput(in lineReader) bool {
	_, ok := in.(*termLines)
	return ok
}

// interactiveInput returns the REPL's line reader: line editing and
// history when stdin is a terminal, plain lines otherwise.
func interactiveInput(stdout io.Writer) lineReader {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		keys := &ctrlCKeys{r: os.Stdin}
		rw := struct {
			io.Reader
			io.Writer
		}{keys, os.Stdout}
		t := term.NewTerminal(rw, "ready> ")
		h := openHistory(historyPath(), historyMax)
		t.History = h
		return &termLines{t: t, fd: fd, keys: keys, hist: h}
	}
	return &plainLines{r: bufio.NewReader(os.Stdin), out: stdout}
}
