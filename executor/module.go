package executor

/*
#include "gorc_executor.h"
*/
import "C"

import "github.com/gorc-jit/gorc/shared"

// Names of the services for unloadable modules (module.c), in
// [BootstrapSymbols]. A module is code the controller may remove again: it
// has its own DSO handle (an address the controller chose, where the
// module's __dso_handle resolves) and registers its memory ranges, so that
// atexit, at_quick_exit and pthread_atfork handlers whose code lies in
// them are registered under that handle.
const (
	// ModuleRegisterName: (dso, start, end): [start, end) is memory of the
	// module with handle dso (an allocation action when it is finalized).
	ModuleRegisterName = "__gorc_module_register"
	// ModuleDeregisterName: (dso, start, end): undoes ModuleRegisterName
	// (the action's deallocation half).
	ModuleDeregisterName = "__gorc_module_deregister"
	// ModuleInitName: (dso, n, init..., m, fini...): as RunInitializersName,
	// but the finalizers are registered under the module's handle.
	ModuleInitName = "__gorc_module_init"
	// ModuleFinalizeName: (dso): runs every handler registered under the
	// module's handle — C++ static destructors, its finalizers, its atexit
	// handlers — newest first, once, and drops its at_quick_exit and
	// pthread_atfork handlers (glibc's __cxa_finalize, as dlclose does).
	ModuleFinalizeName = "__gorc_module_finalize"
)

// moduleNames lists the module services in the order
// gorc_module_bootstrap fills them in.
var moduleNames = []string{ModuleRegisterName, ModuleDeregisterName, ModuleInitName, ModuleFinalizeName}

func addModuleSymbols(m map[string]shared.ExecutorAddr) {
	var out [4]C.uint64_t
	C.gorc_module_bootstrap(&out[0])
	for i, n := range moduleNames {
		m[n] = shared.ExecutorAddr(out[i])
	}
}

// DSOHandleOf returns the DSO handle that atexit registers fn under: the
// handle of the module whose registered memory holds fn, or the
// executor's own (the bootstrap symbol __dso_handle).
func DSOHandleOf(fn shared.ExecutorAddr) shared.ExecutorAddr {
	return shared.ExecutorAddr(uintptr(C.gorc_module_dso(C.uint64_t(fn))))
}

// ownerAdd registers r as a shared executor's controller's memory: the
// atexit family registers handlers whose code lies there (and in no
// module) under r.Start as their DSO handle (module.c).
func ownerAdd(r shared.ExecutorAddrRange) { C.gorc_owner_add(C.uint64_t(r.Start), C.uint64_t(r.End)) }

// ownerDel undoes ownerAdd.
func ownerDel(r shared.ExecutorAddrRange) { C.gorc_owner_del(C.uint64_t(r.Start), C.uint64_t(r.End)) }

// finalizeRange finalizes every DSO handle in r that handlers were
// registered under (their destructors and atexit handlers run,
// __cxa_finalize); it returns how many.
func finalizeRange(r shared.ExecutorAddrRange) int {
	return int(C.gorc_finalize_range(C.uint64_t(r.Start), C.uint64_t(r.End)))
}
