package executor

/*
#include <stdlib.h>
#include "gorc_executor.h"
*/
import "C"

import (
	"fmt"
	"os"
	"sync"

	"github.com/gorc-jit/gorc/shared"
)

// ReentryName is the bootstrap symbol of the lazy-compilation re-entry
// point (x86-64). A JIT'd trampoline reaches it with a call, e.g.
//
//	movabs $__gorc_reentry, %r11
//	call   *%r11
//
// so that the return address on the stack (pointing just past that call,
// inside the trampoline) identifies the trampoline. The re-entry point
// saves all argument registers (rdi, rsi, rdx, rcx, r8, r9, rax, r10,
// r11, xmm0-7), asks the handler set by SetReentryHandler for the landing
// address, restores them and continues there as if the original caller
// had called the landing function directly.
const ReentryName = "__gorc_reentry"

// ReentryFunc resolves a trampoline (identified by the return address
// inside it) to the address where execution continues, compiling code on
// demand. It runs on the JIT'd code's thread and may block.
type ReentryFunc func(trampolineRet shared.ExecutorAddr) (shared.ExecutorAddr, error)

var (
	reentryMu      sync.Mutex
	reentryHandler ReentryFunc
)

// SetReentryHandler installs the function that answers lazy re-entries.
func SetReentryHandler(f ReentryFunc) {
	reentryMu.Lock()
	reentryHandler = f
	reentryMu.Unlock()
}

// ReentryAddr returns the address of the re-entry point.
func ReentryAddr() shared.ExecutorAddr { return shared.ExecutorAddr(C.gorc_reentry_addr()) }

//export gorcReentry
func gorcReentry(tramp C.uint64_t) C.uint64_t {
	reentryMu.Lock()
	h := reentryHandler
	reentryMu.Unlock()
	if h == nil {
		fmt.Fprintf(os.Stderr, "gorc: lazy re-entry from %#x but no re-entry handler is installed\n", uint64(tramp))
		return 0
	}
	a, err := h(shared.ExecutorAddr(tramp))
	if err == nil && a == 0 {
		err = fmt.Errorf("the re-entry handler returned address 0")
	}
	if err != nil {
		// gorc_reentry_resolve ends the run (RunAsMain, RunVoid: as the
		// run's error) or the program (exit status 1) with this message;
		// the thread never lands anywhere.
		C.gorc_reentry_failed(C.CString(fmt.Sprintf("lazy compilation failed (re-entry from %#x): %v", uint64(tramp), err)))
		return 0
	}
	return C.uint64_t(a)
}
