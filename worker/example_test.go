package worker_test

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/worker"
)

// A module cut into two parts, compiled by a pool. With no worker
// connected (worker.Spawn or worker.Dial would add them) the pool
// compiles in this process; the objects are linked in one session as
// usual (jit.JIT.AddObject).
func ExamplePool_CompileAll() {
	m, err := ir.ParseString("m.ll", `
define i64 @twice(i64 %x) {
entry:
  %y = add i64 %x, %x
  ret i64 %y
}

define i64 @main() {
entry:
  %r = call i64 @twice(i64 21)
  ret i64 %r
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	var reqs []*worker.Request
	for _, p := range worker.Split(m, 2) {
		reqs = append(reqs, p.Request(m, "m.ll", "x86_64-unknown-linux-gnu", 2))
	}
	pool := worker.NewPool()
	defer pool.Close()
	replies, err := pool.CompileAll(context.Background(), reqs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range replies {
		fmt.Printf("part %d: %v, %d function(s), object %v\n", i, reqs[i].Only, r.Functions, len(r.Object) > 0)
	}
	// Output:
	// part 0: [twice], 1 function(s), object true
	// part 1: [main], 1 function(s), object true
}
