package passes

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// FuzzPasses runs the -O3 pipeline (every pass) on any IR text that parses and
// verifies: no pass may panic, hang or produce IR that fails to verify.
func FuzzPasses(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.ll")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<14 {
			return
		}
		m, err := ir.Parse("fuzz.ll", src)
		if err != nil || ir.Verify(m) != nil {
			return
		}
		pm := ForLevel(3)
		pm.Verify = true
		if err := pm.Run(context.Background(), m); err != nil {
			t.Fatalf("%v\ninput:\n%s", err, src)
		}
		// An instcombine that says it settled a function (and so skips
		// the confirming round) left a fixpoint.
		m2, _ := ir.Parse("fuzz.ll", src)
		for _, fn := range m2.Funcs {
			if fn.IsDeclaration() {
				continue
			}
			if _, settled := instCombine(fn); settled {
				before := fn.String()
				if InstCombine(fn) {
					t.Fatalf("@%s: instcombine settled at\n%s\nbut a further run changed it to\n%s", fn.Name, before, fn)
				}
			}
		}
	})
}
