package passes

import "github.com/gorc-jit/gorc/ir"

// walkDom visits the reachable blocks of dt in dominator-tree preorder
// (every block after its immediate dominator) and scopes what the visits
// learn to the subtree where it holds: visit may append entries to *log,
// and when the walk leaves a block's subtree it pops the entries logged
// since it entered that block, newest first, and hands each to undo.
// GVN's value table and mem2reg's current value of each alloca are such
// facts: valid in the blocks the defining block dominates, and no further.
//
// The walk keeps an explicit stack, so deep dominator trees (long chains
// of blocks) cannot exhaust the goroutine stack.
func walkDom[U any](dt *ir.DomTree, log *[]U, visit func(*ir.Block), undo func(U)) {
	rpo := dt.RPO()
	if len(rpo) == 0 {
		return
	}
	type frame struct {
		b    *ir.Block
		mark int // len(*log) when b was entered
		kid  int // next child of b to enter
	}
	stack := []frame{{b: rpo[0], mark: len(*log)}}
	visit(rpo[0])
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		kids := dt.Children(top.b)
		if top.kid < len(kids) {
			c := kids[top.kid]
			top.kid++
			stack = append(stack, frame{b: c, mark: len(*log)})
			visit(c)
			continue
		}
		l := *log
		for len(l) > top.mark {
			u := l[len(l)-1]
			l = l[:len(l)-1]
			undo(u)
		}
		*log = l
		stack = stack[:len(stack)-1]
	}
}
