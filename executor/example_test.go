//go:build cgo

package executor_test

import (
	"fmt"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

// Reserve memory, write machine code, make it read-execute and run it as
// main on a fresh thread.
func ExampleRunAsMain() {
	r, err := executor.Reserve(executor.PageSize(), false)
	if err != nil {
		panic(err)
	}
	defer executor.Release(r)
	executor.Protect(r, shared.ProtRead|shared.ProtWrite)
	executor.Write(r.Start, []byte{0x89, 0xf8, 0xc3}) // mov eax, edi (argc); ret
	executor.Protect(r, shared.ProtRead|shared.ProtExec)
	status, err := executor.RunAsMain(r.Start, []string{"prog", "a", "b"})
	fmt.Println(status, err)
	// Output: 3 <nil>
}

// Load a library the way a static linker finds -lm (Debian's libm.so is a
// GNU ld script naming libm.so.6) and look a symbol up in it.
func ExampleLoadLibrary() {
	h, path, err := executor.LoadLibrary("-lm", nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(path, executor.Dlsym(h, "cos") != 0)
	// Output: /lib/x86_64-linux-gnu/libm.so.6 true
}

// A static TLS block for JIT'd thread-locals: every thread has it at the
// same (negative) offset from the thread pointer.
func ExampleAllocateTLS() {
	b, err := executor.AllocateTLS(executor.TLSRequest{Size: 16, Align: 8, ImageSize: 4, Image: []byte{1, 2, 3, 4}})
	if err != nil {
		panic(err)
	}
	fmt.Println(b.TPOffset < 0, b.TPOffset == b.TPOffsetInNewThread(), b.ModuleID > 0)
	// Output: true true true
}
