package lazy_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/lazy"
	"github.com/gorc-jit/gorc/shared"
)

// absAdder is an ObjectAdder that "links" an object by defining the
// functions its compile was asked for as absolute symbols.
type absAdder struct {
	es   *orc.ExecutionSession
	mu   sync.Mutex
	next []string // the functions of the object being added
}

func (a *absAdder) Add(jd *orc.JITDylib, rt *orc.ResourceTracker, _ string, _ []byte) (orc.SymbolName, error) {
	a.mu.Lock()
	defs := orc.SymbolMap{}
	for i, n := range a.next {
		defs[a.es.Intern(n)] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(0x1000 + 16*i), Flags: orc.Exported | orc.Callable}
	}
	a.mu.Unlock()
	return orc.SymbolName{}, jd.Define(orc.AbsoluteSymbols(defs), rt)
}

// TestWholePartition: a unit partitioned with Whole compiles every
// function it owns in one compile, whichever one is looked up first, and
// hands nothing back; without a partition function (nil), only the
// function looked up is compiled and the rest is compiled when looked up.
func TestWholePartition(t *testing.T) {
	for _, tt := range []struct {
		name string
		part lazy.PartitionFunc
		want [][]string // the compiles after looking up f1, then f0
	}{
		{"whole", lazy.Whole, [][]string{{"f0", "f1", "f2"}}},
		{"requested", nil, [][]string{{"f1"}, {"f0"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := orc.NewExecutionSession()
			defer es.EndSession(context.Background())
			jd, err := es.CreateJITDylib("batch")
			if err != nil {
				t.Fatal(err)
			}
			impl, err := es.CreateJITDylib("impl")
			if err != nil {
				t.Fatal(err)
			}
			add := &absAdder{es: es}
			var compiles [][]string
			syms := orc.SymbolFlagsMap{}
			for _, n := range []string{"f0", "f1", "f2"} {
				syms[es.Intern(n)] = orc.Exported | orc.Callable
			}
			u := lazy.CompileOnDemand("batch", add, impl, nil, syms, tt.part, func(_ context.Context, fns []orc.SymbolName) (string, []byte, error) {
				var names []string
				for _, f := range fns {
					names = append(names, f.String())
				}
				slices.Sort(names)
				compiles = append(compiles, names)
				add.mu.Lock()
				add.next = names
				add.mu.Unlock()
				return "obj", nil, nil
			})
			if err := jd.Define(u, nil); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, f := range []string{"f1", "f0"} {
				if _, err := es.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, jd), orc.NewSymbolLookupSet(es.Intern(f)), orc.SymbolStateReady); err != nil {
					t.Fatalf("lookup %s: %v", f, err)
				}
			}
			if !slices.EqualFunc(compiles, tt.want, slices.Equal[[]string]) {
				t.Errorf("compiles %v, want %v", compiles, tt.want)
			}
		})
	}
}
