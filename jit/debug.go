package jit

import (
	"fmt"

	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/objlayer"
)

// addDebugPlugins installs the debugger and profiler plugins: the GDB JIT
// interface always (it costs nothing for objects without debug
// information), the perf map and jitdump when opts.PerfSupport asks.
func addDebugPlugins(l *objlayer.Layer, e epc.ExecutorProcessControl, opts Options) error {
	l.AddPlugin(objlayer.NewGDBPlugin(e))
	if opts.PerfSupport {
		p, err := objlayer.NewPerfMapPlugin(e)
		if err != nil {
			return fmt.Errorf("jit: %w", err)
		}
		l.AddPlugin(p)
	}
	return nil
}
