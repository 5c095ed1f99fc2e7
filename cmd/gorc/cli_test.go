//go:build cgo

package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Tests of gorc's command line as a user meets it: help, version, flag
// spellings, library search and diagnostics, run through the binary.

// gorcCmd runs the gorc binary with args in dir.
func gorcCmd(t *testing.T, dir string, args ...string) runResult {
	t.Helper()
	bin := gorcBinary(t) // built (once) before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := runProcess(ctx, dir, append([]string{bin}, args...), "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// cliCase is one gorc invocation and what it must give.
type cliCase struct {
	name      string
	args      []string
	status    int
	stdout    []string // substrings of stdout
	stderr    []string // substrings of stderr
	notStdout []string
	notStderr []string
}

func (c cliCase) check(t *testing.T, r runResult) {
	t.Helper()
	if r.status != c.status {
		t.Errorf("gorc %s: status %d, want %d\n%v", strings.Join(c.args, " "), r.status, c.status, r)
	}
	for _, w := range c.stdout {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("gorc %s: stdout does not contain %q\n%v", strings.Join(c.args, " "), w, r)
		}
	}
	for _, w := range c.stderr {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("gorc %s: stderr does not contain %q\n%v", strings.Join(c.args, " "), w, r)
		}
	}
	for _, w := range c.notStdout {
		if strings.Contains(r.stdout, w) {
			t.Errorf("gorc %s: stdout contains %q\n%v", strings.Join(c.args, " "), w, r)
		}
	}
	for _, w := range c.notStderr {
		if strings.Contains(r.stderr, w) {
			t.Errorf("gorc %s: stderr contains %q\n%v", strings.Join(c.args, " "), w, r)
		}
	}
}

func TestCLIHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	version := []string{"(devel) commit ", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	for _, c := range []cliCase{
		{name: "help executor", args: []string{"help", "executor"}, stdout: []string{"usage: gorc executor", "Serves as an executor process", "-listen", "-tls-client-ca"}},
		{name: "help run", args: []string{"help", "run"}, stdout: []string{"FILE.ll", "128+N", "-args", "-O N, -ON", "libNAME.a", "-static"}},
		{name: "help kaleido", args: []string{"help", "kaleido"}, stdout: []string{"-O level", "0, 1 or 2", "-emit ir|asm|obj"}, notStdout: []string{"-O0\n", "-O1\n", "-O2\n"}},
		{name: "version", args: []string{"version"}, stdout: version},
		{name: "--version", args: []string{"--version"}, stdout: version},
		{name: "help -h", args: []string{"help", "-h"}, stdout: []string{"gorc <command> [arguments]", "executor", "kaleido", "run", "version"}},
		{name: "help version", args: []string{"help", "version"}, stdout: []string{"usage: gorc version", "commit"}},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, gorcCmd(t, dir, c.args...)) })
	}
}

// TestCLIErrors: every subcommand reports command-line mistakes in one
// format, with a one-line hint instead of the full usage.
func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []cliCase{
		{name: "kaleido unknown flag", args: []string{"kaleido", "-frob"}, status: 2, stderr: []string{"gorc kaleido: unknown flag -frob (see gorc help kaleido)\n"}},
		{name: "kaleido bad -emit", args: []string{"kaleido", "-emit", "exe"}, status: 2, stderr: []string{`gorc kaleido: invalid value "exe" for -emit: want ir, asm, obj (see gorc help kaleido)`}},
		{name: "kaleido bad -O", args: []string{"kaleido", "-O7"}, status: 2, stderr: []string{`gorc kaleido: invalid value "7" for -O: want 0, 1 or 2 (see gorc help kaleido)`}},
		{name: "kaleido missing value", args: []string{"kaleido", "-exec"}, status: 2, stderr: []string{"gorc kaleido: flag -exec needs a value (see gorc help kaleido)"}},
		{name: "executor unknown flag", args: []string{"executor", "--frob=1"}, status: 2, stderr: []string{"gorc executor: unknown flag --frob (see gorc help executor)\n"}},
		{name: "executor argument", args: []string{"executor", "x"}, status: 2, stderr: []string{`gorc executor: unexpected argument "x" (see gorc help executor)`}},
		{name: "run unknown flag", args: []string{"run", "p.o", "-frob"}, status: 2, stderr: []string{"gorc run: unknown flag -frob (see gorc help run)\n"}},
		{name: "run no inputs", args: []string{"run", "-noexec"}, status: 2, stderr: []string{"gorc run: no input objects, archives or IR files (see gorc help run)"}},
		{name: "run bad -O", args: []string{"run", "-O", "9", "p.ll"}, status: 2, stderr: []string{`gorc run: invalid value "9" for -O: want 0, 1 or 2 (see gorc help run)`}},
		{name: "run tls without certificates", args: []string{"run", "-exec", "tls://127.0.0.1:1", "p.o"}, status: 2, stderr: []string{"gorc run: -exec tls://127.0.0.1:1 needs -tls-cert, -tls-key and -tls-ca (mutual TLS) (see gorc help run)"}},
		{name: "version argument", args: []string{"version", "x"}, status: 2, stderr: []string{`gorc version: unexpected argument "x" (see gorc help version)`}},
		{name: "unknown command", args: []string{"frob"}, status: 2, stderr: []string{`gorc: unknown command "frob" (see gorc help)`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := gorcCmd(t, dir, c.args...)
			c.check(t, r)
			if n := strings.Count(r.stderr, "\n"); n != 1 {
				t.Errorf("gorc %s: %d lines on stderr, want 1:\n%s", strings.Join(c.args, " "), n, r.stderr)
			}
		})
	}
}

// TestCLIKaleidoFlagsAfterFiles: gorc kaleido takes its flags after the
// files too, and -O in each spelling.
func TestCLIKaleidoFlagsAfterFiles(t *testing.T) {
	dir := t.TempDir()
	k := filepath.Join(dir, "p.k")
	os.WriteFile(k, []byte("def f(x) x*2;\nf(21);\n"), 0o644)
	for _, c := range []cliCase{
		{name: "-emit ir after the file", args: []string{"kaleido", k, "-emit", "ir"}, stdout: []string{"define double @f(double %x)"}},
		{name: "-O0", args: []string{"kaleido", k, "-O0"}, stdout: []string{"Evaluated to 42.000000"}},
		{name: "-O 1", args: []string{"kaleido", "-O", "1", k}, stdout: []string{"Evaluated to 42.000000"}},
		{name: "--O=2", args: []string{"kaleido", "--O=2", k}, stdout: []string{"Evaluated to 42.000000"}},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, gorcCmd(t, dir, c.args...)) })
	}
}

func TestCLIRunFlags(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "p", `#include <stdio.h>
int main(int argc, char **argv) { for (int i = 1; i < argc; i++) printf("[%s]", argv[i]); puts(""); return argc; }`)
	fib, err := filepath.Abs("testdata/fib.ll")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []cliCase{
		{name: "flag after input", args: []string{"run", o, "-noexec"}},
		{name: "-args like --", args: []string{"run", o, "-args", "a", "-noexec"}, status: 3, stdout: []string{"[a][-noexec]"}},
		{name: "--", args: []string{"run", o, "--", "-x"}, status: 2, stdout: []string{"[-x]"}},
		{name: "-O0 .ll", args: []string{"run", "-O0", fib}, status: 109, stdout: []string{"fib(20) = 6765"}},
		{name: "-O 1 .ll", args: []string{"run", fib, "-O", "1"}, status: 109, stdout: []string{"fib(20) = 6765"}},
		{name: "-O=2 .ll", args: []string{"run", "-O=2", fib}, status: 109, stdout: []string{"fib(20) = 6765"}},
		{name: "-O3", args: []string{"run", "-O3", fib}, status: 2, stderr: []string{`invalid value "3" for -O`, "0, 1 or 2"}},
		{name: "--flag=value after input", args: []string{"run", o, "--entry=main", "--noexec=true"}},
		{name: "local -show-times after input", args: []string{"run", o, "--show-times"}, status: 1, stderr: []string{"gorc run: load ", "gorc run: program exited "}},
		{name: "-show-times after input", args: []string{"run", o, "-exec", "child", "--show-times"}, status: 1, stderr: []string{"gorc run: load ", "gorc run: run "}},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, gorcCmd(t, dir, c.args...)) })
	}
}

// TestCLILibrarySearch: -lNAME finds libNAME.a as well as libNAME.so, in
// GNU ld's order (each -L dir in order, then the system dirs; in each dir
// .so before .a; only .a with -static). Each case is cross-checked with
// gcc/ld linking the same command line natively.
func TestCLILibrarySearch(t *testing.T) {
	toolPath(t, "ar")
	dir := t.TempDir()
	main := ccObj(t, dir, "main", `int which(void); int main(void) { return which(); }`)
	// lib returns status n from which().
	lib := func(sub, kind string, n string) {
		d := filepath.Join(dir, sub)
		os.MkdirAll(d, 0o755)
		src := filepath.Join(d, "w.c")
		os.WriteFile(src, []byte("int which(void) { return "+n+"; }\n"), 0o644)
		obj := filepath.Join(d, "w.o")
		if out, err := exec.Command("gcc", "-c", "-fPIC", "-o", obj, src).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, out)
		}
		var cmd *exec.Cmd
		if kind == "a" {
			cmd = exec.Command("ar", "rcs", filepath.Join(d, "libw.a"), obj)
		} else {
			// The soname is the path: the native cross-check loads
			// the very file ld chose.
			so := filepath.Join(d, "libw.so")
			cmd = exec.Command("gcc", "-shared", "-Wl,-soname,"+so, "-o", so, obj)
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
		}
	}
	lib("a-only", "a", "11")
	lib("so-only", "so", "22")
	lib("both", "a", "33")
	lib("both", "so", "44")
	tests := []struct {
		name   string
		flags  []string // gorc run flags and gcc flags alike
		static bool
		want   int
	}{
		{"archive only", []string{"-L", filepath.Join(dir, "a-only"), "-lw"}, false, 11},
		{"archive in the first dir wins over a later .so", []string{"-L", filepath.Join(dir, "a-only"), "-L", filepath.Join(dir, "so-only"), "-lw"}, false, 11},
		{"so in the first dir wins over a later .a", []string{"-L", filepath.Join(dir, "so-only"), "-L", filepath.Join(dir, "a-only"), "-lw"}, false, 22},
		{".so before .a in one dir", []string{"-L", filepath.Join(dir, "both"), "-lw"}, false, 44},
		{"-static takes the .a", []string{"-L", filepath.Join(dir, "both"), "-lw"}, true, 33},
		{"-static skips a dir with only .so", []string{"-L", filepath.Join(dir, "so-only"), "-L", filepath.Join(dir, "a-only"), "-lw"}, true, 11},
		{"-l:FILE", []string{"-L", filepath.Join(dir, "both"), "-l:libw.a"}, false, 33},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"run", main}
			gcc := []string{"-o", filepath.Join(dir, "native"), main}
			if tc.static {
				args = append(args, "-static")
				gcc = append(gcc, "-Wl,-Bstatic")
			}
			args = append(args, tc.flags...)
			gcc = append(gcc, tc.flags...)
			if tc.static {
				gcc = append(gcc, "-Wl,-Bdynamic")
			}
			r := gorcCmd(t, dir, args...)
			if r.status != tc.want {
				t.Errorf("gorc %s: status %d, want %d\n%v", strings.Join(args, " "), r.status, tc.want, r)
			}
			// What GNU ld picks for the same command line.
			if out, err := exec.Command("gcc", gcc...).CombinedOutput(); err != nil {
				t.Fatalf("gcc %v: %v\n%s", gcc, err, out)
			}
			err := exec.Command(filepath.Join(dir, "native")).Run()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.want {
				t.Errorf("ld disagrees with the test: native status %d, want %d", status, tc.want)
			}
		})
	}
	c := cliCase{args: []string{"run", main, "-static", "-L", filepath.Join(dir, "so-only"), "-lw"}, status: 1, stderr: []string{"-lw", "library not found", "libw.a", filepath.Join(dir, "so-only")}}
	c.check(t, gorcCmd(t, dir, c.args...))
}

func TestCLIDiagnostics(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "p", `int main(void) { return 0; }`)
	// A real 32-bit object, from clang.
	x32 := filepath.Join(dir, "x32.o")
	clang := toolPath(t, "clang-19")
	if out, err := exec.Command(clang, "--target=i686-linux-gnu", "-c", "-x", "c", "-o", x32, "/dev/null").CombinedOutput(); err != nil {
		t.Fatalf("clang: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.ll")
	os.WriteFile(bad, []byte("define double @f() {\nentry:\n\tret double %x\n}\n"), 0o644)
	// An HTTP server where an executor should be.
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 100 * time.Millisecond}
	go srv.Serve(hl)
	defer srv.Close()
	http := hl.Addr().String()
	for _, c := range []cliCase{
		{name: "32-bit object", args: []string{"run", x32}, status: 1, stderr: []string{x32, "32-bit", "ELFCLASS32", "ET_REL", "EM_386"}, notStderr: []string{"not an ELF relocatable object"}},
		{name: ".ll caret", args: []string{"run", bad}, status: 1, stderr: []string{bad + ":3:13: error: use of undefined value '%x'\n\tret double %x\n\t           ^\n"}},
		{name: "HTTP server", args: []string{"run", "-exec", "tcp://" + http, o}, status: 1, stderr: []string{http + " is not a gorc executor (it answered like an HTTP server", "HTTP/1.1 400 Bad Request"}},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, gorcCmd(t, dir, c.args...)) })
	}
	// Clear text to a non-loopback address of this machine (a closed
	// port: the warning comes before the connection fails).
	if ip := nonLoopbackIP(); ip != "" {
		addr := net.JoinHostPort(ip, "9")
		c := cliCase{args: []string{"run", "-exec", "tcp://" + addr, o}, status: 1, stderr: []string{"gorc run: warning: -exec tcp://" + addr + " sends code and data in clear text"}}
		t.Run("clear text", func(t *testing.T) { c.check(t, gorcCmd(t, dir, c.args...)) })
	}
}

// nonLoopbackIP returns an IPv4 address of this machine that is not
// loopback, or "".
func nonLoopbackIP() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}
