package passes

import (
	"slices"

	"github.com/gorc-jit/gorc/ir"
)

// SimplifyCFG cleans up the control-flow graph: branches on constants and
// two-way branches to one block become unconditional, unreachable blocks
// are deleted, a block is merged into its only predecessor when that
// predecessor has no other successor, and empty forwarding blocks (just
// "br label %next") are bypassed. It repeats until nothing changes.
func SimplifyCFG(f *ir.Function) bool {
	if f.IsDeclaration() {
		return false
	}
	changed := false
	for round := 0; round < 64; round++ {
		c := foldBranches(f)
		c = removeUnreachable(f) || c
		c = mergeBlocks(f) || c
		c = bypassEmpty(f) || c
		if !c {
			break
		}
		changed = true
	}
	return changed
}

func foldBranches(f *ir.Function) bool {
	changed := false
	for _, b := range f.Blocks {
		t := b.Terminator()
		if t == nil || t.Op != ir.OpBr || len(t.Ops) != 1 || len(t.Blocks) != 2 {
			continue
		}
		if c, ok := constI(t.Ops[0]); ok {
			keep, drop := t.Blocks[0], t.Blocks[1]
			if c&1 == 0 {
				keep, drop = drop, keep
			}
			removeOnePhiEntry(drop, b)
			t.Ops, t.Blocks = nil, []*ir.Block{keep}
			changed = true
		} else if t.Blocks[0] == t.Blocks[1] {
			removeOnePhiEntry(t.Blocks[0], b)
			t.Ops, t.Blocks = nil, t.Blocks[:1]
			changed = true
		}
	}
	return changed
}

func removeUnreachable(f *ir.Function) bool {
	if ir.NumReachable(f) == len(f.Blocks) {
		return false // the common case, without a new block order
	}
	rpo := ir.ReversePostorder(f)
	if len(rpo) == len(f.Blocks) {
		return false
	}
	reach := make([]bool, len(f.Blocks))
	for _, b := range rpo {
		reach[b.Index] = true
	}
	var keep []*ir.Block
	for _, b := range f.Blocks {
		if reach[b.Index] {
			keep = append(keep, b)
			continue
		}
		for _, s := range b.Succs() {
			if s.Index >= 0 && s.Index < len(reach) && reach[s.Index] {
				removePhiEntriesFrom(s, b)
			}
		}
	}
	// Values defined in deleted blocks can only be used in deleted blocks
	// or in phis of live blocks (entries removed above).
	f.Blocks = keep
	f.Renumber()
	return true
}

// mergeBlocks merges b into its single predecessor p when p's only
// successor is b.
func mergeBlocks(f *ir.Function) bool {
	if !mergeCandidate(f) {
		return false
	}
	return mergeAll(f)
}

// mergeAll is mergeBlocks without its quick check.
func mergeAll(f *ir.Function) bool {
	changed := false
	preds := ir.Preds(f)
	removed := make([]bool, len(f.Blocks))
	for _, b := range f.Blocks[1:] {
		if removed[b.Index] || len(preds[b.Index]) != 1 {
			continue
		}
		p := preds[b.Index][0]
		if p == b || removed[p.Index] {
			continue
		}
		pt := p.Terminator()
		if pt == nil || pt.Op != ir.OpBr || len(pt.Blocks) != 1 {
			continue
		}
		// Phis in b have exactly one entry: replace them by it.
		rep := replacer{}
		n := 0
		for _, phi := range b.Phis() {
			if len(phi.Ops) == 1 {
				rep[phi] = phi.Ops[0]
			} else {
				rep[phi] = &ir.Undef{Typ: phi.Typ}
			}
			n++
		}
		p.Instrs = p.Instrs[:len(p.Instrs)-1]
		for _, in := range b.Instrs[n:] {
			in.Block = p
			p.Instrs = append(p.Instrs, in)
		}
		b.Instrs = nil
		for _, s := range p.Succs() {
			renamePred(s, b, p)
			// p inherits b's successor edges
			for i, q := range preds[s.Index] {
				if q == b {
					preds[s.Index][i] = p
				}
			}
		}
		rep.apply(f)
		removed[b.Index] = true
		changed = true
	}
	if changed {
		j := 0
		for _, b := range f.Blocks {
			if !removed[b.Index] {
				f.Blocks[j] = b
				j++
			}
		}
		f.Blocks = f.Blocks[:j]
		f.Renumber()
	}
	return changed
}

// mergeCandidate reports whether mergeBlocks has a block to merge: a
// block p (renumbering f's blocks) whose terminator is an unconditional
// branch to a block b other than p and the entry, where that branch is
// b's only predecessor edge. Without one its loop merges nothing, and the
// predecessor lists need not be built.
func mergeCandidate(f *ir.Function) bool {
	f.Renumber()
	n := len(f.Blocks)
	var buf [64]int32
	count := buf[:0]
	if n <= len(buf) {
		count = buf[:n]
	} else {
		count = make([]int32, n)
	}
	valid := func(s *ir.Block) bool { return s != nil && s.Index >= 0 && s.Index < n && f.Blocks[s.Index] == s }
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			if valid(s) {
				count[s.Index]++
			}
		}
	}
	for _, p := range f.Blocks {
		pt := p.Terminator()
		if pt == nil || pt.Op != ir.OpBr || len(pt.Blocks) != 1 {
			continue
		}
		if b := pt.Blocks[0]; valid(b) && b != p && b.Index != 0 && count[b.Index] == 1 {
			return true
		}
	}
	return false
}

// bypassEmpty redirects the predecessors of a block that only branches to
// its successor s straight to s, when s's phis allow it.
func bypassEmpty(f *ir.Function) bool {
	if !slices.ContainsFunc(f.Blocks[min(1, len(f.Blocks)):], forwards) {
		return false // no empty block: no predecessor lists
	}
	return bypassAll(f)
}

// bypassAll is bypassEmpty without its quick check.
func bypassAll(f *ir.Function) bool {
	changed := false
	preds := ir.Preds(f)
	removed := make([]bool, len(f.Blocks))
	for _, b := range f.Blocks[1:] {
		if !forwards(b) || removed[b.Index] {
			continue
		}
		s := b.Instrs[0].Blocks[0]
		ps := preds[b.Index]
		if len(ps) == 0 {
			continue
		}
		// Each pred of b becomes a pred of s with b's incoming values. A
		// pred that already reaches s must agree on every phi value, and
		// a pred that branches to b twice would need duplicate entries.
		ok := true
		for _, p := range ps {
			if p == b {
				ok = false
				break
			}
			for _, phi := range s.Phis() {
				vb := phi.Incoming(b)
				if vb == nil {
					ok = false
				}
				if vp := phi.Incoming(p); vp != nil && !sameValue(vp, vb) {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		seen := make(map[*ir.Block]bool)
		for _, p := range ps {
			if seen[p] {
				continue
			}
			seen[p] = true
			pt := p.Terminator()
			for i := range pt.Blocks {
				if pt.Blocks[i] == b {
					pt.Blocks[i] = s
				}
			}
			cnt := 0
			for _, q := range pt.Blocks {
				if q == s {
					cnt++
				}
			}
			for _, phi := range s.Phis() {
				vb := phi.Incoming(b)
				have := 0
				for _, q := range phi.Blocks {
					if q == p {
						have++
					}
				}
				for ; have < cnt; have++ {
					phi.AddIncoming(vb, p)
				}
			}
		}
		removePhiEntriesFrom(s, b)
		// b keeps no predecessors; it is removed as unreachable.
		removed[b.Index] = true
		changed = true
		// Predecessor lists changed: recompute.
		preds = ir.Preds(f)
	}
	if changed {
		removeUnreachable(f)
	}
	return changed
}

// forwards reports whether b is empty but for an unconditional branch to
// another block (what bypassEmpty removes).
func forwards(b *ir.Block) bool {
	if len(b.Instrs) != 1 {
		return false
	}
	t := b.Instrs[0]
	return t.Op == ir.OpBr && len(t.Blocks) == 1 && t.Blocks[0] != b
}
