package target_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/target"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		triple  string
		want    string // canonical triple, or "" for an error
		wantErr string
	}{
		{"x86_64-unknown-linux-gnu", "x86_64-unknown-linux-gnu", ""},
		{"x86_64-pc-linux-gnu", "x86_64-unknown-linux-gnu", ""},
		{"x86_64-linux-gnu", "x86_64-unknown-linux-gnu", ""},
		{"amd64-unknown-linux", "x86_64-unknown-linux-gnu", ""},
		{"aarch64-unknown-linux-gnu", "", `unsupported target "aarch64-unknown-linux-gnu"`},
		{"x86_64-apple-darwin", "", `unsupported target "x86_64-apple-darwin"`},
		{"x86_64", "", "not a target triple"},
		{"", "", "not a target triple"},
	}
	for _, tc := range tests {
		t.Run(tc.triple, func(t *testing.T) {
			tg, err := target.Lookup(tc.triple)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "x86_64-unknown-linux-gnu") {
					t.Fatalf("err = %v, want %q and the supported list", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tg.Triple != tc.want || tg.Arch == nil || tg.Backend == nil {
				t.Fatalf("got %+v", tg)
			}
		})
	}
}

func TestHost(t *testing.T) {
	tg, err := target.Host()
	if runtime.GOARCH != "amd64" || runtime.GOOS != "linux" {
		if err == nil || !strings.Contains(err.Error(), runtime.GOARCH) {
			t.Fatalf("host %s/%s: err = %v, want an error naming it", runtime.GOOS, runtime.GOARCH, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if tg.Arch.Name() != "x86-64" {
		t.Errorf("host arch %s", tg.Arch.Name())
	}
}

const src = `define double @twice(double %x) {
entry:
  %y = fadd double %x, %x
  ret double %y
}
`

// TestBackend compiles through the target's backend, whole-module and
// streamed, and reads the object back with the ELF reader, which finds
// the architecture the target registered.
func TestBackend(t *testing.T) {
	tg, err := target.Lookup("x86_64-unknown-linux-gnu")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := ir.Parse("t.ll", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tg.Backend.Compile(ctx, m, target.Options{SourceName: "t.ll", Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Functions != 1 || res.Stats.Instructions == 0 || res.Stats.CodeBytes == 0 {
		t.Errorf("stats %+v", res.Stats)
	}
	st, err := tg.Backend.NewStream(ctx, m, target.Options{SourceName: "t.ll"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(m.Funcs[0]); err != nil {
		t.Fatal(err)
	}
	sres, err := st.Finish()
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range [][]byte{res.Object, sres.Object} {
		g, err := elf.Parse("t.o", obj)
		if err != nil {
			t.Fatal(err)
		}
		if g.Arch != tg.Arch {
			t.Errorf("graph arch %v, want the target's", g.Arch.Name())
		}
		att, err := tg.Backend.Listing(obj, false)
		if err != nil || !strings.Contains(att, "twice") || !strings.Contains(att, "addsd") {
			t.Errorf("AT&T listing: %v\n%s", err, att)
		}
		intel, err := tg.Backend.Listing(obj, true)
		if err != nil || intel == att {
			t.Errorf("Intel listing: %v\n%s", err, intel)
		}
	}
}
