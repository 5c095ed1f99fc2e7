//go:build cgo

package objlayer_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

// Example wires the layer by hand: a session, an in-process executor, a
// slab, the process-symbols generator; then adds an object compiled by gcc
// and calls one of its functions.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "objlayer-example")
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "f.c")
	obj := filepath.Join(dir, "f.o")
	os.WriteFile(src, []byte(`#include <string.h>
int twice_len(void) { return 2 * (int)strlen("twenty-one characters"); }`), 0o644)
	if out, err := exec.Command("gcc", "-c", "-O2", "-o", obj, src).CombinedOutput(); err != nil {
		fmt.Println(err, string(out))
		return
	}
	data, _ := os.ReadFile(obj)

	e, _ := epc.NewInProcess()
	defer e.Close(ctx)
	m, _ := memmgr.NewInProcessMapper(e)
	slab, _ := memmgr.NewSlab(m, memmgr.SlabOptions{Size: 16 << 20})
	defer slab.Close(ctx)
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(64)))
	defer es.EndSession(ctx)
	jd, _ := es.CreateJITDylib("main")
	layer := objlayer.New(es, e, slab)
	procs := objlayer.NewProcessSymbolsGenerator(e) // strlen comes from libc
	procs.DSOHandle = slab.DSOHandle
	jd.AddGenerator(procs)

	if _, err := layer.Add(jd, nil, "f.o", data); err != nil {
		fmt.Println(err)
		return
	}
	def, err := es.LookupSymbol(ctx, jd, "twice_len") // links f.o
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := e.RunAsMain(ctx, def.Addr, []string{"f"})
	fmt.Println(r, err, layer.Linked())
	// Output: 42 <nil> 1
}
