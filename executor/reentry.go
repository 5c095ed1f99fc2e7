package executor

/*
#include <stdlib.h>
#include "gorc_executor.h"
*/
import "C"

import (
	"errors"
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
// r11, xmm0-7), asks the installed handlers (AddReentryHandler,
// SetReentryHandler) for the landing
// address, restores them and continues there as if the original caller
// had called the landing function directly.
const ReentryName = "__gorc_reentry"

// LazyNamesName is the service registering a block of trampolines' name
// slots (gorc_lazynames.c): arguments the slots' address and size, the
// first trampoline's return address, the count and stride, and 0 to
// register (1 to forget). A process the program forked names the function
// of a refused lazy first call from them.
const LazyNamesName = "__gorc_lazy_names"

// ReentryFunc resolves a trampoline (identified by the return address
// inside it) to the address where execution continues, compiling code on
// demand. It runs on the JIT'd code's thread and may block.
type ReentryFunc func(trampolineRet shared.ExecutorAddr) (shared.ExecutorAddr, error)

// The installed handlers: those added with AddReentryHandler, in order,
// then the one set with SetReentryHandler. A re-entry asks each in turn
// and takes the first answer that is not shared.ErrNotMyTrampoline, so
// several JITs (or several controllers of one executor) can each run lazy
// code in one process.
var (
	reentryMu       sync.Mutex
	reentryHandlers []*reentryReg // copy on write: a re-entry reads it without the lock held while handlers run
	reentryDefault  ReentryFunc
)

type reentryReg struct{ f ReentryFunc }

// errNoReentryHandler: a re-entry with no handler installed is a set-up
// error, not a failed compile: the process aborts (gorc_reentry_resolve).
var errNoReentryHandler = errors.New("no re-entry handler is installed")

// SetReentryHandler installs (nil: removes) the process's default
// re-entry handler, asked after the ones added with AddReentryHandler.
func SetReentryHandler(f ReentryFunc) {
	reentryMu.Lock()
	reentryDefault = f
	reentryMu.Unlock()
}

// AddReentryHandler installs one more re-entry handler and returns the
// function that removes it. f must answer shared.ErrNotMyTrampoline
// (wrapped or not) for trampolines it did not hand out.
func AddReentryHandler(f ReentryFunc) (remove func()) {
	r := &reentryReg{f: f}
	reentryMu.Lock()
	reentryHandlers = append(reentryHandlers[:len(reentryHandlers):len(reentryHandlers)], r)
	reentryMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			reentryMu.Lock()
			defer reentryMu.Unlock()
			hs := make([]*reentryReg, 0, len(reentryHandlers))
			for _, h := range reentryHandlers {
				if h != r {
					hs = append(hs, h)
				}
			}
			reentryHandlers = hs
		})
	}
}

// resolveReentry asks the installed handlers, in order, for the landing
// address of the trampoline whose return address is tramp.
func resolveReentry(tramp shared.ExecutorAddr) (shared.ExecutorAddr, error) {
	reentryMu.Lock()
	hs, def := reentryHandlers, reentryDefault
	reentryMu.Unlock()
	asked := 0
	for _, h := range hs {
		asked++
		a, err := h.f(tramp)
		if errors.Is(err, shared.ErrNotMyTrampoline) {
			continue
		}
		return a, err
	}
	if def != nil {
		asked++
		a, err := def(tramp)
		if !errors.Is(err, shared.ErrNotMyTrampoline) {
			return a, err
		}
	}
	if asked == 0 {
		return 0, errNoReentryHandler
	}
	return 0, fmt.Errorf("none of the %d re-entry handlers knows this trampoline", asked)
}

// ReentryAddr returns the address of the re-entry point.
func ReentryAddr() shared.ExecutorAddr { return shared.ExecutorAddr(C.gorc_reentry_addr()) }

//export gorcReentry
func gorcReentry(tramp C.uint64_t) C.uint64_t {
	a, err := resolveReentry(shared.ExecutorAddr(tramp))
	if err == errNoReentryHandler {
		fmt.Fprintf(os.Stderr, "gorc: lazy re-entry from %#x but no re-entry handler is installed\n", uint64(tramp))
		return 0
	}
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
