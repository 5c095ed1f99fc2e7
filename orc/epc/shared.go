package epc

// This file holds the controller's side of a shared executor's symbol
// directory (`gorc executor -listen ADDR -shared`, docs/SHARING.md).

import (
	"context"
	"fmt"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

// SharedDirectory is the symbol directory of a shared executor: one
// executor process serving several controllers, which publish dylibs
// under shared names and link against what the others published. Seed
// 001's states apply across the processes: a published dylib is Resolved
// (its addresses are known, others can link against it), then Emitted by
// its publisher (linked and finalized), and Ready once every dylib it
// reaches through its dependencies is Emitted.
type SharedDirectory interface {
	// SharedExecutor reports whether the executor is shared (only then
	// are the other methods served).
	SharedExecutor() bool
	// Publish makes syms visible under name (Resolved); label names the
	// publisher in other controllers' errors.
	Publish(ctx context.Context, name, label string, syms map[string]shared.ExecutorAddr) error
	// Emitted says name is linked and finalized, and which shared names
	// its code links against.
	Emitted(ctx context.Context, name string, deps []string) error
	// PublishFailed says name's link failed: its waiters get reason.
	PublishFailed(ctx context.Context, name, reason string) error
	// SharedLookup waits (at most timeout) until every dylib in dylibs is
	// published, then returns each name's address in the first of them
	// that has it, 0 when none has.
	SharedLookup(ctx context.Context, dylibs, names []string, timeout time.Duration) ([]shared.ExecutorAddr, error)
	// SharedAwait waits (at most timeout) until every dylib in dylibs is
	// Ready.
	SharedAwait(ctx context.Context, dylibs []string, timeout time.Duration) error
}

var _ SharedDirectory = (*Remote)(nil)

// SharedExecutor implements SharedDirectory.
func (e *Remote) SharedExecutor() bool { return e.hello.Symbols[wire.SharedExecutorSymbol] == 1 }

// Publish implements SharedDirectory.
func (e *Remote) Publish(ctx context.Context, name, label string, syms map[string]shared.ExecutorAddr) error {
	names := make([]string, 0, len(syms))
	addrs := make([]uint64, 0, len(syms))
	for n, a := range syms {
		names = append(names, n)
		addrs = append(addrs, uint64(a))
	}
	return e.simple(ctx, wire.OpPublish, new(wire.Encoder).String(name).String(label).Strings(names).U64s(addrs))
}

// Emitted implements SharedDirectory.
func (e *Remote) Emitted(ctx context.Context, name string, deps []string) error {
	return e.simple(ctx, wire.OpEmitted, new(wire.Encoder).String(name).Strings(deps))
}

// PublishFailed implements SharedDirectory.
func (e *Remote) PublishFailed(ctx context.Context, name, reason string) error {
	return e.simple(ctx, wire.OpPublishFail, new(wire.Encoder).String(name).String(reason))
}

// SharedLookup implements SharedDirectory.
func (e *Remote) SharedLookup(ctx context.Context, dylibs, names []string, timeout time.Duration) ([]shared.ExecutorAddr, error) {
	d, err := e.call(ctx, wire.OpSharedLookup, new(wire.Encoder).Strings(dylibs).Strings(names).U64(uint64(timeout)).Payload())
	if err != nil {
		return nil, err
	}
	v := d.U64s()
	if err := finish(wire.OpSharedLookup, d); err != nil {
		return nil, err
	}
	if len(v) != len(names) {
		return nil, fmt.Errorf("epc: shared-lookup: %d addresses for %d names", len(v), len(names))
	}
	out := make([]shared.ExecutorAddr, len(v))
	for i, a := range v {
		out[i] = shared.ExecutorAddr(a)
	}
	return out, nil
}

// SharedAwait implements SharedDirectory.
func (e *Remote) SharedAwait(ctx context.Context, dylibs []string, timeout time.Duration) error {
	return e.simple(ctx, wire.OpSharedAwait, new(wire.Encoder).Strings(dylibs).U64(uint64(timeout)))
}

// EmittedAwaiter is the optional one-round-trip form of Emitted followed
// by SharedAwait (epc.Remote implements it).
type EmittedAwaiter interface {
	// EmittedAwait is Emitted(name, deps) then SharedAwait(wait,
	// timeout), the second request sent right behind the first without
	// waiting for its answer: the executor reads them in order, so the
	// wait sees name Emitted. An error of Emitted is returned as an
	// *EmittedError; the wait's answer is then not waited for.
	EmittedAwait(ctx context.Context, name string, deps, wait []string, timeout time.Duration) error
}

var _ EmittedAwaiter = (*Remote)(nil)

// EmittedError is EmittedAwait's error when Emitted itself failed.
type EmittedError struct{ Err error }

func (e *EmittedError) Error() string { return e.Err.Error() }
func (e *EmittedError) Unwrap() error { return e.Err }

// EmittedAwait implements EmittedAwaiter.
func (e *Remote) EmittedAwait(ctx context.Context, name string, deps, wait []string, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("epc: %v: %w", wire.OpEmitted, err)
	}
	if err := e.awaitHello(ctx, wire.OpEmitted); err != nil {
		return fmt.Errorf("epc: %v: %w", wire.OpEmitted, err)
	}
	send := func(op wire.Op, enc *wire.Encoder) (*sentCall, error) {
		return e.callSend(ctx, op, func(seq uint64) error {
			return wire.WriteFrame(e.w, wire.Frame{Kind: wire.KindCall, Op: op, Seq: seq, Payload: enc.Payload()})
		})
	}
	em, err := send(wire.OpEmitted, new(wire.Encoder).String(name).Strings(deps))
	if err != nil {
		return &EmittedError{err}
	}
	aw, err := send(wire.OpSharedAwait, new(wire.Encoder).Strings(wait).U64(uint64(timeout)))
	if err != nil {
		em.drop()
		return err
	}
	d, err := em.wait()
	if err == nil {
		err = finish(wire.OpEmitted, d)
	}
	if err != nil {
		aw.drop()
		return &EmittedError{err}
	}
	d, err = aw.wait()
	if err != nil {
		return err
	}
	return finish(wire.OpSharedAwait, d)
}
