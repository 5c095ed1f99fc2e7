package orc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// graphModel drives a random program through the session one step at a
// time and checks every symbol's state, and every pending query, against a
// brute-force reference after each step.
type graphModel struct {
	t       testing.TB
	es      *orc.ExecutionSession
	jds     []*orc.JITDylib
	n       int
	jdOf    []int
	deps    [][]int
	split   []bool // two symbols in two groups (the second depends on the first)
	mrs     []*orc.MaterializationResponsibility
	ready   []chan asyncResult
	emit    []bool // emitted (attempted)
	failed  []bool // failed explicitly
	removed []bool // tracker removed
	sticky  []bool // was Ready (stays Ready even if a dependency is removed later)
	rts     []*orc.ResourceTracker
}

func symName(u, k int) string { return fmt.Sprintf("u%d_%d", u, k) }

func runGraphModel(t testing.TB, data []byte) {
	if len(data) < 2 {
		return
	}
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	m := &graphModel{t: t, es: orc.NewExecutionSession()}
	defer m.es.EndSession(context.Background())
	m.n = 2 + next()%14
	ndylibs := 1 + next()%3
	for i := 0; i < ndylibs; i++ {
		jd, err := m.es.CreateJITDylib(fmt.Sprintf("J%d", i))
		if err != nil {
			t.Fatal(err)
		}
		m.jds = append(m.jds, jd)
	}
	m.jdOf = make([]int, m.n)
	m.deps = make([][]int, m.n)
	m.split = make([]bool, m.n)
	m.mrs = make([]*orc.MaterializationResponsibility, m.n)
	m.ready = make([]chan asyncResult, m.n)
	m.emit = make([]bool, m.n)
	m.failed = make([]bool, m.n)
	m.removed = make([]bool, m.n)
	m.sticky = make([]bool, m.n)
	m.rts = make([]*orc.ResourceTracker, m.n)
	for u := 0; u < m.n; u++ {
		b := next()
		m.jdOf[u] = b % ndylibs
		m.split[u] = b&0x80 != 0
		for k := (b >> 2) % 4; k > 0; k-- {
			if d := next() % m.n; d != u {
				m.deps[u] = append(m.deps[u], d)
			}
		}
		u := u
		rt, err := m.jds[m.jdOf[u]].CreateResourceTracker()
		if err != nil {
			t.Fatal(err)
		}
		m.rts[u] = rt
		syms := orc.SymbolFlagsMap{m.es.Intern(symName(u, 0)): orc.Exported}
		if m.split[u] {
			syms[m.es.Intern(symName(u, 1))] = orc.Exported
		}
		err = m.jds[m.jdOf[u]].Define(&orc.SimpleMaterializationUnit{
			UnitName: fmt.Sprintf("unit%d", u), Syms: syms,
			MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) { m.mrs[u] = r },
		}, rt)
		if err != nil {
			t.Fatal(err)
		}
	}
	var order orc.JITDylibSearchOrder
	for _, jd := range m.jds {
		order = append(order, orc.JITDylibSearchEntry{JD: jd, Flags: orc.MatchAllSymbols})
	}
	// Start every unit, resolve it, and leave a Ready query on each.
	for u := 0; u < m.n; u++ {
		m.ready[u] = lookupAsync(m.es, order, orc.SymbolStateReady, symName(u, 0))
		if m.mrs[u] == nil {
			t.Fatalf("unit %d not materialized by lookup", u)
		}
	}
	for u := 0; u < m.n; u++ {
		res := orc.SymbolMap{}
		for n := range m.mrs[u].Symbols() {
			res[n] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x1000 + u)}
		}
		if err := m.mrs[u].NotifyResolved(res); err != nil {
			t.Fatal(err)
		}
	}
	m.check("start")
	// Emit (or fail) in a permutation chosen by the data.
	perm := make([]int, m.n)
	for i := range perm {
		perm[i] = i
	}
	for i := m.n - 1; i > 0; i-- {
		j := next() % (i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	for _, u := range perm {
		if b := next(); b%5 == 0 {
			// Remove some unit's tracker (emitted or not).
			v := next() % m.n
			if !m.removed[v] {
				m.removed[v] = true
				if err := m.rts[v].Remove(context.Background()); err != nil {
					t.Fatal(err)
				}
				m.check(fmt.Sprintf("remove %d", v))
			}
		}
		if m.removed[u] {
			continue
		}
		if next()%7 == 0 {
			m.failed[u] = true
			m.mrs[u].FailMaterialization(errors.New("injected"))
			m.check(fmt.Sprintf("fail %d", u))
			continue
		}
		m.emit[u] = true
		g := orc.SymbolDependenceGroup{Symbols: []orc.SymbolName{m.es.Intern(symName(u, 0))}, Dependencies: map[*orc.JITDylib][]orc.SymbolName{}}
		for _, d := range m.deps[u] {
			jd := m.jds[m.jdOf[d]]
			g.Dependencies[jd] = append(g.Dependencies[jd], m.es.Intern(symName(d, 0)))
		}
		groups := []orc.SymbolDependenceGroup{g}
		if m.split[u] {
			// The second symbol depends on the first; list it first.
			g2 := orc.SymbolDependenceGroup{Symbols: []orc.SymbolName{m.es.Intern(symName(u, 1))},
				Dependencies: map[*orc.JITDylib][]orc.SymbolName{m.jds[m.jdOf[u]]: {m.es.Intern(symName(u, 0))}}}
			groups = []orc.SymbolDependenceGroup{g2, g}
		}
		// Emitting fails if a dependency was removed (it is no longer
		// defined) or the unit would depend on a failed symbol.
		expectErr := m.reachesFailure(u)
		for _, d := range m.deps[u] {
			expectErr = expectErr || m.removed[d]
		}
		err := m.mrs[u].NotifyEmitted(groups)
		if (err != nil) != expectErr {
			t.Fatalf("emit %d: err=%v, reference expects error=%v", u, err, expectErr)
		}
		var fe *orc.FailedToMaterializeError
		if err != nil && !errors.As(err, &fe) {
			// A dependency was removed: the emit is refused and the
			// unit gives up.
			m.emit[u] = false
			m.failed[u] = true
			m.mrs[u].FailMaterialization(err)
		}
		m.check(fmt.Sprintf("emit %d", u))
	}
}

// reach returns the units reachable from u through emitted units' edges.
func (m *graphModel) reach(u int) []int {
	seen := make([]bool, m.n)
	var out []int
	work := []int{u}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
		if m.emit[v] && !m.removed[v] && !m.sticky[v] {
			work = append(work, m.deps[v]...)
		}
	}
	return out
}

func (m *graphModel) reachesFailure(u int) bool {
	if m.sticky[u] {
		return false
	}
	for _, v := range m.reach(u) {
		// Edges to symbols that were Ready are dropped: removing them
		// later does not affect their dependants.
		if m.failed[v] || (m.removed[v] && !m.sticky[v]) {
			return true
		}
	}
	return false
}

func (m *graphModel) want(u int) string {
	if m.removed[u] {
		return "absent"
	}
	if m.sticky[u] {
		return "Ready"
	}
	if m.reachesFailure(u) {
		return "FAILED"
	}
	if !m.emit[u] {
		return "Resolved"
	}
	for _, v := range m.reach(u) {
		if !m.emit[v] {
			return "Emitted"
		}
	}
	return "Ready"
}

func (m *graphModel) check(step string) {
	wants := make([]string, m.n)
	for u := range wants {
		wants[u] = m.want(u)
	}
	for u, w := range wants {
		m.sticky[u] = m.sticky[u] || w == "Ready"
	}
	for u := 0; u < m.n; u++ {
		want := wants[u]
		for k := 0; k < 1+btoi(m.split[u]); k++ {
			if got := stateOf(m.jds[m.jdOf[u]], symName(u, k)); got != want {
				m.t.Fatalf("after %s: %s is %s, want %s (deps %v, emitted %v, failed %v)", step, symName(u, k), got, want, m.deps, m.emit, m.failed)
			}
		}
		if m.ready[u] == nil {
			continue // completed and checked at an earlier step
		}
		done := !pending(m.ready[u])
		if done != (want == "Ready" || want == "FAILED" || want == "absent") {
			m.t.Fatalf("after %s: Ready query of unit %d done=%v, state %s", step, u, done, want)
		}
		if done {
			r := <-m.ready[u]
			m.ready[u] = nil
			if (r.err != nil) != (want == "FAILED" || want == "absent") {
				m.t.Fatalf("after %s: Ready query of unit %d: %v, want %s", step, u, r.err, want)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FuzzDependenceGraph checks the dependence graph (cycles, merging, failure
// propagation) against a brute-force model on programs built from the
// input bytes.
func FuzzDependenceGraph(f *testing.F) {
	f.Add([]byte{3, 0, 0x04, 1, 0x04, 2, 0x04, 0, 1, 1, 1, 1}) // 3-cycle
	f.Add([]byte{6, 2, 0x0c, 1, 2, 0x8c, 3, 4, 0x44, 0, 0x0c, 5, 1, 0x84, 2, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{10, 1, 0x8d, 3, 4, 5, 0x0c, 6, 0x04, 0, 0x84, 9, 0x08, 2, 3, 0x00, 0x04, 7, 0x8c, 1, 2, 3, 0x04, 8, 0x04, 2, 7, 0, 14, 3, 5, 1, 0, 9, 4, 6, 7, 21, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		runGraphModel(t, data)
	})
}

func TestDependenceGraphModel(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	iters := 250
	if testing.Short() {
		iters = 50
	}
	for i := 0; i < iters; i++ {
		data := make([]byte, 64)
		rng.Read(data)
		runGraphModel(t, data)
		if t.Failed() {
			t.Fatalf("failing input: %v", data)
		}
	}
}
