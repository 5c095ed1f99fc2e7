package passes

import (
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestWalkDom checks that the dominator-tree walk enters every reachable
// block once, right below its immediate dominator, and that a block's log
// entries are undone when the walk leaves its subtree: after its children,
// before any block outside the subtree is entered. The order of siblings
// is the tree's and is not checked.
func TestWalkDom(t *testing.T) {
	tests := []struct {
		name, body string
		want       int // blocks entered
	}{
		{
			name: "diamond",
			body: `entry:
  br i1 %c, label %then, label %else
then:
  br label %join
else:
  br label %join
join:
  ret void
`,
			want: 4,
		},
		{
			name: "chain with unreachable block",
			body: `entry:
  br label %a
dead:
  br label %b
a:
  br label %b
b:
  ret void
`,
			want: 3,
		},
		{
			name: "single block",
			body: `entry:
  ret void
`,
			want: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "define void @f(i1 %c) {\n" + tt.body + "}\n"
			m, err := ir.Parse("walk.ll", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			f := m.Func("f")
			dt := ir.NewDomTree(f)
			defer dt.Release()
			var events []string
			var log, open []*ir.Block // open: the blocks entered and not yet undone
			entered := map[*ir.Block]bool{}
			walkDom(dt, &log, func(b *ir.Block) {
				events = append(events, "+"+b.Name)
				if entered[b] {
					t.Errorf("%s entered twice", b.Name)
				}
				entered[b] = true
				var top *ir.Block
				if len(open) > 0 {
					top = open[len(open)-1]
				}
				if top != dt.Idom(b) {
					t.Errorf("%s entered below %v, want below its idom %v", b.Name, top, dt.Idom(b))
				}
				open = append(open, b)
				log = append(log, b)
			}, func(b *ir.Block) {
				events = append(events, "-"+b.Name)
				if len(open) == 0 || open[len(open)-1] != b {
					t.Errorf("%s undone out of turn", b.Name)
					return
				}
				open = open[:len(open)-1]
			})
			if len(entered) != tt.want || len(open) != 0 || len(log) != 0 {
				t.Errorf("entered %d blocks (want %d), %d left open, log %d long", len(entered), tt.want, len(open), len(log))
			}
			if t.Failed() {
				t.Logf("walk: %s", strings.Join(events, " "))
			}
		})
	}
}
