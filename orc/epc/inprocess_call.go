//go:build cgo

package epc

import (
	"context"
	"fmt"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

var _ DirectCaller = (*InProcess)(nil)

// CallDirect implements DirectCaller: fn runs on the calling thread. The
// context is checked before the call; the call cannot be interrupted.
func (p *InProcess) CallDirect(ctx context.Context, fn shared.ExecutorAddr, a CallArgs) (CallResult, error) {
	if err := p.check(ctx, "call"); err != nil {
		return CallResult{}, err
	}
	r, err := executor.Call(fn, a.Ints[:a.NInt], a.Floats[:a.NFloat], a.Stack)
	if err != nil {
		return CallResult{}, fmt.Errorf("epc: %w", err)
	}
	return CallResult{Int: r.Int, Float: r.Float}, nil
}
