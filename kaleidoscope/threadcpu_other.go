//go:build !linux

package kaleidoscope

import "time"

// threadCPU is not measured outside Linux (PipelineOptions.StageCPU
// reports zero times).
func threadCPU() (time.Duration, bool) { return 0, false }
