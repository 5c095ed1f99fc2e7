//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"
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
