//go:build cgo

package jit_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/orc"
)

// Reloading a plugin: each version is added under its own tracker and
// removed (destructors run, symbols, EH frames and memory go) before the
// next one is added.
func ExampleTracker() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "jit-tracker-example")
	defer os.RemoveAll(dir)
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close(ctx)
	for v := 1; v <= 2; v++ {
		obj, err := cc(dir, fmt.Sprint("plugin", v), fmt.Sprintf("int plugin_version(int argc) { return %d; }", v))
		if err != nil {
			fmt.Println(err)
			return
		}
		t, err := j.NewTracker()
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := t.AddObjectFile(obj); err != nil {
			fmt.Println(err)
			return
		}
		if err := t.Initialize(ctx); err != nil { // link, run constructors
			fmt.Println(err)
			return
		}
		addr, err := j.Lookup(ctx, "plugin_version")
		if err != nil {
			fmt.Println(err)
			return
		}
		r, err := j.EPC.RunAsMain(ctx, addr, []string{"plugin"})
		fmt.Println("plugin_version:", r, err)
		if err := t.Remove(ctx); err != nil {
			fmt.Println(err)
			return
		}
		_, err = j.Lookup(ctx, "plugin_version")
		var nf *orc.SymbolsNotFoundError
		fmt.Println("after Remove, not found:", errors.As(err, &nf))
	}
	// Output:
	// plugin_version: 1 <nil>
	// after Remove, not found: true
	// plugin_version: 2 <nil>
	// after Remove, not found: true
}
