package jitlink_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/shared"
)

// TestLayoutRejectsHugeBlocks checks that layout's size arithmetic is
// checked: a zero-fill block whose size wraps the segment or TLS image
// offset around 2^64 is an error naming the section, not a small segment
// (issue 14, item 7).
func TestLayoutRejectsHugeBlocks(t *testing.T) {
	tests := []struct {
		name  string
		sec   string
		flags jitlink.SectionFlags
		first uint64 // size of a block placed before the huge one
		size  uint64
		want  string
	}{
		{"bss wraps", ".bss", 0, 16, ^uint64(0) - 7, "section .bss: segment too large"},
		{"bss beyond limit", ".bss", 0, 0, 1 << 41, "section .bss: segment too large"},
		{"tbss wraps", ".tbss", jitlink.SectionTLS, 16, ^uint64(0) - 7, "section .tbss: TLS image too large"},
		{"tbss beyond limit", ".tbss", jitlink.SectionTLS, 0, 1 << 41, "section .tbss: TLS image too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := jitlink.NewLinkGraph("t", amd64.Arch)
			text := g.AddSection(".text", shared.ProtRead|shared.ProtExec, 0)
			main := g.AddContentBlock(text, []byte{0xc3}, 16, 0)
			g.AddDefinedSymbol(main, 0, "main", 1, jitlink.LinkageStrong, jitlink.ScopeDefault, true, true)
			sec := g.AddSection(tc.sec, shared.ProtRead|shared.ProtWrite, tc.flags)
			if tc.first > 0 {
				b := g.AddZeroFillBlock(sec, tc.first, 8, 0)
				g.AddDefinedSymbol(b, 0, "first", tc.first, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
			}
			b := g.AddZeroFillBlock(sec, tc.size, 8, 0)
			g.AddDefinedSymbol(b, 0, "huge", 0, jitlink.LinkageStrong, jitlink.ScopeDefault, false, true)
			mm := jitlinktest.NewMemoryManager(0x100000)
			err := jitlink.Link(context.Background(), g, &jitlinktest.Context{MM: mm})
			if err == nil {
				t.Fatalf("linked; requests %+v", mm.Requests)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}
