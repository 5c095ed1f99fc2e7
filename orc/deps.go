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
// from X and reaching X are merged into the largest of them.

type depNode struct {
	syms  []*symbolEntry
	deps  map[*symbolEntry]struct{}
	mark  uint64 // forward-search epoch
	bmark uint64 // backward-search epoch
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
	// Forward: nodes reachable from n.
	es.epoch++
	fwd := es.epoch
	n.mark = fwd
	stack := []*depNode{n}
	reach := 1
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for d := range m.deps {
			if o := d.node; o != nil && o.mark != fwd {
				o.mark = fwd
				reach++
				stack = append(stack, o)
			}
		}
	}
	if reach == 1 {
		return n
	}
	// Backward within the forward set: the strongly connected component
	// of n.
	es.epoch++
	bwd := es.epoch
	n.bmark = bwd
	scc := []*depNode{n}
	stack = append(stack[:0], n)
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range m.syms {
			for o := range s.dependants {
				if o.mark == fwd && o.bmark != bwd {
					o.bmark = bwd
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
