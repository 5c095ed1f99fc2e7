package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKaleidoLazyShowTimes: gorc kaleido -lazy -show-times prints the
// phases of the lazy run (set-up, the session's open, the parse and
// define of the definitions, the top-level expressions) with their page
// faults, and the first calls' count and compile time, in each
// execution mode; the program's output is unchanged.
func TestKaleidoLazyShowTimes(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	src := "def f(x) x*2;\ndef g(x) f(x)+1;\ndef never(x) x;\ng(3);\n"
	if err := os.WriteFile(filepath.Join(dir, "t.k"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dur := `[0-9.]+(ns|µs|ms|s)`
	wantLines := []string{
		`^lazy set-up \(flags, heap readied, sources read\): ` + dur + ` \(at ` + dur + `; page faults [0-9]+\)$`,
		`^session open \(executor, libm, runtime\): ` + dur + ` \(on its own goroutine, ` + dur + ` to ` + dur + `\)$`,
		`^parse and define \(3 definitions, until the first top-level expression\): ` + dur + ` \(page faults -?[0-9]+\)$`,
		`^top-level expressions \(1\): ` + dur + `, of which their code ran ` + dur + ` \(page faults -?[0-9]+\)$`,
		`^first calls: 2 through the JIT, 2 bodies compiled on demand \(parse, IR, passes, code: ` + dur + ` busy\)$`,
		`^total \(since gorc started\): ` + dur + `, page faults [0-9]+$`,
	}
	for _, mode := range []string{"local", "child"} {
		out, errOut, code := runGorc(t, bin, dir, []string{"kaleido", "-lazy", "-no-cache", "-show-times", "-exec", mode, "t.k"}, "", false)
		if code != 0 || out != "Evaluated to 7.000000\n" {
			t.Errorf("%s: exit %d, stdout %q, stderr:\n%s", mode, code, out, errOut)
			continue
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if len(lines) != len(wantLines) {
			t.Errorf("%s: %d lines on stderr, want %d:\n%s", mode, len(lines), len(wantLines), errOut)
			continue
		}
		for i, re := range wantLines {
			if !regexp.MustCompile(re).MatchString(lines[i]) {
				t.Errorf("%s: line %d %q does not match %s", mode, i+1, lines[i], re)
			}
		}
	}
}
