//go:build cgo

package jit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// tcpExecutor serves this test binary as an executor on a loopback port
// (a fresh executor process per controller, as `gorc executor -listen`)
// and returns its -exec mode string.
func tcpExecutor(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		executor.ServeListener(ctx, ln, []string{os.Args[0]}, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return "tcp://" + ln.Addr().String()
}

// lockedBuffer is a bytes.Buffer safe for the controller's and the
// forwarded program's writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// forwardedModes are the executors whose program stdio goes through the
// protocol stream when the Stdio fields are not files.
func forwardedModes(t *testing.T) []string {
	return []string{"child", tcpExecutor(t)}
}

// TestStdioForwarding runs a program that copies its stdin to stdout in
// upper case, reports counts on stderr and exits with a status, with its
// stdio forwarded to Go readers and writers (child and TCP executors):
// everything arrives, in order, and the status comes back.
func TestStdioForwarding(t *testing.T) {
	dir := t.TempDir()
	obj, err := cc(dir, "upper", `#include <stdio.h>
#include <ctype.h>
int main(void) {
	int c, n = 0, lines = 0;
	while ((c = getchar()) != EOF) {
		putchar(toupper(c));
		n++;
		if (c == '\n') { lines++; fprintf(stderr, "line %d\n", lines); }
	}
	printf("[%d bytes]", n);
	return lines % 100;
}`)
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for i := range 3000 { // about 100 KB: more than a pipe holds
		fmt.Fprintf(&in, "line %d of the input, the quick brown fox\n", i)
	}
	input := in.String()
	var wantErr strings.Builder
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&wantErr, "line %d\n", i)
	}
	wantOut := strings.ToUpper(input) + fmt.Sprintf("[%d bytes]", len(input))
	for _, mode := range forwardedModes(t) {
		t.Run(strings.SplitN(mode, ":", 2)[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var out, errb lockedBuffer
			j, err := jit.New(ctx, jit.Options{Exec: mode, ExecutorCommand: []string{os.Args[0]},
				Stdio: epc.Stdio{Stdin: strings.NewReader(input), Stdout: &out, Stderr: &errb}})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			st, err := j.RunMain(ctx, "main", []string{"upper"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 3000%100 {
				t.Errorf("status %d, want %d", st, 3000%100)
			}
			if got := out.String(); got != wantOut {
				t.Errorf("stdout: %d bytes, want %d; first difference near %q", len(got), len(wantOut), firstDiff(got, wantOut))
			}
			if got := errb.String(); got != wantErr.String() {
				t.Errorf("stderr: %d bytes, want %d; first difference near %q", len(got), len(wantErr.String()), firstDiff(got, wantErr.String()))
			}
		})
	}
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-20):min(len(a), i+20)]
}

// TestStdioOrderAcrossCalls calls a JIT'd function that prints with
// buffered C stdio several times, and after each call writes a line of
// its own to the same writer: the program's output of a call must arrive
// before the call returns (as Kaleidoscope's "Evaluated to" lines need).
// NoStdin gives the program end-of-file.
func TestStdioOrderAcrossCalls(t *testing.T) {
	dir := t.TempDir()
	obj, err := cc(dir, "step", `#include <stdio.h>
int step(int argc, char **argv) {
	printf("program %s", argv[1]);
	fputs(" (stderr)", stderr);
	printf(" stdin:%s\n", getchar() == EOF ? "eof" : "data");
	return argc;
}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range forwardedModes(t) {
		t.Run(strings.SplitN(mode, ":", 2)[0], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var out lockedBuffer
			j, err := jit.New(ctx, jit.Options{Exec: mode, ExecutorCommand: []string{os.Args[0]},
				Stdio: epc.Stdio{Stdin: epc.NoStdin, Stdout: &out, Stderr: &out}})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			fn, err := j.Lookup(ctx, "step")
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			for i := range 5 {
				st, err := j.EPC.RunAsMain(ctx, fn, []string{"step", fmt.Sprint(i)})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "controller after call %d (status %d)\n", i, st)
				// stderr is unbuffered, so it comes first; stdout is
				// flushed when the call returns.
				fmt.Fprintf(&want, " (stderr)program %d stdin:eof\ncontroller after call %d (status 2)\n", i, i)
			}
			if got := out.String(); got != want.String() {
				t.Errorf("output:\n%s\nwant:\n%s", got, want.String())
			}
		})
	}
}

// TestCrashLocation runs programs that die of SIGSEGV in a JIT'd function
// and of abort() called from one, in child and TCP executors: the error
// names the signal and the JIT'd function, promptly.
func TestCrashLocation(t *testing.T) {
	dir := t.TempDir()
	segv, err := cc(dir, "segv", `int *volatile nowhere;
__attribute__((noinline)) int crash_here(int x) { return *nowhere + x; }
int main(int argc, char **argv) { return crash_here(argc); }`)
	if err != nil {
		t.Fatal(err)
	}
	abrt, err := cc(dir, "abrt", `#include <stdlib.h>
__attribute__((noinline)) void abort_here(int x) { if (x > 0) abort(); }
int main(int argc, char **argv) { abort_here(argc); return 0; }`, "-O0")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		obj, signal, where string
	}{
		{segv, "SIGSEGV", "in crash_here+0x"},
		{abrt, "SIGABRT", "called from abort_here+0x"},
	}
	for _, mode := range forwardedModes(t) {
		for _, tc := range tests {
			t.Run(strings.SplitN(mode, ":", 2)[0]+"/"+tc.signal, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				j, err := jit.New(ctx, jit.Options{Exec: mode, ExecutorCommand: []string{os.Args[0]},
					Stdio: epc.Stdio{Stdin: epc.NoStdin, Stdout: new(lockedBuffer), Stderr: new(lockedBuffer)}})
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close(ctx)
				if err := j.AddObjectFile(tc.obj); err != nil {
					t.Fatal(err)
				}
				p, err := j.Program(ctx, "main", []string{"p"})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				_, err = j.EPC.RunProgram(ctx, p)
				elapsed := time.Since(start)
				err = j.ExplainExecutorError(err)
				if err == nil {
					t.Fatal("the program did not crash")
				}
				msg := err.Error()
				for _, w := range []string{"executor terminated by signal " + tc.signal, tc.where, tc.obj} {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				if elapsed > 20*time.Second { // a hang, not a slow machine (ms here)
					t.Errorf("the crash took %v to report", elapsed)
				}
				t.Logf("%v after %v", msg, elapsed.Round(time.Millisecond))
			})
		}
	}
}

// BenchmarkForwardedStdout measures the program-output path: a JIT'd
// function writes 4 MiB to stdout per call, through a child executor that
// inherits a file (/dev/null: the kernel's floor), a child that forwards
// over its pipes, and a TCP executor that forwards over the connection.
func BenchmarkForwardedStdout(b *testing.B) {
	dir := b.TempDir()
	obj, err := cc(dir, "spew", `#include <stdio.h>
#include <string.h>
int spew(int argc, char **argv) {
	static char buf[1 << 16];
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < 64; i++) fwrite(buf, 1, sizeof buf, stdout);
	return 0;
}`)
	if err != nil {
		b.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		executor.ServeListener(ctx, ln, []string{os.Args[0]}, nil)
	}()
	defer func() { cancel(); <-served }()
	modes := []struct {
		name, exec string
		stdout     io.Writer
	}{
		{"child-inherit", "child", devnull},
		{"child-forward", "child", io.Discard},
		{"tcp-forward", "tcp://" + ln.Addr().String(), io.Discard},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			j, err := jit.New(ctx, jit.Options{Exec: m.exec, ExecutorCommand: []string{os.Args[0]},
				Stdio: epc.Stdio{Stdin: epc.NoStdin, Stdout: m.stdout, Stderr: io.Discard}})
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				b.Fatal(err)
			}
			fn, err := j.Lookup(ctx, "spew")
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(64 << 16)
			b.ResetTimer()
			for b.Loop() {
				if _, err := j.EPC.RunAsMain(ctx, fn, []string{"spew"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSymbolAt names addresses inside linked functions, including static
// ones, and nothing outside JIT'd code.
func TestSymbolAt(t *testing.T) {
	dir := t.TempDir()
	obj, err := cc(dir, "two", `static int helper(int x) { return x * 3 + 1; }
int (*volatile hp)(int) = helper;
int first(int x) { return x + 7; }
int second(int x) { return hp(x) + first(x); }`)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	if err := j.AddObjectFile(obj); err != nil {
		t.Fatal(err)
	}
	if err := j.LinkAll(ctx); err != nil {
		t.Fatal(err)
	}
	hpAddr, err := j.Lookup(ctx, "hp")
	if err != nil {
		t.Fatal(err)
	}
	b, err := j.EPC.Read(ctx, hpAddr, 8)
	if err != nil {
		t.Fatal(err)
	}
	helper := shared.ExecutorAddr(binary.LittleEndian.Uint64(b))
	tests := []struct {
		name string
		off  uint64
		want string
	}{
		{"first", 0, "first+0x0"},
		{"second", 1, "second+0x1"},
	}
	for _, tc := range tests {
		a, err := j.Lookup(ctx, tc.name)
		if err != nil {
			t.Fatal(err)
		}
		loc, ok := j.SymbolAt(a.Add(tc.off))
		if !ok || loc.Symbol+fmt.Sprintf("+%#x", loc.Offset) != tc.want || loc.Object != obj {
			t.Errorf("SymbolAt(%s+%d) = %v, %v; want %s (%s)", tc.name, tc.off, loc, ok, tc.want, obj)
		}
	}
	if loc, ok := j.SymbolAt(helper.Add(2)); !ok || loc.Symbol != "helper" || loc.Offset != 2 {
		t.Errorf("static helper: %v, %v", loc, ok)
	}
	if loc, ok := j.SymbolAt(hpAddr); ok {
		t.Errorf("data address named as code: %v", loc)
	}
	if loc, ok := j.SymbolAt(0x1000); ok {
		t.Errorf("unmapped address named: %v", loc)
	}
	if _, ok := j.CrashLocation(); ok {
		t.Error("an in-process JIT reported a crash location")
	}
}
