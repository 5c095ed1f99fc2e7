//go:build !linux

package kaleidoscope

import "time"

// threadCPU is not measured outside Linux (PipelineOptions.StageCPU
// reports zero times).
func threadCPU() (time.Duration, bool) { return 0, false }

// threadFaults is not measured outside Linux.
func threadFaults() int64 { return 0 }
