package passes

import (
	"context"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestVolatileKept runs O1 and O2 over functions with volatile loads and
// stores and checks that every volatile access is still there, in its
// order: none is removed as dead, merged with another (GVN) or promoted
// to a register (mem2reg).
func TestVolatileKept(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // the volatile accesses of @f in order, as printed
	}{
		{"store in loop", `
define void @f(ptr %p, i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  store volatile i32 %i, ptr %p, align 4
  %i1 = add i32 %i, 1
  %c = icmp slt i32 %i1, %n
  br i1 %c, label %loop, label %done
done:
  ret void
}
`, []string{"store volatile i32 %i, ptr %p"}},
		{"unused load", `
define void @f(ptr %p) {
  %x = load volatile i32, ptr %p, align 4
  ret void
}
`, []string{"load volatile i32, ptr %p"}},
		{"two loads not merged", `
define i32 @f(ptr %p) {
  %x = load volatile i32, ptr %p, align 4
  %y = load volatile i32, ptr %p, align 4
  %s = add i32 %x, %y
  ret i32 %s
}
`, []string{"load volatile i32, ptr %p", "load volatile i32, ptr %p"}},
		{"store then load not forwarded", `
define i32 @f(ptr %p) {
  store volatile i32 7, ptr %p, align 4
  %x = load volatile i32, ptr %p, align 4
  ret i32 %x
}
`, []string{"store volatile i32 7, ptr %p", "load volatile i32, ptr %p"}},
		{"alloca not promoted", `
define i32 @f() {
  %a = alloca i32, align 4
  store volatile i32 1, ptr %a, align 4
  store volatile i32 2, ptr %a, align 4
  %x = load volatile i32, ptr %a, align 4
  ret i32 %x
}
`, []string{"store volatile i32 1, ptr %a", "store volatile i32 2, ptr %a", "load volatile i32, ptr %a"}},
	}
	for _, level := range []int{1, 2} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				m, err := ir.ParseString("v.ll", tt.src)
				if err != nil {
					t.Fatal(err)
				}
				pm := ForLevel(level)
				pm.Verify = true
				if err := pm.Run(context.Background(), m); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, b := range m.Func("f").Blocks {
					for _, in := range b.Instrs {
						if in.Flags&ir.FlagVolatile != 0 {
							s, _, _ := strings.Cut(strings.TrimSpace(in.String()), ", align")
							if _, rhs, ok := strings.Cut(s, " = "); ok {
								s = rhs
							}
							got = append(got, s)
						}
					}
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("O%d: volatile accesses after the passes:\n%s\nwant:\n%s\nmodule:\n%s", level, strings.Join(got, "\n"), strings.Join(tt.want, "\n"), m)
				}
			})
		}
	}
}
