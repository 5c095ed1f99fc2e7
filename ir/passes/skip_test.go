package passes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// withoutSettle is pm with every pass run by Run (no skipping).
func withoutSettle(pm *Manager) *Manager {
	n := *pm
	n.Passes = append([]Pass(nil), pm.Passes...)
	for i := range n.Passes {
		n.Passes[i].Settle = nil
	}
	return &n
}

const settleSrc = `
define double @f(double %x) {
entry:
  %a = fadd double 1.000000e+00, 2.000000e+00
  %b = fmul double %x, %a
  %c = fmul double %b, 1.000000e+00
  ret double %c
}

define double @g(double %x) {
entry:
  %a = fadd double %x, 1.000000e+00
  ret double %a
}
`

// TestSettledPassSkipped: a pass that settled a function is not run again
// until another pass changes the function.
func TestSettledPassSkipped(t *testing.T) {
	for _, tc := range []struct {
		pipeline string
		fn       string
		runs     int // runs of instcombine
		skipped  int
	}{
		// instcombine folds f; gvn and reassociate change nothing.
		{"instcombine,gvn,reassociate,instcombine", "f", 1, 1},
		{"instcombine,instcombine,instcombine", "f", 1, 2},
		// nothing to do in g: settled by the first run too.
		{"instcombine,gvn,instcombine", "g", 1, 1},
		// dce finds nothing instcombine left to delete: skipped too.
		{"instcombine,dce,instcombine", "f", 1, 1},
		// tailrecurse changes nothing, simplifycfg nothing: skipped.
		{"instcombine,tailrecurse,simplifycfg,instcombine", "f", 1, 1},
	} {
		t.Run(tc.pipeline+"/"+tc.fn, func(t *testing.T) {
			m, err := ir.Parse("s.ll", []byte(settleSrc))
			if err != nil {
				t.Fatal(err)
			}
			pm, err := New(tc.pipeline)
			if err != nil {
				t.Fatal(err)
			}
			pm.Verify = true
			pm.Stats = map[string]*PassStats{}
			if err := pm.RunFunction(m.Func(tc.fn)); err != nil {
				t.Fatal(err)
			}
			s := pm.Stats["instcombine"]
			if s.Runs != tc.runs || s.Skipped != tc.skipped {
				t.Errorf("instcombine ran %d times, skipped %d; want %d and %d", s.Runs, s.Skipped, tc.runs, tc.skipped)
			}
		})
	}
}

// TestSettledPassRunsAfterChange: a pass that changes the function makes a
// settled pass run again.
func TestSettledPassRunsAfterChange(t *testing.T) {
	changes := Pass{Name: "swap", Run: func(f *ir.Function) bool {
		// Puts a foldable instruction back: x * 1.0.
		b := f.Blocks[0]
		ret := b.Instrs[len(b.Instrs)-1]
		mul := &ir.Instr{Op: ir.OpFMul, Typ: ir.F64, Ops: []ir.Value{ret.Ops[0], ir.NewFloat(1)}}
		b.Instrs = append(b.Instrs[:len(b.Instrs)-1], mul, ret)
		mul.Block = b
		ret.Ops[0] = mul
		return true
	}}
	pm := &Manager{Passes: []Pass{All["instcombine"], changes, All["instcombine"]}, Verify: true, Stats: map[string]*PassStats{}}
	m, err := ir.Parse("s.ll", []byte(settleSrc))
	if err != nil {
		t.Fatal(err)
	}
	f := m.Func("g")
	if err := pm.RunFunction(f); err != nil {
		t.Fatal(err)
	}
	if s := pm.Stats["instcombine"]; s.Runs != 2 || s.Skipped != 0 || s.Changed != 1 {
		t.Errorf("instcombine: %+v, want 2 runs, the second changing g", *s)
	}
	if n := f.NumInstrs(); n != 2 {
		t.Errorf("g has %d instructions after the pipeline, want 2 (the multiplication by 1 folded):\n%s", n, m)
	}
}

// TestSettleChangesNothing: every pipeline gives the same IR whether
// settled passes are skipped or run, on the pass tests and fuzz seeds.
func TestSettleChangesNothing(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzPasses/*")
	if len(files) < 10 {
		t.Fatalf("expected pass tests in testdata, found %d", len(files))
	}
	for _, file := range append(files, seeds...) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(file) != ".ll" {
			if src, err = fuzzSeed(src); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		for level := 1; level <= 3; level++ {
			a, err1 := ir.Parse(file, src)
			b, err2 := ir.Parse(file, src)
			if err1 != nil || err2 != nil || ir.Verify(a) != nil {
				continue
			}
			if err := ForLevel(level).Run(context.Background(), a); err != nil {
				t.Fatalf("%s -O%d: %v", file, level, err)
			}
			if err := withoutSettle(ForLevel(level)).Run(context.Background(), b); err != nil {
				t.Fatalf("%s -O%d without skipping: %v", file, level, err)
			}
			if a.String() != b.String() {
				t.Errorf("%s -O%d: skipping settled passes changed the result:\n%s\nwithout skipping:\n%s", file, level, a, b)
			}
		}
	}
}

// fuzzSeed returns the []byte of a one-value corpus file of go test fuzz.
func fuzzSeed(file []byte) ([]byte, error) {
	_, v, ok := strings.Cut(strings.TrimSpace(string(file)), "\n")
	v, ok2 := strings.CutPrefix(v, "[]byte(")
	v, ok3 := strings.CutSuffix(v, ")")
	if !ok || !ok2 || !ok3 {
		return nil, fmt.Errorf("not a []byte fuzz seed")
	}
	s, err := strconv.Unquote(v)
	return []byte(s), err
}

// TestQuickChecksCoverChanges: each quick check that lets a pass return
// early (gvnCandidates, mergeCandidate, forwards) says "maybe" for every
// function the pass's full work changes, on the pass tests and fuzz seeds
// after each prefix of the -O3 pipeline.
func TestQuickChecksCoverChanges(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzPasses/*")
	walked := 0
	for _, file := range append(files, seeds...) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(file) != ".ll" {
			if src, err = fuzzSeed(src); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		pipeline := ForLevel(3).Passes
		for n := 0; n <= len(pipeline); n++ {
			m, err := ir.Parse(file, src)
			if err != nil || ir.Verify(m) != nil {
				break
			}
			pm := &Manager{Passes: pipeline[:n]}
			if err := pm.Run(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Funcs {
				if f.IsDeclaration() {
					continue
				}
				walked++
				for _, c := range []struct {
					name  string
					maybe func(*ir.Function) bool
					full  func(*ir.Function) bool
				}{
					{"gvn", func(f *ir.Function) bool { var seen gvnKeySet; return gvnCandidates(f, &seen) },
						func(f *ir.Function) bool {
							sc := gvnPool.Get().(*gvnScratch)
							defer sc.put()
							return gvnWalk(f, sc)
						}},
					{"mergeBlocks", mergeCandidate, mergeAll},
					{"bypassEmpty", func(f *ir.Function) bool { return slices.ContainsFunc(f.Blocks[1:], forwards) }, bypassAll},
					{"removeUnreachable", func(f *ir.Function) bool { return ir.NumReachable(f) != len(f.Blocks) }, removeUnreachable},
				} {
					g := cloneFunction(f)
					if maybe, changed := c.maybe(g), c.full(g); changed && !maybe {
						t.Errorf("%s after %d passes: %s changes @%s, but its quick check says it cannot", file, n, c.name, f.Name)
					}
				}
			}
		}
	}
	if walked < 50 {
		t.Errorf("only %d functions checked", walked)
	}
}

// TestGVNCandidates: what the quick check must see.
func TestGVNCandidates(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"distinct", "%a = fadd double %x, %y\n  %b = fmul double %x, %y\n  ret double %b", false},
		{"repeat", "%a = fadd double %x, %y\n  %b = fadd double %x, %y\n  %c = fmul double %a, %b\n  ret double %c", true},
		{"commuted", "%a = fadd double %x, %y\n  %b = fadd double %y, %x\n  %c = fmul double %a, %b\n  ret double %c", true},
		{"not commutative", "%a = fsub double %x, %y\n  %b = fsub double %y, %x\n  %c = fmul double %a, %b\n  ret double %c", false},
		{"constants", "%a = fadd double %x, 1.0\n  %b = fadd double %x, 2.0\n  %c = fmul double %a, %b\n  ret double %c", false},
		{"load after store", "%p = alloca double\n  store double %x, ptr %p\n  %a = load double, ptr %p\n  ret double %a", true},
		{"load after call", "%p = alloca double\n  store double %x, ptr %p\n  %c = call double @g(double %x)\n  %a = load double, ptr %p\n  ret double %a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "declare double @g(double)\ndefine double @f(double %x, double %y) {\nentry:\n  " + tc.body + "\n}\n"
			m, err := ir.Parse("c.ll", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			var seen gvnKeySet
			if got := gvnCandidates(m.Func("f"), &seen); got != tc.want {
				t.Errorf("gvnCandidates = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKeyHashIsKeysHash: the candidate check's hash, computed from an
// instruction's fields (keyHash), is the hash of its key (keyInto), and
// exists exactly when the key does, for every instruction of the pass
// tests and fuzz seeds after each prefix of the -O3 pipeline; equal keys
// therefore always meet in gvnKeySet.
func TestKeyHashIsKeysHash(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.ll")
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzPasses/*")
	keyed := 0
	for _, file := range append(files, seeds...) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(file) != ".ll" {
			if src, err = fuzzSeed(src); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
		pipeline := ForLevel(3).Passes
		for n := 0; n <= len(pipeline); n++ {
			m, err := ir.Parse(file, src)
			if err != nil || ir.Verify(m) != nil {
				break
			}
			if err := (&Manager{Passes: pipeline[:n]}).Run(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Funcs {
				var seen gvnKeySet
				gvnCandidates(f, &seen) // numbers the instructions
				for _, b := range f.Blocks {
					for _, in := range b.Instrs {
						k, ok := keyOf(in)
						h, hok := keyHash(in)
						if ok != hok || ok && h != hashKey(&k) {
							t.Fatalf("%s after %d passes, @%s: %s: keyHash %#x %v, key's hash %#x %v", file, n, f.Name, in.Op, h, hok, hashKey(&k), ok)
						}
						if ok {
							keyed++
						}
					}
				}
			}
		}
	}
	if keyed < 100 {
		t.Errorf("only %d keyed instructions checked", keyed)
	}
}
