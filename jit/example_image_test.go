//go:build cgo

package jit_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jit"
)

// Record a link as a linked image (what gorc's code cache stores), then
// replay it in a fresh JIT instead of linking again. DefineOnly keeps the
// replay to the one symbol the runner looks up.
func ExampleImageRecorder_DefineOnly() {
	ctx := context.Background()
	src := `
define i32 @twice(i32 %x) {
entry:
  %r = add i32 %x, %x
  ret i32 %r
}

define i32 @answer() {
entry:
  %r = call i32 @twice(i32 21)
  ret i32 %r
}
`
	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := j.RecordImage() // before anything is added
	rec.DefineOnly("answer")
	if err := j.AddIR(ctx, "answer.ll", []byte(src), 2); err != nil {
		fmt.Println(err)
		return
	}
	p, err := j.Program(ctx, "answer", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := rec.EncodeImage(p)
	j.Close(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}

	// A later run: no parsing, no linking.
	r, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx)
	q, err := r.LoadImage(ctx, data, "answer", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := r.EPC.RunAsMain(ctx, q.Main, []string{"answer"})
	fmt.Println(v, err)
	_, err = r.Lookup(ctx, "twice")
	fmt.Println("twice defined:", err == nil)
	// Output:
	// 42 <nil>
	// twice defined: false
}

// Store a recorded link in a code cache and replay it from the mapped
// entry: with the executor in this process, a large image's pages are
// mapped from the entry's file rather than copied, and its code table is
// read from the file only if an address must be named.
func ExampleJIT_LoadImageFile() {
	ctx := context.Background()
	src := `
define i32 @answer() {
entry:
  ret i32 42
}
`
	dir, err := os.MkdirTemp("", "gorc-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	cache, err := codecache.Open(dir, codecache.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	key := codecache.NewKey("example image").String("input", "answer.ll").Sum()

	j, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := j.RecordImage()
	if err := j.AddIR(ctx, "answer.ll", []byte(src), 2); err != nil {
		fmt.Println(err)
		return
	}
	p, err := j.Program(ctx, "answer", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := rec.Image(p)
	if err == nil {
		err = cache.PutFrom(key, img) // streamed into the entry
	}
	j.Close(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}

	// A later run.
	m, err := cache.Map(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close() // after the replay: its mapping keeps the pages
	r, err := jit.New(ctx, jit.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx)
	q, err := r.LoadImageFile(ctx, m.Payload, m, "answer", nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := r.EPC.RunAsMain(ctx, q.Main, []string{"answer"})
	fmt.Println(v, err)
	// Output: 42 <nil>
}
