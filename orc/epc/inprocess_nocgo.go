//go:build !cgo

package epc

import "errors"

// InProcess is not available without cgo.
type InProcess struct{ ExecutorProcessControl }

// NewInProcess fails without cgo: running JIT'd code in this process needs
// the cgo executor runtime. Use a child or remote executor instead.
func NewInProcess() (*InProcess, error) {
	return nil, errors.New("epc: the in-process executor needs cgo (this gorc was built with CGO_ENABLED=0)")
}

// OnCrash fails without cgo (there is no in-process executor).
func (p *InProcess) OnCrash(func(*Crash)) error {
	return errors.New("epc: the in-process executor needs cgo")
}
