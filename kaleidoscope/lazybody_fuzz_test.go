package kaleidoscope

import (
	"strings"
	"testing"
)

// FuzzLazyBodiesAlike: on any input, parsing with lazy bodies (skipped,
// then parsed by ParseBody) gives the items and diagnostics the eager
// parse gives.
func FuzzLazyBodiesAlike(f *testing.F) {
	for _, s := range []string{
		"def f(x) x + 1;",
		"def f(x) (x) (x);",
		"def binary| 5 (a b) a; def f(x) x | 1;",
		"def f(x) # c\n x;\nextern g(x);",
		"def f(x) if x then 1 else 2;",
		"def f(x) var a = 1 in for i = 0, i < x in a;",
		"def f(x) g(x, 1) + -x;",
		"def f(x) 1.2.3 + x;",
		"def f(x)\r\n\t(x;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		want, _ := items(src, false)
		got, _ := items(src, true)
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("source %q\nlazy bodies:\n%s\nwant (eager):\n%s", src, g, w)
		}
		// The bodies parsed by one BodyParser, its nodes recycled.
		got, _ = itemsWith(src, true, NewBodyParser())
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("source %q\nlazy bodies, one BodyParser:\n%s\nwant (eager):\n%s", src, g, w)
		}
	})
}
