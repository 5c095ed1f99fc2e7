//go:build cgo

package executor

// This file holds what a connection to a shared executor may do
// (dispatchShared): every request that names an address is checked
// against the controller's own memory (or the published symbols, for
// calls) before the ordinary handler runs it, and the directory
// operations are served from the Hub.

import (
	"fmt"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

func (s *server) dispatchShared(f wire.Frame) ([]byte, error) {
	h, p := s.sh.hub, s.sh.peer
	d := wire.NewDecoder(f.Payload)
	switch f.Op {
	case wire.OpReserve, wire.OpReserveShared:
		res, err := s.dispatchOwn(f)
		if err != nil {
			return nil, err
		}
		h.reserved(p, rng(wire.NewDecoder(res)))
		return res, nil
	case wire.OpAllocateTLS:
		d.U64() // size
		d.U64() // align
		imageSize := d.U64()
		res, err := s.dispatchOwn(f)
		if err != nil {
			return nil, err
		}
		rd := wire.NewDecoder(res)
		rd.U64() // module id
		rd.U64() // TP offset
		img := shared.ExecutorAddr(rd.U64())
		h.ownTLS(p, shared.ExecutorAddrRange{Start: img, End: img + shared.ExecutorAddr(imageSize)})
		return res, nil
	case wire.OpProtect:
		r := rng(d)
		if err := h.checkOwn(p, "protect", r.Start, r.Size(), true); err != nil {
			return nil, err
		}
	case wire.OpDecommit:
		r := rng(d)
		now, err := h.decommit(p, r)
		if err != nil || !now {
			return nil, err
		}
	case wire.OpRelease:
		r := rng(d)
		now, err := h.releaseOwn(p, r)
		if err != nil || !now {
			return nil, err
		}
		// Nothing p registered is left pointing into r.
		h.releasing(p, r)
	case wire.OpWrite:
		addr, data := shared.ExecutorAddr(d.U64()), d.Bytes()
		if err := d.Err(); err != nil {
			return nil, err
		}
		if err := h.checkOwn(p, "write", addr, uint64(len(data)), true); err != nil {
			return nil, err
		}
	case wire.OpRead:
		addr, n := shared.ExecutorAddr(d.U64()), d.U64()
		if err := h.checkOwn(p, "read", addr, n, false); err != nil {
			return nil, err
		}
	case wire.OpRunMain, wire.OpRunVoid, wire.OpCallWrapper:
		fn := shared.ExecutorAddr(d.U64())
		var err error
		if f.Op == wire.OpCallWrapper {
			err = h.checkWrapper(p, fn, d.Bytes())
		} else {
			err = h.checkCall(p, f.Op.String(), fn)
		}
		if err != nil {
			return nil, err
		}
		// The controller's memory outlives the code it runs, even if the
		// controller leaves meanwhile.
		h.runStart(p)
		defer h.runEnd(p)
		// A fault names the controller whose request ran the code.
		defer runFor(p)()
		if f.Op == wire.OpCallWrapper {
			res, err := s.dispatchOwn(f)
			if err == nil {
				// (what it registered is undone if p leaves it so)
				d := wire.NewDecoder(f.Payload)
				h.noteService(p, shared.ExecutorAddr(d.U64()), d.Bytes())
			}
			return res, err
		}
	case wire.OpLoadDylib:
		defer runFor(p)() // (a library's constructors run here)
	case wire.OpBatch:
		steps, err := decodeBatch(f.Payload)
		if err != nil {
			return nil, err
		}
		// Every step is checked before any runs: a refused batch ran
		// nothing, and the controller sends its steps one by one (each
		// then refused or run as its own call would be).
		if err := h.checkBatch(p, steps); err != nil {
			return nil, err
		}
		res, err := s.dispatchOwn(f)
		if err != nil {
			return nil, err
		}
		// The steps before the failed one (all, if none failed) ran.
		n := wire.NewDecoder(res).U64()
		for i := 0; i < len(steps) && uint64(i) < n; i++ {
			if steps[i].kind == wire.BatchCallWrapper {
				h.noteService(p, steps[i].addr, steps[i].data)
			}
		}
		return res, nil
	case wire.OpMapDual:
		return nil, fmt.Errorf("executor: map-dual: a shared executor keeps per-controller pages (no shared code blocks)")
	case wire.OpRunProgram:
		return nil, fmt.Errorf("executor: run-program ends the executor process, which a shared executor serving other controllers must not do (run main with run-main instead)")
	case wire.OpPublish:
		name, label, syms, addrs := d.String(), d.String(), d.Strings(), d.U64s()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, h.publish(p, name, label, syms, addrs)
	case wire.OpEmitted:
		name, deps := d.String(), d.Strings()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, h.emitted(p, name, deps)
	case wire.OpPublishFail:
		name, reason := d.String(), d.String()
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, h.failed(p, name, reason)
	case wire.OpSharedLookup:
		names, syms, timeout := d.Strings(), d.Strings(), time.Duration(d.U64())
		if err := d.Finish(); err != nil {
			return nil, err
		}
		out, err := h.lookup(p, names, syms, timeout, s.lostCh)
		if err != nil {
			return nil, err
		}
		return new(wire.Encoder).U64s(out).Payload(), nil
	case wire.OpSharedAwait:
		names, timeout := d.Strings(), time.Duration(d.U64())
		if err := d.Finish(); err != nil {
			return nil, err
		}
		return nil, h.await(p, names, timeout, s.lostCh)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return s.dispatchOwn(f)
}
