package executor

/*
#include <stdint.h>
#include <stddef.h>
void gorc_debug_bootstrap(uint64_t *out);
size_t gorc_gdb_entries(uint64_t *out, size_t n);
void gorc_gdb_forget_range(uint64_t addr, uint64_t size);
*/
import "C"

import (
	"unsafe"

	"github.com/gorc-jit/gorc/shared"
)

// Names of the debugger and profiler services (see docs/DEBUGGING.md).
const (
	// GDBRegisterName: (addr, size) of a debug object (an ELF image in
	// executor memory); adds it to the GDB JIT interface's list
	// (__jit_debug_descriptor) and calls __jit_debug_register_code.
	GDBRegisterName = "__gorc_gdb_register"
	// GDBDeregisterName: (addr, size); undoes GDBRegisterName.
	GDBDeregisterName = "__gorc_gdb_deregister"
	// PerfMapName: (n, then per function start, size, name length and the
	// name's bytes padded to 8); appends "START SIZE NAME" lines to
	// /tmp/perf-PID.map and JIT_CODE_LOAD records (with a copy of the
	// code) to the jitdump file $JITDUMPDIR/.debug/jit/gorc-jit-*/jit-PID.dump
	// ($HOME when JITDUMPDIR is unset) for perf.
	PerfMapName = "__gorc_perf_map"
)

// debugBootstrap adds the debugger and profiler services to m.
func debugBootstrap(m map[string]shared.ExecutorAddr) {
	var out [3]C.uint64_t
	C.gorc_debug_bootstrap(&out[0])
	m[GDBRegisterName] = shared.ExecutorAddr(out[0])
	m[GDBDeregisterName] = shared.ExecutorAddr(out[1])
	m[PerfMapName] = shared.ExecutorAddr(out[2])
}

// GDBEntries returns the debug objects registered with the GDB JIT
// interface, most recent first.
func GDBEntries() []shared.ExecutorAddrRange {
	n := int(C.gorc_gdb_entries(nil, 0))
	for {
		buf := make([]C.uint64_t, 2*n+2)
		m := int(C.gorc_gdb_entries((*C.uint64_t)(unsafe.Pointer(&buf[0])), C.size_t(n+1)))
		if m > n+1 {
			n = m
			continue
		}
		out := make([]shared.ExecutorAddrRange, m)
		for i := range out {
			a := shared.ExecutorAddr(buf[2*i])
			out[i] = shared.ExecutorAddrRange{Start: a, End: a.Add(uint64(buf[2*i+1]))}
		}
		return out
	}
}

// forgetDebugObjects deregisters the debug objects inside r (its memory
// is being released or decommitted).
func forgetDebugObjects(r shared.ExecutorAddrRange) {
	C.gorc_gdb_forget_range(C.uint64_t(r.Start), C.uint64_t(r.Size()))
}
