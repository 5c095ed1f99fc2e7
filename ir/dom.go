package ir

import "sync"

// domScratch holds the arrays of a DomTree (and ReversePostorder's work
// lists) for reuse: passes build a tree per function, and fresh arrays
// each time were a tenth of the optimiser's allocation.
type domScratch struct {
	seen                       []bool
	stack                      []rpoFrame
	count, ints                []int
	rpo, idom, predAll, kidAll []*Block
	preds, kids                [][]*Block
	tstack                     []rpoFrame
}

type rpoFrame struct {
	b *Block
	i int
}

var domPool = sync.Pool{New: func() any { return new(domScratch) }}

// sized returns s resized to n elements, all zero, reusing its array when
// large enough.
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// Release returns the tree's arrays for reuse by later trees. The tree
// (and every slice it returned: RPO, Children, PredsOf) must not be used
// afterwards. Calling it is optional.
func (d *DomTree) Release() {
	if d == nil || d.sc == nil {
		return
	}
	sc := d.sc
	*d = DomTree{}
	domPool.Put(sc)
}

// DomTree is the dominator tree of a function's reachable blocks, computed
// with the Cooper–Harvey–Kennedy iterative algorithm over reverse postorder.
type DomTree struct {
	sc    *domScratch // the arrays below; returned to the pool by Release
	f     *Function
	idom  []*Block // by Block.Index; nil for the entry and unreachable blocks
	rpo   []*Block // reachable blocks in reverse postorder
	order []int    // by Block.Index: position in rpo, -1 if unreachable
	preds [][]*Block
	kids  [][]*Block
	pre   []int // preorder/postorder numbers in the tree, for O(1) Dominates
	post  []int
}

// Preds returns, indexed by Block.Index, the predecessors of every block of
// f (renumbering f's blocks first). A block appears once per edge.
func Preds(f *Function) [][]*Block {
	return predsInto(f, &domScratch{})
}

// predsInto computes Preds in sc's arrays.
func predsInto(f *Function, sc *domScratch) [][]*Block {
	f.Renumber()
	n := len(f.Blocks)
	valid := func(s *Block) bool { return s != nil && s.Index >= 0 && s.Index < n && f.Blocks[s.Index] == s }
	// Two passes (count, then fill) so that all lists share one array.
	count := sized(sc.count, n+1)
	sc.count = count
	edges := 0
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			if valid(s) {
				count[s.Index+1]++
				edges++
			}
		}
	}
	for i := 1; i <= n; i++ {
		count[i] += count[i-1]
	}
	all := sized(sc.predAll, edges)
	sc.predAll = all
	preds := sized(sc.preds, n)
	sc.preds = preds
	for i := range preds {
		// Full-capacity slices: a caller's append copies rather than
		// overwriting the next block's list.
		preds[i] = all[count[i]:count[i]:count[i+1]]
	}
	for _, b := range f.Blocks {
		for _, s := range b.Succs() {
			if valid(s) {
				preds[s.Index] = append(preds[s.Index], b)
			}
		}
	}
	return preds
}

// ReversePostorder returns f's blocks reachable from the entry in reverse
// postorder (renumbering f's blocks first).
func ReversePostorder(f *Function) []*Block {
	sc := domPool.Get().(*domScratch)
	post := rpoInto(f, sc, nil)
	domPool.Put(sc)
	return post
}

// rpoInto computes ReversePostorder with sc's work lists, into post's
// array if it is large enough.
func rpoInto(f *Function, sc *domScratch, post []*Block) []*Block {
	f.Renumber()
	if len(f.Blocks) == 0 {
		return nil
	}
	seen := sized(sc.seen, len(f.Blocks))
	sc.seen = seen
	if cap(post) < len(f.Blocks) {
		post = make([]*Block, 0, len(f.Blocks))
	}
	post = post[:0]
	stack := append(sc.stack[:0], rpoFrame{f.Blocks[0], 0})
	seen[0] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succs := top.b.Succs()
		if top.i < len(succs) {
			s := succs[top.i]
			top.i++
			if s != nil && s.Index >= 0 && s.Index < len(f.Blocks) && f.Blocks[s.Index] == s && !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, rpoFrame{s, 0})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	sc.stack = stack
	for i, j := 0, len(post)-1; i < j; i, j = i+1, j-1 {
		post[i], post[j] = post[j], post[i]
	}
	return post
}

// NewDomTree computes the dominator tree of f.
func NewDomTree(f *Function) *DomTree {
	sc := domPool.Get().(*domScratch)
	d := &DomTree{f: f, sc: sc}
	d.rpo = rpoInto(f, sc, sc.rpo)
	sc.rpo = d.rpo
	d.preds = predsInto(f, sc)
	n := len(f.Blocks)
	d.idom = sized(sc.idom, n)
	sc.idom = d.idom
	ints := sized(sc.ints, 3*n) // order, pre, post in one array
	sc.ints = ints
	d.order, d.pre, d.post = ints[:n:n], ints[n:2*n:2*n], ints[2*n:]
	for i := range d.order {
		d.order[i] = -1
	}
	for i, b := range d.rpo {
		d.order[b.Index] = i
	}
	if len(d.rpo) == 0 {
		return d
	}
	entry := d.rpo[0]
	d.idom[entry.Index] = entry
	intersect := func(a, b *Block) *Block {
		for a != b {
			for d.order[a.Index] > d.order[b.Index] {
				a = d.idom[a.Index]
			}
			for d.order[b.Index] > d.order[a.Index] {
				b = d.idom[b.Index]
			}
		}
		return a
	}
	for changed := true; changed; {
		changed = false
		for _, b := range d.rpo[1:] {
			var nd *Block
			for _, p := range d.preds[b.Index] {
				if d.order[p.Index] < 0 || d.idom[p.Index] == nil {
					continue
				}
				if nd == nil {
					nd = p
				} else {
					nd = intersect(p, nd)
				}
			}
			if nd != nil && d.idom[b.Index] != nd {
				d.idom[b.Index] = nd
				changed = true
			}
		}
	}
	d.idom[entry.Index] = nil
	// Children lists share one array (counted first), in RPO order.
	start := d.pre // free until the numbering below: kid counts, then offsets
	clear(start)
	kids := 0
	for _, b := range d.rpo[1:] {
		if p := d.idom[b.Index]; p != nil {
			start[p.Index]++
			kids++
		}
	}
	all := sized(sc.kidAll, kids)
	sc.kidAll = all
	d.kids = sized(sc.kids, n)
	sc.kids = d.kids
	off := 0
	for i, c := range start {
		d.kids[i] = all[off : off : off+c]
		off += c
	}
	for _, b := range d.rpo[1:] {
		if p := d.idom[b.Index]; p != nil {
			d.kids[p.Index] = append(d.kids[p.Index], b)
		}
	}
	clear(d.pre)
	clock := 0
	type frame = rpoFrame
	stack := append(sc.tstack[:0], frame{entry, 0})
	d.pre[entry.Index] = clock
	clock++
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i < len(d.kids[top.b.Index]) {
			c := d.kids[top.b.Index][top.i]
			top.i++
			d.pre[c.Index] = clock
			clock++
			stack = append(stack, frame{c, 0})
			continue
		}
		d.post[top.b.Index] = clock
		clock++
		stack = stack[:len(stack)-1]
	}
	sc.tstack = stack
	return d
}

// Reachable reports whether b is reachable from the entry block.
func (d *DomTree) Reachable(b *Block) bool {
	return b != nil && b.Index >= 0 && b.Index < len(d.order) && d.order[b.Index] >= 0
}

// Idom returns b's immediate dominator (nil for the entry block and
// unreachable blocks).
func (d *DomTree) Idom(b *Block) *Block {
	if !d.Reachable(b) {
		return nil
	}
	return d.idom[b.Index]
}

// Children returns the blocks b immediately dominates.
func (d *DomTree) Children(b *Block) []*Block {
	if !d.Reachable(b) {
		return nil
	}
	return d.kids[b.Index]
}

// RPO returns the reachable blocks in reverse postorder.
func (d *DomTree) RPO() []*Block { return d.rpo }

// PredsOf returns b's predecessors (one entry per edge).
func (d *DomTree) PredsOf(b *Block) []*Block {
	if b == nil || b.Index < 0 || b.Index >= len(d.preds) {
		return nil
	}
	return d.preds[b.Index]
}

// Dominates reports whether a dominates b (every block dominates itself).
// Unreachable blocks are dominated by every block.
func (d *DomTree) Dominates(a, b *Block) bool {
	if !d.Reachable(b) {
		return true
	}
	if !d.Reachable(a) {
		return false
	}
	return d.pre[a.Index] <= d.pre[b.Index] && d.post[b.Index] <= d.post[a.Index]
}

// Frontiers returns the dominance frontier of every block, indexed by
// Block.Index.
func (d *DomTree) Frontiers() [][]*Block {
	df := make([][]*Block, len(d.idom))
	for _, b := range d.rpo {
		ps := d.preds[b.Index]
		if len(ps) < 2 {
			continue
		}
		for _, p := range ps {
			for r := p; r != nil && r != d.idom[b.Index] && d.Reachable(r); r = d.idom[r.Index] {
				l := df[r.Index]
				if len(l) == 0 || l[len(l)-1] != b {
					df[r.Index] = append(l, b)
				}
			}
		}
	}
	return df
}
