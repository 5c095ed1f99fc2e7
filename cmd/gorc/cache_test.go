//go:build cgo

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cacheEntries lists the entry files of the cache in dir.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "v*", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), ".") {
			entries = append(entries, f)
		}
	}
	return entries
}

// copyCorpus copies Kaleidoscope corpus files into dir.
func copyCorpus(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("../../kaleidoscope/testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKaleidoCache: the second run of a program takes its object from the
// cache and prints exactly what the first printed (the program's own
// output and the "Evaluated to" lines); a damaged entry is detected,
// deleted and rebuilt, with the output still right.
func TestKaleidoCache(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	copyCorpus(t, dir, "mandel.k", "mandel.stdout")
	want, _ := os.ReadFile(filepath.Join(dir, "mandel.stdout"))
	cache := filepath.Join(dir, "cache")
	run := func(step string, extra ...string) string {
		t.Helper()
		args := append([]string{"kaleido", "-cache", cache, "-show-times"}, extra...)
		stdout, stderr, code := runGorc(t, bin, dir, append(args, "mandel.k"), "", false)
		if code != 0 || stdout != string(want) {
			t.Fatalf("%s: exit %d, stdout differs from mandel.stdout:\n%s\nstderr:\n%s", step, code, stdout, stderr)
		}
		return stderr
	}
	if se := run("first run"); !strings.Contains(se, "cache: miss for mandel.k") || !strings.Contains(se, "parse+irgen") {
		t.Fatalf("first run: stderr %s", se)
	}
	entries := cacheEntries(t, cache)
	if len(entries) != 1 {
		t.Fatalf("entries after the first run: %v", entries)
	}
	se := run("second run")
	if !strings.Contains(se, "cache: hit for mandel.k") || strings.Contains(se, "parse+irgen") {
		t.Fatalf("second run compiled again: stderr %s", se)
	}
	// Another optimisation level is another object.
	if se := run("-O0", "-O0"); !strings.Contains(se, "cache: miss") {
		t.Errorf("-O0 after -O2 hit the cache: %s", se)
	}
	entry := entries[0]
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func([]byte) []byte
		reason string
	}{
		{"flipped byte", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }, "checksum"},
		{"truncated", func(b []byte) []byte { return b[:len(b)-100] }, "header says"},
		{"wrong magic", func(b []byte) []byte { copy(b, "XXXX"); return b }, "magic"},
		{"another key's entry", func([]byte) []byte {
			other := cacheEntries(t, cache)
			for _, o := range other {
				if o != entry {
					b, _ := os.ReadFile(o) // the -O0 object
					return b
				}
			}
			t.Fatal("no -O0 entry")
			return nil
		}, "stored under key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(entry, tc.damage(append([]byte{}, good...)), 0o644); err != nil {
				t.Fatal(err)
			}
			se := run(tc.name)
			if !strings.Contains(se, "corrupt entry deleted") || !strings.Contains(se, tc.reason) || !strings.Contains(se, "parse+irgen") {
				t.Errorf("damaged entry not detected or not rebuilt; stderr:\n%s", se)
			}
			if se := run(tc.name + ", rebuilt"); !strings.Contains(se, "cache: hit") {
				t.Errorf("entry not rebuilt; stderr:\n%s", se)
			}
		})
	}
}

// TestKaleidoCacheErrors: a program with errors is never served from the
// cache (its diagnostics must be printed on every run).
func TestKaleidoCacheErrors(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	copyCorpus(t, dir, "errors.k", "errors.stdout", "errors.stderr")
	want, _ := os.ReadFile(filepath.Join(dir, "errors.stdout"))
	wantErr, _ := os.ReadFile(filepath.Join(dir, "errors.stderr"))
	cache := filepath.Join(dir, "cache")
	for i := range 2 {
		stdout, stderr, code := runGorc(t, bin, dir, []string{"kaleido", "-cache", cache, "errors.k"}, "", false)
		if code != 1 || stdout != string(want) || stderr != string(wantErr) {
			t.Errorf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, stdout, stderr)
		}
	}
	if e := cacheEntries(t, cache); len(e) != 0 {
		t.Errorf("a program with errors was cached: %v", e)
	}
}

// TestCacheFlags: the default directory is gorc in the user's cache
// directory; -no-cache writes nothing; -cache DIR uses DIR; an unusable
// -cache DIR is an error naming it.
func TestCacheFlags(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	copyCorpus(t, dir, "fib.k", "fib.stdout")
	want, _ := os.ReadFile(filepath.Join(dir, "fib.stdout"))
	xdg := filepath.Join(dir, "xdg")
	gorc := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+xdg)
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return so.String(), se.String(), code
	}
	check := func(what string, wantEntries int, cacheDir string, args ...string) {
		t.Helper()
		stdout, stderr, code := gorc(args...)
		if code != 0 || stdout != string(want) {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", what, code, stdout, stderr)
		}
		if n := len(cacheEntries(t, cacheDir)); n != wantEntries {
			t.Errorf("%s: %d entries in %s, want %d", what, n, cacheDir, wantEntries)
		}
	}
	defaultDir := filepath.Join(xdg, "gorc")
	check("-no-cache", 0, defaultDir, "kaleido", "-no-cache", "fib.k")
	if _, err := os.Stat(xdg); !os.IsNotExist(err) {
		t.Errorf("-no-cache created %s: %v", xdg, err)
	}
	check("-no-cache -cache DIR", 0, filepath.Join(dir, "c0"), "kaleido", "-no-cache", "-cache", filepath.Join(dir, "c0"), "fib.k")
	check("default directory", 1, defaultDir, "kaleido", "fib.k")
	own := filepath.Join(dir, "own")
	check("-cache DIR", 1, own, "kaleido", "-cache", own, "fib.k")
	check("-cache DIR, unchanged default", 1, defaultDir, "kaleido", "-cache", own, "fib.k")

	// gorc run: an .ll input's object goes to the cache.
	ll, err := filepath.Abs("testdata/fib.ll")
	if err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(dir, "run")
	first, se1, c1 := gorc("run", "-show-times", "-cache", runDir, ll)
	second, se2, c2 := gorc("run", "-show-times", "-cache="+runDir, ll)
	if c1 != c2 || first != second || !strings.Contains(se1, "cache: 0 hits, 1 misses") || !strings.Contains(se2, "cache: 1 hits, 0 misses") {
		t.Errorf("gorc run fib.ll twice: status %d/%d, same stdout %v\nstderr 1: %s\nstderr 2: %s", c1, c2, first == second, se1, se2)
	}
	if n := len(cacheEntries(t, runDir)); n != 1 {
		t.Errorf("%d entries after gorc run fib.ll, want 1", n)
	}
	if _, se, _ := gorc("run", "-show-times", "-no-cache", "-cache", runDir, ll); strings.Contains(se, "cache:") {
		t.Errorf("gorc run -no-cache used the cache: %s", se)
	}

	// A file where the directory should be.
	file := filepath.Join(dir, "fib.stdout")
	for _, cmd := range []string{"kaleido", "run"} {
		input := "fib.k"
		if cmd == "run" {
			input = ll
		}
		_, se, code := gorc(cmd, "-cache", file, input)
		if code != 2 || !strings.Contains(se, "-cache "+file) {
			t.Errorf("gorc %s -cache FILE: exit %d, stderr %s", cmd, code, se)
		}
	}
	if _, se, code := gorc("run", "-cache"); code != 2 || !strings.Contains(se, "-cache needs a value") {
		t.Errorf("gorc run -cache without a directory: exit %d, stderr %s", code, se)
	}
}

// TestKaleidoCacheTwoProcesses: gorc processes sharing one cache directory
// at once, on the same program and on different ones, all print the right
// output; afterwards every program has one good entry.
func TestKaleidoCacheTwoProcesses(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	progs := []string{"fib", "loops", "fib", "loops"} // two writers per key
	copyCorpus(t, dir, "fib.k", "fib.stdout", "loops.k", "loops.stdout")
	cache := filepath.Join(dir, "cache")
	for round := range 2 { // the first round writes, the second reads
		type result struct {
			prog, stdout, stderr string
			code                 int
		}
		results := make(chan result, len(progs))
		for _, p := range progs {
			go func() {
				cmd := exec.Command(bin, "kaleido", "-cache", cache, "-show-times", p+".k")
				cmd.Dir = dir
				var so, se strings.Builder
				cmd.Stdout, cmd.Stderr = &so, &se
				err := cmd.Run()
				code := 0
				if err != nil {
					code = -1
					if ee, ok := err.(*exec.ExitError); ok {
						code = ee.ExitCode()
					}
				}
				results <- result{p, so.String(), se.String(), code}
			}()
		}
		for range progs {
			r := <-results
			want, _ := os.ReadFile(filepath.Join(dir, r.prog+".stdout"))
			if r.code != 0 || r.stdout != string(want) {
				t.Errorf("round %d, %s: exit %d\nstdout:\n%s\nstderr:\n%s", round, r.prog, r.code, r.stdout, r.stderr)
			}
			if round == 1 && !strings.Contains(r.stderr, "cache: hit") {
				t.Errorf("round 2, %s: not served from the cache:\n%s", r.prog, r.stderr)
			}
		}
	}
	if e := cacheEntries(t, cache); len(e) != 2 {
		t.Errorf("entries: %v, want 2", e)
	}
}
