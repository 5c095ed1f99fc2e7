package jitlink_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// resolvesNothing answers every lookup with no definitions, so that the
// linker itself reports the undefined symbols.
type resolvesNothing struct{ *jitlinktest.Context }

func (resolvesNothing) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	return map[string]jitlink.ExternalDef{}, nil
}

// TestUndefinedSymbolsErrorIsShort checks that 1,000 undefined symbols
// with 100 KB names give a short error: at most 20 names, each clipped
// (issue 14, item 9).
func TestUndefinedSymbolsErrorIsShort(t *testing.T) {
	g := jitlink.NewLinkGraph("t.o", amd64.Arch)
	text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
	b := g.AddContentBlock(text, make([]byte, 5000), 16, 0)
	g.AddDefinedSymbol(b, 0, "main", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
	for i := range 1000 {
		ext := g.AddExternalSymbol(fmt.Sprintf("%04d%s", i, strings.Repeat("s", 100000)), false)
		b.AddEdge(amd64.Pointer64, uint64(i*4), ext, 0)
	}
	err := jitlink.Link(context.Background(), g, resolvesNothing{&jitlinktest.Context{MM: jitlinktest.NewMemoryManager(0x100000)}})
	if err == nil {
		t.Fatal("linked")
	}
	msg := err.Error()
	if len(msg) > 3000 || !strings.HasPrefix(msg, "jitlink: t.o: undefined symbols: [0000sss") || !strings.HasSuffix(msg, " and 980 more]") {
		t.Errorf("error of %d bytes: %.3000q", len(msg), msg)
	}
}
