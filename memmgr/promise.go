package memmgr

import (
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

var _ jitlink.RangePromiser = (*Slab)(nil)

// AllocationRange promises where the slab puts a request with this
// Low2GiB setting: every allocation (code-heap pieces, pages of their
// own) of a request that is not Low2GiB, or of any request once the
// main slab is low, is carved from the main slab's one reservation. A
// Low2GiB request on a high slab goes to the low slab, which is not
// promised (it may not be reserved yet). Nothing is promised before the
// first allocation has reserved the main slab.
func (s *Slab) AllocationRange(low2GiB bool) (shared.ExecutorAddrRange, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.main == nil || (low2GiB && !s.main.low) {
		return shared.ExecutorAddrRange{}, false
	}
	return s.main.r, true
}
