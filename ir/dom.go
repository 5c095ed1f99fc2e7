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
	lt                         []int32 // lengauerTarjan's arrays
	ltPath                     []int32 // its path-compression stack
	ltVertex                   []*Block
	sstack                     []rpoSuccFrame // rpoInto's stack
}

// rpoSuccFrame is a block on rpoInto's stack with its successors (read
// once, not at every step) and the next one to visit.
type rpoSuccFrame struct {
	b     *Block
	succs []*Block
	i     int
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

// DomTree is the dominator tree of a function's reachable blocks. It is
// computed with the Cooper–Harvey–Kennedy iteration over reverse postorder
// (the fastest on the small CFGs of most functions) within a budget of
// steps linear in the CFG's size; a CFG that exceeds it (such as many
// blocks along a long dominator chain branching to one block, quadratic
// for that algorithm) is done again with Lengauer–Tarjan (O(m log n)).
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

// ReversePostorderInto is ReversePostorder into buf's array when it is
// large enough (a caller that orders many functions one after another
// reuses one array).
func ReversePostorderInto(f *Function, buf []*Block) []*Block {
	sc := domPool.Get().(*domScratch)
	post := rpoInto(f, sc, buf)
	domPool.Put(sc)
	return post
}

// NumReachable returns the number of f's blocks reachable from the entry
// (renumbering f's blocks first, as ReversePostorder does), without
// allocating: a pass can check that there is no unreachable block to
// delete.
func NumReachable(f *Function) int {
	f.Renumber()
	if allReachableInOrder(f.Blocks) {
		return len(f.Blocks)
	}
	sc := domPool.Get().(*domScratch)
	sc.rpo = rpoInto(f, sc, sc.rpo)
	n := len(sc.rpo)
	domPool.Put(sc)
	return n
}

// allReachableInOrder reports whether each of blocks (at most 64,
// numbered) is the entry or a successor of an earlier block that is:
// then every block is reachable, and one walk in order, with a word for
// the marks, shows it (a front end's blocks mostly come in that order).
// False says nothing: a block may be reached through a later one.
func allReachableInOrder(blocks []*Block) bool {
	if len(blocks) > 64 {
		return false
	}
	seen := uint64(1)
	for i, b := range blocks {
		if seen&(1<<uint(i)) == 0 {
			return false
		}
		for _, s := range b.Succs() {
			if s != nil && uint(s.Index) < uint(len(blocks)) && blocks[s.Index] == s {
				seen |= 1 << uint(s.Index)
			}
		}
	}
	return true
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
	blocks := f.Blocks
	stack := append(sc.sstack[:0], rpoSuccFrame{blocks[0], blocks[0].Succs(), 0})
	seen[0] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.i < len(top.succs) {
			s := top.succs[top.i]
			top.i++
			if s != nil && uint(s.Index) < uint(len(blocks)) && blocks[s.Index] == s && !seen[s.Index] {
				seen[s.Index] = true
				stack = append(stack, rpoSuccFrame{s, s.Succs(), 0})
			}
			continue
		}
		post = append(post, top.b)
		stack = stack[:len(stack)-1]
	}
	sc.sstack = stack
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
	if !d.cooperHarveyKennedy() {
		clear(d.idom)
		lengauerTarjan(f, d.preds, d.idom, sc)
	}
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
				if len(l) > 0 && l[len(l)-1] == b {
					// An earlier predecessor's walk passed here and went
					// on up to idom(b): the rest is done (without this
					// stop, many predecessors on one dominator chain
					// made the frontiers quadratic).
					break
				}
				df[r.Index] = append(l, b)
			}
		}
	}
	return df
}

// cooperHarveyKennedy computes d.idom with the Cooper–Harvey–Kennedy
// algorithm, giving up (false) once its intersections have walked more
// than a budget linear in the number of blocks and edges.
func (d *DomTree) cooperHarveyKennedy() bool {
	budget := 1024 + 8*len(d.rpo) + 8*len(d.sc.predAll)
	entry := d.rpo[0]
	d.idom[entry.Index] = entry
	intersect := func(a, b *Block) *Block {
		for a != b {
			for d.order[a.Index] > d.order[b.Index] {
				a = d.idom[a.Index]
				budget--
			}
			for d.order[b.Index] > d.order[a.Index] {
				b = d.idom[b.Index]
				budget--
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
				} else if nd = intersect(p, nd); budget < 0 {
					return false
				}
			}
			if nd != nil && d.idom[b.Index] != nd {
				d.idom[b.Index] = nd
				changed = true
			}
		}
	}
	d.idom[entry.Index] = nil
	return true
}

// lengauerTarjan sets idom[b.Index] to the immediate dominator of every
// block reachable from f's entry (nil for the entry and unreachable
// blocks), given the predecessor lists. It is the "simple" version of
// Lengauer and Tarjan's algorithm (path compression without balanced
// linking, O(m log n)), with the depth-first search and the compression
// done with explicit stacks so that no CFG makes it recurse.
//
// Vertices are numbered 1..n in DFS preorder; 0 means none.
func lengauerTarjan(f *Function, preds [][]*Block, idom []*Block, sc *domScratch) {
	nb := len(f.Blocks)
	valid := func(s *Block) bool { return s != nil && s.Index >= 0 && s.Index < nb && f.Blocks[s.Index] == s }
	m := nb + 1
	lt := sized(sc.lt, 8*m)
	sc.lt = lt
	num := lt[:nb]                  // by Block.Index: DFS number
	parent := lt[m : 2*m]           // by number: DFS tree parent
	semi := lt[2*m : 3*m]           // by number: semidominator's number
	ancestor := lt[3*m : 4*m]       // by number: forest link (0: a root)
	label := lt[4*m : 5*m]          // by number: min-semi vertex on the path
	dom := lt[5*m : 6*m]            // by number: immediate dominator
	bucket := lt[6*m : 7*m]         // by number: first vertex of its bucket
	bnext := lt[7*m : 8*m]          // by number: next vertex in the same bucket
	vertex := sized(sc.ltVertex, m) // by number: the block
	sc.ltVertex = vertex

	// Depth-first search from the entry, numbering in preorder.
	var cnt int32
	stack := append(sc.stack[:0], rpoFrame{f.Blocks[0], 0})
	cnt++
	num[0], vertex[cnt], semi[cnt], label[cnt] = cnt, f.Blocks[0], cnt, cnt
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		succs := top.b.Succs()
		if top.i >= len(succs) {
			stack = stack[:len(stack)-1]
			continue
		}
		s := succs[top.i]
		top.i++
		if !valid(s) || num[s.Index] != 0 {
			continue
		}
		cnt++
		num[s.Index], vertex[cnt], semi[cnt], label[cnt] = cnt, s, cnt, cnt
		parent[cnt] = num[top.b.Index]
		stack = append(stack, rpoFrame{s, 0})
	}
	sc.stack = stack

	path := sc.ltPath[:0]
	// eval returns the vertex with the smallest semidominator on the
	// forest path from v to its root (excluding the root), compressing
	// the path.
	eval := func(v int32) int32 {
		if ancestor[v] == 0 {
			return v
		}
		path = path[:0]
		for u := v; ancestor[ancestor[u]] != 0; u = ancestor[u] {
			path = append(path, u)
		}
		for i := len(path) - 1; i >= 0; i-- {
			u := path[i]
			a := ancestor[u]
			if semi[label[a]] < semi[label[u]] {
				label[u] = label[a]
			}
			ancestor[u] = ancestor[a]
		}
		return label[v]
	}
	for w := cnt; w >= 2; w-- {
		for _, p := range preds[vertex[w].Index] {
			v := num[p.Index]
			if v == 0 {
				continue // an unreachable predecessor
			}
			if u := eval(v); semi[u] < semi[w] {
				semi[w] = semi[u]
			}
		}
		s := semi[w]
		bnext[w], bucket[s] = bucket[s], w
		pw := parent[w]
		ancestor[w] = pw
		for v := bucket[pw]; v != 0; v = bnext[v] {
			if u := eval(v); semi[u] < semi[v] {
				dom[v] = u
			} else {
				dom[v] = pw
			}
		}
		bucket[pw] = 0
	}
	sc.ltPath = path
	for w := int32(2); w <= cnt; w++ {
		if dom[w] != semi[w] {
			dom[w] = dom[dom[w]]
		}
		idom[vertex[w].Index] = vertex[dom[w]]
	}
}
