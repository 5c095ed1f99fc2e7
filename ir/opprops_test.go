package ir

import "testing"

// TestOpProps: the table-driven IsTerminator, HasSideEffects and
// IsCommutative agree with their definitions by comparison for every
// value an Op can hold (past numOps: none).
func TestOpProps(t *testing.T) {
	for i := range 256 {
		op := Op(i)
		term := op == OpBr || op == OpRet || op == OpUnreachable || op == OpInvoke || op == OpResume
		side := op == OpCall || op == OpStore || term || op == OpAtomicRMW || op == OpCmpXchg || op == OpFence || op == OpLandingPad
		comm := false
		switch op {
		case OpFAdd, OpFMul, OpAdd, OpMul, OpAnd, OpOr, OpXor:
			comm = true
		}
		if got := op.IsTerminator(); got != term {
			t.Errorf("%v (%d).IsTerminator() = %v, want %v", op, i, got, term)
		}
		if got := op.HasSideEffects(); got != side {
			t.Errorf("%v (%d).HasSideEffects() = %v, want %v", op, i, got, side)
		}
		if got := op.IsCommutative(); got != comm {
			t.Errorf("%v (%d).IsCommutative() = %v, want %v", op, i, got, comm)
		}
	}
	if !OpStore.HasSideEffects() || OpFAdd.HasSideEffects() || !OpRet.IsTerminator() || OpCall.IsTerminator() {
		t.Error("spot checks failed")
	}
}

// BenchmarkOpProps is the cost of the three tests over every op.
func BenchmarkOpProps(b *testing.B) {
	n := 0
	for b.Loop() {
		for i := range numOps {
			op := Op(i)
			if op.IsTerminator() || op.HasSideEffects() || op.IsCommutative() {
				n++
			}
		}
	}
	_ = n
}
