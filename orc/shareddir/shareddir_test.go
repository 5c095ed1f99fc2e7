package shareddir_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/shareddir"
	"github.com/gorc-jit/gorc/shared"
)

// fakeDir publishes fixed symbols; err, when set, is every lookup's.
type fakeDir struct {
	syms  map[string]shared.ExecutorAddr
	err   error
	calls int
}

func (f *fakeDir) SharedLookup(ctx context.Context, dylibs, names []string, timeout time.Duration) ([]shared.ExecutorAddr, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := make([]shared.ExecutorAddr, len(names))
	for i, n := range names {
		out[i] = f.syms[n]
	}
	return out, nil
}

func TestGenerator(t *testing.T) {
	tests := []struct {
		name    string
		dir     *fakeDir
		lookup  orc.SymbolLookupSet
		want    map[string]shared.ExecutorAddr
		wantErr string
	}{
		{"found", &fakeDir{syms: map[string]shared.ExecutorAddr{"is_odd": 0x1000}}, nil, map[string]shared.ExecutorAddr{"is_odd": 0x1000}, ""},
		{"weak to nothing is zero", &fakeDir{}, nil, map[string]shared.ExecutorAddr{}, ""},
		{"directory error names the dylibs", &fakeDir{err: errors.New("publisher gone")}, nil, nil, `shared dylibs "b", "c": publisher gone`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := orc.NewExecutionSession()
			defer es.EndSession(context.Background())
			jd, err := es.CreateJITDylib("main")
			if err != nil {
				t.Fatal(err)
			}
			g := shareddir.New(tt.dir, []string{"b", "c"}, time.Second)
			jd.AddGenerator(g)
			set := orc.NewSymbolLookupSet().Add(es.Intern("is_odd"), orc.WeaklyReferencedSymbol)
			m, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchAllSymbols, jd), set, orc.SymbolStateReady)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != len(tt.want) {
				t.Fatalf("got %v, want %v", m, tt.want)
			}
			for n, a := range tt.want {
				if m[es.Intern(n)].Addr != a {
					t.Errorf("%s = %v, want %v", n, m[es.Intern(n)].Addr, a)
				}
			}
			if g.Where() != `shared dylibs "b", "c"` {
				t.Errorf("Where = %q", g.Where())
			}
		})
	}
}
