package jit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// TestSymtabLargeGraphRemovedWhileEmitting: a large graph's blocks are
// recorded by a goroutine; when its tracker is removed right after
// NotifyEmitted took the tracker's key (before the goroutine recorded
// anything), the removal must still forget them: a crash address in the
// freed memory must not be named after the removed object.
func TestSymtabLargeGraphRemovedWhileEmitting(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	for i := range asyncRecordSymbols + 44 {
		fmt.Fprintf(&src, "int big%d(int x) { return x * %d + 1; }\n", i, i+3)
	}
	c, o := filepath.Join(dir, "big.c"), filepath.Join(dir, "big.o")
	if err := os.WriteFile(c, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-c", "-O1", "-ffunction-sections", "-o", o, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	ctx := context.Background()
	j, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close(ctx)
	tr, err := j.NewTracker()
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.AddObjectFile(o); err != nil {
		t.Fatal(err)
	}
	var code []shared.ExecutorAddr
	var removeErr error
	symtabEmittedHook = func(g *jitlink.LinkGraph, key orc.ResourceKey) {
		if len(g.Symbols) < asyncRecordSymbols || key != tr.ResourceTracker().Key() {
			return
		}
		for _, sec := range g.Sections {
			if sec.Prot&shared.ProtExec == 0 {
				continue
			}
			for _, b := range sec.Blocks {
				if b.Size > 0 && b.Addr != 0 {
					code = append(code, b.Addr)
				}
			}
		}
		removeErr = tr.ResourceTracker().Remove(ctx)
	}
	defer func() { symtabEmittedHook = nil }()
	_, lerr := j.Lookup(ctx, "big7")
	symtabEmittedHook = nil
	_ = lerr // (fails: the tracker is gone)
	if removeErr != nil {
		t.Fatalf("removing the tracker: %v", removeErr)
	}
	if len(code) == 0 {
		t.Fatal("the hook saw no code block of big.o")
	}
	for _, a := range code {
		if loc, ok := j.SymbolAt(a); ok {
			t.Fatalf("%v (freed with its tracker) is named %v", a, loc)
		}
	}
}
