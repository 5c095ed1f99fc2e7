package epc

import (
	"fmt"

	"github.com/gorc-jit/gorc/shared"
)

// Names of the executor's services for unloadable modules (code a
// controller may remove again; see executor.ModuleRegisterName and
// friends).
const (
	ModuleRegisterName   = "__gorc_module_register"   // args: dso, start, end
	ModuleDeregisterName = "__gorc_module_deregister" // args: dso, start, end
	ModuleInitName       = "__gorc_module_init"       // args: dso, n, init..., m, fini...
	ModuleFinalizeName   = "__gorc_module_finalize"   // args: dso
)

// ModuleRangeActions returns the allocation actions that register the
// range r as memory of the module with DSO handle dso when it is finalized
// and deregister it when it is deallocated: atexit (and at_quick_exit,
// pthread_atfork) handlers whose code lies in r are then registered under
// dso, so ModuleFinalizeCall runs them.
func ModuleRangeActions(e ExecutorProcessControl, dso shared.ExecutorAddr, r shared.ExecutorAddrRange) (shared.AllocActionPair, error) {
	reg, err := service(e, ModuleRegisterName)
	if err != nil {
		return shared.AllocActionPair{}, err
	}
	dereg, err := service(e, ModuleDeregisterName)
	if err != nil {
		return shared.AllocActionPair{}, err
	}
	if dso == 0 || r.Size() == 0 {
		return shared.AllocActionPair{}, fmt.Errorf("epc: module range actions: bad module %v range %v", dso, r)
	}
	arg := EncodeArgs(uint64(dso), uint64(r.Start), uint64(r.End))
	return shared.AllocActionPair{
		Finalize: shared.WrapperCall{Fn: reg, Arg: arg},
		Dealloc:  shared.WrapperCall{Fn: dereg, Arg: arg},
	}, nil
}

// ModuleInitCall returns the wrapper call that registers finis under the
// module's DSO handle (to run, in the given order, when the module is
// finalized, or at exit if it never is) and then runs inits in order with
// (argc, argv, envp).
func ModuleInitCall(e ExecutorProcessControl, dso shared.ExecutorAddr, inits, finis []shared.ExecutorAddr) (shared.WrapperCall, error) {
	fn, err := service(e, ModuleInitName)
	if err != nil {
		return shared.WrapperCall{}, err
	}
	v := make([]uint64, 0, 3+len(inits)+len(finis))
	v = append(v, uint64(dso), uint64(len(inits)))
	for _, a := range inits {
		v = append(v, uint64(a))
	}
	v = append(v, uint64(len(finis)))
	for _, a := range finis {
		v = append(v, uint64(a))
	}
	return shared.WrapperCall{Fn: fn, Arg: EncodeArgs(v...)}, nil
}

// ModuleFinalizeCall returns the wrapper call that finalizes the module
// with DSO handle dso: every handler registered under it (C++ static
// destructors, the finalizers ModuleInitCall registered, atexit handlers
// in its memory) runs once, newest first, as dlclose runs a library's.
func ModuleFinalizeCall(e ExecutorProcessControl, dso shared.ExecutorAddr) (shared.WrapperCall, error) {
	fn, err := service(e, ModuleFinalizeName)
	if err != nil {
		return shared.WrapperCall{}, err
	}
	return shared.WrapperCall{Fn: fn, Arg: EncodeArgs(uint64(dso))}, nil
}
