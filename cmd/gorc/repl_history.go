package main

// This file holds the REPL's history, kept across sessions in the user's
// cache directory (os.UserCacheDir()/gorc/kaleido_history), one line per
// entry, the newest last. Each line is appended under an exclusive
// flock(2), so REPLs running at once append whole lines; a session that
// finds the file much longer than the bound rewrites it with the newest
// lines only, under the same lock.

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// historyMax is how many lines the history keeps.
const historyMax = 1000

// historyPath is where the history is kept, or "" when there is no cache
// directory (no HOME nor XDG_CACHE_HOME): then it lasts for the session.
func historyPath() string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	return filepath.Join(dir, "gorc", "kaleido_history")
}

// history is the line editor's history (term.History): the lines of
// earlier sessions and this one. The editor's own Add is ignored: the
// REPL records a line (record) once it knows the line was not cancelled.
type history struct {
	path  string
	max   int
	lines []string // oldest first
}

// openHistory loads the history at path ("" for none). A file that
// cannot be read or written only means no history is kept there.
func openHistory(path string, max int) *history {
	h := &history{path: path, max: max}
	if path == "" {
		return h
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return h
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX) != nil {
		return h
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	var all []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			all = append(all, l)
		}
	}
	if len(all) > max {
		if len(all) > max+max/2 {
			// Rewrite in place, under the lock other sessions append
			// under, keeping the newest lines.
			var b bytes.Buffer
			for _, l := range all[len(all)-max:] {
				b.WriteString(l)
				b.WriteByte('\n')
			}
			if f.Truncate(0) == nil {
				f.WriteAt(b.Bytes(), 0)
			}
		}
		all = all[len(all)-max:]
	}
	h.lines = all
	return h
}

// record adds line to the history and appends it to the file. Empty
// lines, lines with control characters and a repeat of the previous line
// are not kept.
func (h *history) record(line string) {
	if strings.TrimSpace(line) == "" || strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return
	}
	if n := len(h.lines); n > 0 && h.lines[n-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > h.max {
		h.lines = h.lines[len(h.lines)-h.max:]
	}
	if h.path == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX) != nil {
		return
	}
	f.WriteString(line + "\n")
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// Add implements term.History; see record.
func (h *history) Add(string) {}

// Len implements term.History.
func (h *history) Len() int { return len(h.lines) }

// At implements term.History: 0 is the newest line.
func (h *history) At(i int) string { return h.lines[len(h.lines)-1-i] }
