package jitlinktest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/shared"
)

// TestContextLookupExternals checks that names resolve from Symbols first
// and then through Lookup (asked once, in sorted order), and that only
// required names are reported missing.
func TestContextLookupExternals(t *testing.T) {
	process := map[string]shared.ExecutorAddr{"puts": 0x500, "abort": 0x600}
	var asked [][]string
	lookup := func(ctx context.Context, names []string) ([]shared.ExecutorAddr, error) {
		asked = append(asked, slices.Clone(names))
		addrs := make([]shared.ExecutorAddr, len(names))
		for i, n := range names {
			addrs[i] = process[n]
		}
		return addrs, nil
	}
	tests := []struct {
		name    string
		lookup  func(context.Context, []string) ([]shared.ExecutorAddr, error)
		syms    map[string]jitlink.SymbolLookupFlags
		want    map[string]shared.ExecutorAddr
		asked   string // names passed to Lookup, sorted, or "" when not called
		wantErr string
	}{
		{
			name:  "map then process",
			syms:  map[string]jitlink.SymbolLookupFlags{"own": jitlink.LookupRequired, "puts": jitlink.LookupRequired, "abort": jitlink.LookupWeak},
			want:  map[string]shared.ExecutorAddr{"own": 0x100, "puts": 0x500, "abort": 0x600},
			asked: "abort puts",
		},
		{
			name:  "weak missing is left out",
			syms:  map[string]jitlink.SymbolLookupFlags{"gone": jitlink.LookupWeak, "own": jitlink.LookupRequired},
			want:  map[string]shared.ExecutorAddr{"own": 0x100},
			asked: "gone",
		},
		{
			name:    "required missing",
			syms:    map[string]jitlink.SymbolLookupFlags{"zz": jitlink.LookupRequired, "gone": jitlink.LookupRequired, "puts": jitlink.LookupRequired},
			asked:   "gone puts zz",
			wantErr: "undefined symbols: [gone zz]",
		},
		{
			name:    "no Lookup",
			lookup:  func(context.Context, []string) ([]shared.ExecutorAddr, error) { panic("not set") },
			syms:    map[string]jitlink.SymbolLookupFlags{"puts": jitlink.LookupRequired},
			wantErr: "undefined symbols: [puts]",
		},
		{
			name: "Lookup fails",
			lookup: func(context.Context, []string) ([]shared.ExecutorAddr, error) {
				return nil, errors.New("executor lost")
			},
			syms:    map[string]jitlink.SymbolLookupFlags{"puts": jitlink.LookupRequired},
			wantErr: "executor lost",
		},
		{
			name: "Lookup answers short",
			lookup: func(context.Context, []string) ([]shared.ExecutorAddr, error) {
				return nil, nil
			},
			syms:    map[string]jitlink.SymbolLookupFlags{"puts": jitlink.LookupRequired},
			wantErr: "returned 0 addresses for 1 names",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked = nil
			c := &Context{Symbols: map[string]shared.ExecutorAddr{"own": 0x100}, Lookup: lookup}
			if tt.lookup != nil {
				c.Lookup = tt.lookup
			}
			if tt.name == "no Lookup" {
				c.Lookup = nil
			}
			got, err := c.LookupExternals(context.Background(), tt.syms)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tt.asked != "" && (len(asked) != 1 || strings.Join(asked[0], " ") != tt.asked) {
				t.Errorf("Lookup asked %q, want once for %q", asked, tt.asked)
			}
			if tt.wantErr != "" {
				return
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for n, a := range tt.want {
				if got[n].Addr != a {
					t.Errorf("%s = %v, want %v", n, got[n].Addr, a)
				}
			}
		})
	}
}

// TestContextHooks checks that ResolveTLS uses AllocateTLS when no fixed
// layout is set and that NotifyResolved calls OnResolved after filling in
// Resolved, passing its error on.
func TestContextHooks(t *testing.T) {
	ctx := context.Background()
	c := &Context{AllocateTLS: func(ctx context.Context, tmpl jitlink.TLSTemplate) (jitlink.TLSLayout, error) {
		return jitlink.TLSLayout{Static: true, TPOffset: -int64(tmpl.Size)}, nil
	}}
	l, err := c.ResolveTLS(ctx, nil, jitlink.TLSTemplate{Size: 64, Align: 8})
	if err != nil || !l.Static || l.TPOffset != -64 {
		t.Errorf("ResolveTLS = %+v, %v; want the AllocateTLS layout", l, err)
	}
	fixed := jitlink.TLSLayout{TPOffset: -16}
	c.TLS = &fixed
	if l, err := c.ResolveTLS(ctx, nil, jitlink.TLSTemplate{Size: 64}); err != nil || l != fixed {
		t.Errorf("ResolveTLS with TLS set = %+v, %v; want %+v", l, err, fixed)
	}

	g := jitlink.NewLinkGraph("g", nil)
	sec := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	b := g.AddContentBlock(sec, []byte{0xc3}, 1, 0)
	g.AddDefinedSymbol(b, 0, "f", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	stop := errors.New("stop")
	var seen shared.ExecutorAddr
	c.OnResolved = func(ctx context.Context, g *jitlink.LinkGraph) error {
		seen = c.Resolved["f"]
		return stop
	}
	b.Addr = 0x4000
	if err := c.NotifyResolved(ctx, g); !errors.Is(err, stop) {
		t.Errorf("NotifyResolved = %v, want OnResolved's error", err)
	}
	if seen != 0x4000 {
		t.Errorf("OnResolved saw f at %v, want 0x4000", seen)
	}
}
