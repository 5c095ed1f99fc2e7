//go:build cgo

package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// TestKaleidoSpeculateStubBeingMade: a lookup of a stub that another
// compile is defining (stubCallees calls the stub generator outside the
// session's lookup) waits for it. Before, the lookup found nothing, and
// a speculative batch's link failed with "undefined symbols: g4" (about
// one run in 40 of this program of 40 functions redefined and called,
// 17 in 20 with the window widened as here); now every run prints what
// -lazy without -speculate prints.
func TestKaleidoSpeculateStubBeingMade(t *testing.T) {
	src, err := os.ReadFile("testdata/specredef.k")
	if err != nil {
		t.Fatal(err)
	}
	stubsDefineHook = func() { time.Sleep(2 * time.Millisecond) }
	defer func() { stubsDefineHook = nil }()
	run := func(speculate bool) (string, string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errb bytes.Buffer
		code := runLazyKaleido(ctx, 2, execOptions{mode: "local"}, []string{"specredef.k"}, [][]byte{src}, false, speculate, false, &out, &errb)
		return out.String(), errb.String(), code
	}
	want, werr, wcode := run(false)
	if wcode != 0 || werr != "" {
		t.Fatalf("without -speculate: exit %d\n%s", wcode, werr)
	}
	for i := range 5 {
		got, gerr, code := run(true)
		if got != want || code != 0 {
			t.Fatalf("run %d with -speculate: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", i, code, got, want, gerr)
		}
	}
}
