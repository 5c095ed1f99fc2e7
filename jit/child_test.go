//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/jit"
)

// TestMain turns the test binary into an executor when it is spawned as
// one (epc.SpawnChild sets GORC_EXECUTOR_FDS), as a user's main would.
func TestMain(m *testing.M) {
	jit.ServeExecutorIfChild()
	os.Exit(m.Run())
}

// TestChildExecutor links a program with archives-free C objects in a
// spawned executor (copying code over the pipe, then through shared
// memory) and gets main's exit status back.
func TestChildExecutor(t *testing.T) {
	dir := t.TempDir()
	obj, err := cc(dir, "p", `#include <stdlib.h>
static int counter;
__attribute__((constructor)) static void init(void) { counter = 40; }
static void bye(void) {}
int main(int argc, char **argv) { atexit(bye); return counter + argc; }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, shm := range []bool{false, true} {
		t.Run(fmt.Sprint("shm=", shm), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: "child", SHM: shm, ExecutorCommand: []string{os.Args[0]}})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			st, err := j.RunMain(ctx, "main", []string{"p", "x"})
			if err != nil {
				t.Fatal(err)
			}
			if st != 42 {
				t.Errorf("status %d, want 42", st)
			}
		})
	}
}

// A child executor is spawned by New without waiting for its hello: one
// that fails to start, or dies while the inputs are read, gives one clear
// error from the first step that needs it (naming the executor and how it
// ended), never a hang; the input's parse does not need it.
func TestChildExecutorStartFails(t *testing.T) {
	dir := t.TempDir()
	obj, err := cc(dir, "p", `#include <stdio.h>
int main(void) { puts("hi"); return 3; }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		argv []string
		kill bool
		want string // at New (NewErr) or at the link
		new  bool
	}{
		{"bogus path", []string{"/nonexistent/gorc"}, false, "jit: child executor /nonexistent/gorc: epc: spawn executor", true},
		{"exits", []string{"/bin/sh", "-c", "sleep 0.2; exit 4"}, false, "jit: child executor /bin/sh -c sleep 0.2; exit 4: epc: ", false},
		{"killed", []string{"/bin/sh", "-c", "sleep 30"}, true, "terminated by signal SIGKILL", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			j, err := jit.New(ctx, jit.Options{Exec: "child", ExecutorCommand: tc.argv})
			if tc.new {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("New: %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if tc.kill {
				pid := j.EPC.(interface{ PID() int }).PID()
				syscall.Kill(pid, syscall.SIGKILL)
			}
			if err := j.AddObjectFile(obj); err != nil {
				t.Fatal(err)
			}
			_, err = j.Program(ctx, "main", []string{"p"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Program: %v, want %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "jit: child executor ") || strings.Count(err.Error(), "jit: child executor") != 1 {
				t.Fatalf("Program: %v: not the executor's start error alone", err)
			}
			if ctx.Err() != nil {
				t.Fatal("waited for the test's deadline")
			}
			if err := j.LoadDylib(ctx, "libm.so.6"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadDylib: %v", err)
			}
			if err := j.Close(ctx); ctx.Err() != nil {
				t.Fatalf("Close waited for the deadline: %v", err)
			}
		})
	}
}
