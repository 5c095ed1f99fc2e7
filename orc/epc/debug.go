package epc

import (
	"encoding/binary"
	"fmt"

	"github.com/gorc-jit/gorc/shared"
)

// Names of the executor's debugger and profiler services in
// BootstrapSymbols (see docs/DEBUGGING.md).
const (
	// GDBRegisterName registers a debug object (an ELF image in executor
	// memory) with the GDB JIT interface. Args: addr, size.
	GDBRegisterName = "__gorc_gdb_register"
	// GDBDeregisterName undoes GDBRegisterName. Args: addr, size.
	GDBDeregisterName = "__gorc_gdb_deregister"
	// PerfMapName appends functions to the executor's /tmp/perf-PID.map.
	// Args: see PerfMapCall.
	PerfMapName = "__gorc_perf_map"
)

// HasService reports whether the executor provides the service name (an
// older executor, or the pure-Go build's in-process stand-in, may not).
func HasService(e ExecutorProcessControl, name string) bool {
	return e.BootstrapSymbols()[name] != 0
}

// GDBRegisterActions returns the allocation actions that register the
// debug object at r with the executor's GDB JIT interface on finalize and
// deregister it on deallocation. r must lie in memory of the same
// allocation, so that it outlives the registration.
func GDBRegisterActions(e ExecutorProcessControl, r shared.ExecutorAddrRange) (shared.AllocActionPair, error) {
	return rangeActions(e, GDBRegisterName, GDBDeregisterName, r)
}

// PerfMapEntry is one function for the perf map.
type PerfMapEntry struct {
	Start shared.ExecutorAddr
	Size  uint64
	Name  string
}

// PerfMapCall returns the wrapper call that appends entries to the
// executor's perf map. The argument is a u64 count, then for each entry
// u64 start, u64 size, u64 name length and the name's bytes padded with
// zeros to a multiple of 8.
func PerfMapCall(e ExecutorProcessControl, entries []PerfMapEntry) (shared.WrapperCall, error) {
	fn, err := service(e, PerfMapName)
	if err != nil {
		return shared.WrapperCall{}, err
	}
	n := 8
	for _, x := range entries {
		if len(x.Name) > 4096 {
			return shared.WrapperCall{}, fmt.Errorf("epc: perf map: name of %d bytes is too long (at most 4096): %.40s...", len(x.Name), x.Name)
		}
		n += 24 + (len(x.Name)+7)&^7
	}
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(entries)))
	for _, x := range entries {
		b = binary.LittleEndian.AppendUint64(b, uint64(x.Start))
		b = binary.LittleEndian.AppendUint64(b, x.Size)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(x.Name)))
		b = append(b, x.Name...)
		for len(b)%8 != 0 {
			b = append(b, 0)
		}
	}
	return shared.WrapperCall{Fn: fn, Arg: b}, nil
}
