package orc

// The dependence graph.
//
// Nodes are groups of emitted-but-not-Ready symbols (one node per
// SymbolDependenceGroup, merged when they form a cycle). A node's deps are
// the symbols it still waits for: symbols not yet emitted, or emitted
// symbols of other nodes. Each symbol records the nodes waiting for it
// (dependants). Invariant: the graph of nodes is acyclic, because every
// cycle is collapsed into one node when the node closing it is added.
//
// A node becomes Ready when its deps set is empty; making a node Ready
// removes its symbols from their dependants' deps (O(edges) in total).
// When a node X is added, a cycle through X exists only if X has an edge to
// an emitted node and some node waits for X; then the nodes both reachable
// from X and reaching X are merged into the largest of them. The search
// runs forward and backward alternately and stops when either side is
// exhausted, so its cost is bounded by the smaller of the two sets.

type depNode struct {
	syms  []*symbolEntry
	deps  map[*symbolEntry]struct{}
	mark  uint64 // forward-search epoch
	bmark uint64 // backward-search epoch
	// one holds syms of a one-symbol group (a lazily compiled
	// function): the node and its list are one allocation.
	one [1]*symbolEntry
}

// addNodeLocked wires n's edges, collapses any cycle through n, and
// returns the node that now holds n's symbols.
func (es *ExecutionSession) addNodeLocked(n *depNode) *depNode {
	for _, s := range n.syms {
		s.node = n
	}
	for d := range n.deps {
		if d.dependants == nil {
			d.dependants = make(map[*depNode]struct{})
		}
		d.dependants[n] = struct{}{}
	}
	// Quick exits: a cycle needs an edge into an emitted node and a
	// waiter on one of n's symbols.
	toEmitted := false
	for d := range n.deps {
		if d.node != nil {
			toEmitted = true
			break
		}
	}
	if !toEmitted {
		return n
	}
	waited := false
	for _, s := range n.syms {
		if len(s.dependants) > 0 {
			waited = true
			break
		}
	}
	if !waited {
		return n
	}
	// A cycle through n exists iff the set F of nodes reachable from n and
	// the set B of nodes reaching n share a node other than n; the cycle
	// (the strongly connected component of n) is then F∩B. Search both
	// directions alternately, one node at a time, until one side is
	// exhausted: the cost is bounded by the smaller side. Then search the
	// other direction only within the exhausted side.
	es.epoch++
	fwd := es.epoch
	es.epoch++
	bwd := es.epoch
	n.mark, n.bmark = fwd, bwd
	fstack := []*depNode{n}
	bstack := []*depNode{n}
	fsize, bsize := 1, 1
	for len(fstack) > 0 && len(bstack) > 0 {
		m := fstack[len(fstack)-1]
		fstack = fstack[:len(fstack)-1]
		for d := range m.deps {
			if o := d.node; o != nil && o.mark != fwd {
				o.mark = fwd
				fsize++
				fstack = append(fstack, o)
			}
		}
		m = bstack[len(bstack)-1]
		bstack = bstack[:len(bstack)-1]
		for _, s := range m.syms {
			for o := range s.dependants {
				if o.bmark != bwd {
					o.bmark = bwd
					bsize++
					bstack = append(bstack, o)
				}
			}
		}
	}
	var scc []*depNode
	if len(fstack) == 0 {
		// F is complete: walk backward from n inside F.
		if fsize == 1 {
			return n
		}
		es.epoch++
		b2 := es.epoch
		n.bmark = b2
		scc = append(scc, n)
		stack := append(bstack[:0], n)
		for len(stack) > 0 {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, s := range m.syms {
				for o := range s.dependants {
					if o.mark == fwd && o.bmark != b2 {
						o.bmark = b2
						scc = append(scc, o)
						stack = append(stack, o)
					}
				}
			}
		}
	} else {
		// B is complete: walk forward from n inside B.
		if bsize == 1 {
			return n
		}
		es.epoch++
		f2 := es.epoch
		n.mark = f2
		scc = append(scc, n)
		stack := append(fstack[:0], n)
		for len(stack) > 0 {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for d := range m.deps {
				if o := d.node; o != nil && o.bmark == bwd && o.mark != f2 {
					o.mark = f2
					scc = append(scc, o)
					stack = append(stack, o)
				}
			}
		}
	}
	if len(scc) == 1 {
		return n
	}
	return mergeNodes(scc)
}

// mergeNodes collapses the cycle scc into its largest node.
func mergeNodes(scc []*depNode) *depNode {
	root := scc[0]
	for _, m := range scc[1:] {
		if len(m.syms) > len(root.syms) {
			root = m
		}
	}
	for _, m := range scc {
		if m == root {
			continue
		}
		for _, s := range m.syms {
			s.node = root
		}
		root.syms = append(root.syms, m.syms...)
	}
	deps := make(map[*symbolEntry]struct{})
	for _, m := range scc {
		for d := range m.deps {
			delete(d.dependants, m)
			if d.node != root {
				deps[d] = struct{}{}
			}
		}
		if m != root {
			m.syms, m.deps = nil, nil
		}
	}
	for d := range deps {
		d.dependants[root] = struct{}{}
	}
	root.deps = deps
	return root
}

// makeReadyLocked marks n's symbols Ready and, transitively, every node
// left with nothing to wait for.
func (es *ExecutionSession) makeReadyLocked(n *depNode, acts *actions) {
	work := []*depNode{n}
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		for _, s := range n.syms {
			s.node = nil
			if s.err != nil {
				continue
			}
			s.state = SymbolStateReady
			notifyQueriesLocked(s, acts)
			for o := range s.dependants {
				delete(o.deps, s)
				if len(o.deps) == 0 {
					work = append(work, o)
				}
			}
			s.dependants = nil
		}
		n.syms, n.deps = nil, nil
	}
}

// failSymbolsLocked fails start and everything that waits for it (nodes
// depending on a failed symbol, and the other symbols of their nodes):
// every query waiting on one of them gets one FailedToMaterializeError
// naming all of them and the cause.
func (es *ExecutionSession) failSymbolsLocked(start []*symbolEntry, cause error, acts *actions) *FailedToMaterializeError {
	seen := make(map[*symbolEntry]bool, len(start))
	var all []*symbolEntry
	work := append([]*symbolEntry(nil), start...)
	for len(work) > 0 {
		e := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[e] {
			continue
		}
		seen[e] = true
		if e.err != nil && !e.removed {
			continue // failed earlier; already detached
		}
		all = append(all, e)
		if n := e.node; n != nil {
			for d := range n.deps {
				delete(d.dependants, n)
			}
			n.deps = nil
			work = append(work, n.syms...)
		}
		for o := range e.dependants {
			work = append(work, o.syms...)
		}
		e.dependants = nil
	}
	fe := newFailedError(all, cause)
	for _, e := range all {
		e.node = nil
		e.err = fe
		e.mr = nil
		e.umu = nil
		for _, q := range e.queries {
			q.failLocked(fe, acts)
		}
		e.queries = nil
	}
	return fe
}
