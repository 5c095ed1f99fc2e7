package kaleidoscope

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
)

// FuzzKaleidoscope feeds arbitrary text to the lexer, parser and code
// generator: they must not panic or hang, the module they produce must
// verify, and -O2 must keep it valid; so must the pipelined compile, whose
// front end builds SSA directly.
func FuzzKaleidoscope(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.k")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("def binary~ 1 (a b) a ~ b; 1 ~ 2;"))
	f.Add([]byte("var a = 1 in for a = a, a < 3 in a = a * 2;"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		m, diags, err := Compile(context.Background(), "fuzz", []string{"fuzz.k"}, [][]byte{src})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if strings.Contains(d.Msg, "internal") {
				t.Fatal(d)
			}
		}
		if err := ir.Verify(m); err != nil {
			t.Fatalf("generated IR does not verify: %v\n%s", err, m)
		}
		pm := passes.ForLevel(2)
		pm.Verify = true
		if err := pm.Run(context.Background(), m); err != nil {
			t.Fatalf("-O2 broke the IR: %v", err)
		}
		// The pipeline (direct SSA construction, optimiser on another
		// goroutine) verifies every function it optimises.
		if _, _, _, err := CompileOptimized(context.Background(), "fuzz", []string{"fuzz.k"}, [][]byte{src}, passes.ForLevel(2)); err != nil {
			t.Fatalf("pipeline: %v", err)
		}
	})
}
