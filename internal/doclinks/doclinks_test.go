package doclinks

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRepositoryLinks checks every Markdown document of the repository.
func TestRepositoryLinks(t *testing.T) {
	broken, err := Check("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range broken {
		t.Error(b)
	}
}

func TestCheckFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.md", "# Top\n## A `code` heading, twice\n## A `code` heading, twice\n"+
		"[ok](docs/b.md) [ok](docs/b.md#the-b) [ok](#top) [ok](#a-code-heading-twice-1)\n"+
		"[bad](docs/c.md) [bad](docs/b.md#nothing) [bad](#a-code-heading-twice-2)\n"+
		"`[not a link](x.md)` [web](https://example.com/x.md)\n```\n[fenced](y.md)\n```\n")
	write("docs/b.md", "# The B\n[up](../a.md#top) [out](../../z.md)\n")
	broken, err := Check(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"docs/c.md":               "no such file",
		"docs/b.md#nothing":       "no heading with anchor #nothing in docs/b.md",
		"#a-code-heading-twice-2": "no heading with anchor #a-code-heading-twice-2 in a.md",
		"../../z.md":              "points outside the repository",
	}
	if len(broken) != len(want) {
		t.Fatalf("got %d broken links, want %d: %v", len(broken), len(want), broken)
	}
	for _, b := range broken {
		if want[b.Target] != b.Reason {
			t.Errorf("%v: want reason %q", b, want[b.Target])
		}
	}
}

func TestSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Session 26, issue 10: lazy (s26-kall)", "session-26-issue-10-lazy-s26-kall"},
		{"`gorc run` start-up", "gorc-run-start-up"},
		{"x86_fp80 — long double", "x86_fp80--long-double"},
	} {
		if got := Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
