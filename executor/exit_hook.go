package executor

import "C"

import "sync"

var (
	exitHookMu sync.Mutex
	exitHook   func(status int)
)

// gorcProgramExited is called (from C, during exit) with the status of a
// program started by runProgram with reporting on, after every atexit
// handler, destructor and finalizer of the program has run.
//
//export gorcProgramExited
func gorcProgramExited(status C.int) {
	exitHookMu.Lock()
	h := exitHook
	exitHookMu.Unlock()
	if h != nil {
		h(int(status))
	}
}
