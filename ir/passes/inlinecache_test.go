package passes

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

const cacheSrc = `define double @small(double %a, double %b) {
entry:
  %c = fcmp olt double %a, %b
  br i1 %c, label %t, label %e

t:
  ret double %b

e:
  %s = fmul double %a, 2.000000e+00
  ret double %s
}

define double @rec(double %x) {
entry:
  %c = fcmp olt double %x, 1.000000e+00
  br i1 %c, label %t, label %e

t:
  ret double 0.000000e+00

e:
  %y = fsub double %x, 1.000000e+00
  %r = call double @rec(double %y)
  %r1 = fadd double %r, 1.000000e+00
  ret double %r1
}

define double @user(double %x) {
entry:
  %a = call double @small(double %x, double 3.000000e+00)
  %b = call double @rec(double %a)
  %s = fadd double %a, %b
  ret double %s
}

define i32 @main() {
entry:
  %a = call double @user(double 1.000000e+00)
  %b = call double @user(double 5.000000e+00)
  %s = fadd double %a, %b
  %i = fptosi double %s to i32
  ret i32 %i
}
`

// TestInlineCache: a manager with an InlineCache optimises one function
// at a time and inlines the small functions it optimised before, from
// its copies — also after the callee's own IR is gone — but not recursive
// ones; the result computes the same under lli-19.
func TestInlineCache(t *testing.T) {
	m, err := ir.ParseString("cache.ll", cacheSrc)
	if err != nil {
		t.Fatal(err)
	}
	c := NewInlineCache()
	pm := ForLevel(3).WithInliner(c)
	pm.Verify = true
	if pm.ReadsModule() {
		t.Fatal("a manager with an inline cache reads the module")
	}
	if !ForLevel(3).ReadsModule() {
		t.Fatal("-O3's inliner does not say that it reads the module")
	}
	small, rec, user := m.Func("small"), m.Func("rec"), m.Func("user")
	for _, f := range []*ir.Function{small, rec} {
		if err := pm.RunFunction(f); err != nil {
			t.Fatal(err)
		}
	}
	// What the code generator does after compiling a function.
	smallIR := small.String()
	small.Blocks = nil
	if err := pm.RunFunction(user); err != nil {
		t.Fatal(err)
	}
	body := user.String()
	if strings.Contains(body, "@small") {
		t.Errorf("small was not inlined into user:\n%s", body)
	}
	if !strings.Contains(body, "call double @rec") {
		t.Errorf("the recursive rec was inlined into user:\n%s", body)
	}
	if got := c.InlinedInto(small); len(got) != 1 || got[0] != user {
		t.Errorf("InlinedInto(small) = %v, want [user]", got)
	}
	if err := pm.RunFunction(m.Func("main")); err != nil {
		t.Fatal(err)
	}
	// Put small's body back to print a complete module.
	back, err := ir.ParseString("small.ll", smallIR)
	if err != nil {
		t.Fatal(err)
	}
	small.Blocks, small.Params = back.Func("small").Blocks, back.Func("small").Params
	for _, b := range small.Blocks {
		b.Func = small
	}
	checkSameBehaviour(t, cacheSrc, m.String())
}

// TestInlineCacheLimits: bodies over MaxCallee instructions are not
// remembered, and Forget drops a remembered one.
func TestInlineCacheLimits(t *testing.T) {
	m, err := ir.ParseString("cache.ll", cacheSrc)
	if err != nil {
		t.Fatal(err)
	}
	if err := ForLevel(2).Run(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	small := m.Func("small")
	c := NewInlineCache()
	c.MaxCallee = 2
	if c.Remember(small) {
		t.Error("remembered a body over MaxCallee instructions")
	}
	c.MaxCallee = 0
	if !c.Remember(small) {
		t.Fatal("did not remember a small body")
	}
	if c.Remember(m.Func("rec")) {
		t.Error("remembered a recursive function")
	}
	c.Forget(small)
	if c.Inline(m.Func("user")) {
		t.Error("inlined a forgotten body")
	}
}

// TestInlineCacheLoops: a function with a loop is remembered only up to
// InlineMaxLoopCallee instructions.
func TestInlineCacheLoops(t *testing.T) {
	src := `define double @loop(double %n) {
entry:
  br label %l

l:
  %i = phi double [ 0.000000e+00, %entry ], [ %i1, %l ]
  %s = phi double [ 0.000000e+00, %entry ], [ %s3, %l ]
  %s1 = fadd double %s, %i
  %s2 = fmul double %s1, 5.000000e-01
  %s3 = fadd double %s2, %n
  %i1 = fadd double %i, 1.000000e+00
  %c = fcmp ult double %i1, %n
  br i1 %c, label %l, label %out

out:
  ret double %s3
}
`
	m, err := ir.ParseString("loop.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	f := m.Func("loop")
	n := f.NumInstrs()
	c := NewInlineCache()
	defer func(old int) { InlineMaxLoopCallee = old }(InlineMaxLoopCallee)
	InlineMaxLoopCallee = n - 1
	if c.Remember(f) {
		t.Errorf("remembered a loop of %d instructions over InlineMaxLoopCallee %d", n, InlineMaxLoopCallee)
	}
	InlineMaxLoopCallee = n
	if !c.Remember(f) {
		t.Errorf("did not remember a loop of %d instructions (InlineMaxLoopCallee %d)", n, InlineMaxLoopCallee)
	}
}

// TestInlineCacheLimitsAtCall: a body the cache remembered under its own,
// larger MaxCallee is not inlined where the call-site limit
// (InlineMaxCallee) refuses it, nor one with a loop once
// InlineMaxLoopCallee is lowered below its size; within the limits it
// is inlined. (The cache's call sites skip the checks of what the body
// cannot change since Remember, not the limits.)
func TestInlineCacheLimitsAtCall(t *testing.T) {
	var body strings.Builder
	body.WriteString("define double @big(double %a) {\nentry:\n  %v0 = fadd double %a, 1.000000e+00\n")
	for i := 1; i < 50; i++ {
		fmt.Fprintf(&body, "  %%v%d = fadd double %%v%d, 1.000000e+00\n", i, i-1)
	}
	body.WriteString("  ret double %v49\n}\n")
	src := body.String() + `define double @loop(double %n) {
entry:
  br label %l

l:
  %i = phi double [ 0.000000e+00, %entry ], [ %j, %l ]
  %j = fadd double %i, 1.000000e+00
  %c = fcmp olt double %j, %n
  br i1 %c, label %l, label %x

x:
  ret double %j
}

define double @user(double %x) {
entry:
  %a = call double @big(double %x)
  %b = call double @loop(double %a)
  ret double %b
}
`
	for _, tc := range []struct {
		name       string
		maxCallee  int // InlineMaxCallee at the call
		maxLoop    int // InlineMaxLoopCallee at the call
		wantBig    bool
		wantLoop   bool
		cacheLimit int
	}{
		{"defaults", InlineMaxCallee, InlineMaxLoopCallee, false, true, 100},
		{"call limit raised", 60, InlineMaxLoopCallee, true, true, 100},
		{"loop limit lowered", 60, 2, true, false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ir.ParseString("c.ll", src)
			if err != nil {
				t.Fatal(err)
			}
			c := NewInlineCache()
			c.MaxCallee = tc.cacheLimit
			if !c.Remember(m.Func("big")) || !c.Remember(m.Func("loop")) {
				t.Fatal("the cache did not remember big and loop")
			}
			defer func(a, b int) { InlineMaxCallee, InlineMaxLoopCallee = a, b }(InlineMaxCallee, InlineMaxLoopCallee)
			InlineMaxCallee, InlineMaxLoopCallee = tc.maxCallee, tc.maxLoop
			user := m.Func("user")
			c.Inline(user)
			calls := map[string]bool{}
			for _, b := range user.Blocks {
				for _, in := range b.Instrs {
					if in.Op == ir.OpCall {
						if f, ok := in.Callee().(*ir.Function); ok {
							calls[f.Name] = true
						}
					}
				}
			}
			if calls["big"] == tc.wantBig || calls["loop"] == tc.wantLoop {
				t.Errorf("calls left %v; want big inlined %v, loop inlined %v", calls, tc.wantBig, tc.wantLoop)
			}
		})
	}
}
