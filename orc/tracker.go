package orc

import (
	"context"
	"fmt"
)

// ResourceKey identifies a ResourceTracker to resource managers.
type ResourceKey uint64

// A ResourceTracker groups definitions in one JITDylib so they can be
// removed together, along with the memory and registrations layers
// attached to its key.
type ResourceTracker struct {
	jd      *JITDylib
	key     ResourceKey
	removed bool // guarded by es.mu
}

// ResourceManager is implemented by layers that own resources (memory,
// registrations) attached to tracker keys via WithResourceKeyDo.
type ResourceManager interface {
	// HandleRemoveResources frees everything attached to key in jd.
	HandleRemoveResources(ctx context.Context, jd *JITDylib, key ResourceKey) error
	// HandleTransferResources reattaches everything attached to srcKey
	// to dstKey.
	HandleTransferResources(jd *JITDylib, dstKey, srcKey ResourceKey)
}

func (es *ExecutionSession) newTrackerLocked(jd *JITDylib) *ResourceTracker {
	es.nextKey++
	rt := &ResourceTracker{jd: jd, key: es.nextKey}
	jd.trackers[rt] = struct{}{}
	return rt
}

// Key returns the tracker's key.
func (rt *ResourceTracker) Key() ResourceKey { return rt.key }

// JITDylib returns the dylib the tracker belongs to.
func (rt *ResourceTracker) JITDylib() *JITDylib { return rt.jd }

// IsRemoved reports whether the tracker has been removed.
func (rt *ResourceTracker) IsRemoved() bool {
	rt.jd.es.mu.Lock()
	defer rt.jd.es.mu.Unlock()
	return rt.removed
}

// Remove removes every symbol defined under rt: lookups waiting on them
// fail, symbols that depend on them and are not yet Ready fail, running
// materializations become defunct, and each ResourceManager frees the
// resources attached to rt's key. Names can then be defined again.
// Removing a removed tracker is a no-op.
func (rt *ResourceTracker) Remove(ctx context.Context) error {
	es := rt.jd.es
	var acts actions
	es.mu.Lock()
	if rt.removed {
		es.mu.Unlock()
		return nil
	}
	es.removeTrackerLocked(rt, &acts)
	managers := append([]ResourceManager(nil), es.managers...)
	es.mu.Unlock()
	acts.run()
	return es.notifyRemoved(ctx, rt.jd, []ResourceKey{rt.key}, managers)
}

func (es *ExecutionSession) removeTrackerLocked(rt *ResourceTracker, acts *actions) {
	es.removeTrackersLocked(rt.jd, map[*ResourceTracker]bool{rt: true}, acts)
}

// removeTrackersLocked removes several trackers of jd in one pass over its
// symbols (removing a dylib with many trackers stays linear).
func (es *ExecutionSession) removeTrackersLocked(jd *JITDylib, rts map[*ResourceTracker]bool, acts *actions) {
	// rts nil: every tracker of jd (removing the dylib; no set to build
	// and probe per symbol when a lazy session has thousands).
	in := func(rt *ResourceTracker) bool { return rt != nil && (rts == nil || rts[rt]) }
	if rts == nil {
		for rt := range jd.trackers {
			rt.removed = true
		}
		clear(jd.trackers)
	}
	for rt := range rts {
		rt.removed = true
		delete(jd.trackers, rt)
	}
	for mr := range jd.mrs {
		if in(mr.rt) {
			mr.defunct = true
			delete(jd.mrs, mr)
		}
	}
	var victims []*symbolEntry
	for n, e := range jd.symbols {
		if in(e.rt) {
			// Ready and failed symbols have nobody waiting on them, nor
			// has a symbol never looked up that nothing waits for or
			// depends on (most symbols of a session ending with lazy
			// units never called): it is only dropped.
			idle := e.state == SymbolStateNeverSearched && len(e.queries) == 0 && e.node == nil && len(e.dependants) == 0
			if e.state != SymbolStateReady && e.err == nil && !idle {
				victims = append(victims, e)
			}
			delete(jd.symbols, n)
			e.removed = true
			e.umu = nil
			e.mr = nil
		}
	}
	if len(victims) > 0 {
		es.failSymbolsLocked(victims, fmt.Errorf("%w: symbols removed from JITDylib %q", ErrResourceTrackerRemoved, jd.name), acts)
	}
	if in(jd.defaultRT) && !jd.removed {
		jd.defaultRT = es.newTrackerLocked(jd)
	}
}

// TransferTo moves everything tracked by rt to dst, which must belong to
// the same JITDylib; resource managers are told to move their resources.
// rt stays usable (and empty).
func (rt *ResourceTracker) TransferTo(dst *ResourceTracker) error {
	es := rt.jd.es
	es.mu.Lock()
	if dst == nil || dst.jd != rt.jd {
		es.mu.Unlock()
		return fmt.Errorf("transfer resources in %q: destination tracker belongs to another JITDylib", rt.jd.name)
	}
	if rt.removed || dst.removed {
		es.mu.Unlock()
		return fmt.Errorf("transfer resources in %q: %w", rt.jd.name, ErrResourceTrackerRemoved)
	}
	if rt == dst {
		es.mu.Unlock()
		return nil
	}
	for _, e := range rt.jd.symbols {
		if e.rt == rt {
			e.rt = dst
		}
	}
	for mr := range rt.jd.mrs {
		if mr.rt == rt {
			mr.rt = dst
		}
	}
	managers := append([]ResourceManager(nil), es.managers...)
	es.mu.Unlock()
	for i := len(managers) - 1; i >= 0; i-- {
		managers[i].HandleTransferResources(rt.jd, dst.key, rt.key)
	}
	return nil
}
