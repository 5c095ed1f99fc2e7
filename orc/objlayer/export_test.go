package objlayer

import "github.com/gorc-jit/gorc/orc"

// SetFinalizedHook sets the hook NotifyFinalized calls once a graph's
// records are kept under its tracker's key (nil: none).
func SetFinalizedHook(f func(key orc.ResourceKey)) { finalizedHook = f }
