// Package doclinks checks the repository's Markdown documents: every
// relative link must name a file that exists and, when it carries a
// fragment into a Markdown file, a heading of that file (GitHub's anchor
// rules). The docs are long and folded together from many sessions' notes,
// so links break silently unless something checks them.
package doclinks

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// Broken is one link that does not resolve.
type Broken struct {
	File   string // the document holding the link, relative to the root
	Line   int    // 1-based line of the link
	Target string // the link as written
	Reason string
}

func (b Broken) String() string {
	return fmt.Sprintf("%s:%d: link %q: %s", b.File, b.Line, b.Target, b.Reason)
}

var linkRE = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// skipDir reports directories whose Markdown is not the project's own
// documentation (vendored test inputs, version control).
func skipDir(rel string) bool {
	base := filepath.Base(rel)
	return base == ".git" || base == "testdata" || base == "node_modules"
}

// Check walks root for *.md files and returns every relative link that
// does not resolve. External links (with a scheme) are not fetched.
func Check(root string) ([]Broken, error) {
	var docs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel != "." && skipDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".md") {
			docs = append(docs, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("doclinks: walking %s: %w", root, err)
	}
	anchors := map[string]map[string]bool{}
	anchorsOf := func(rel string) (map[string]bool, error) {
		if a, ok := anchors[rel]; ok {
			return a, nil
		}
		a, err := headingAnchors(filepath.Join(root, rel))
		if err != nil {
			return nil, err
		}
		anchors[rel] = a
		return a, nil
	}
	var out []Broken
	for _, doc := range docs {
		f, err := os.Open(filepath.Join(root, doc))
		if err != nil {
			return nil, fmt.Errorf("doclinks: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		line, inFence := 0, false
		for sc.Scan() {
			line++
			text := sc.Text()
			if strings.HasPrefix(strings.TrimSpace(text), "```") {
				inFence = !inFence
				continue
			}
			if inFence {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(stripCode(text), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, frag, _ := strings.Cut(target, "#")
				dest := doc
				if file != "" {
					dest = filepath.Clean(filepath.Join(filepath.Dir(doc), file))
					if strings.HasPrefix(dest, "..") {
						out = append(out, Broken{doc, line, target, "points outside the repository"})
						continue
					}
					if _, err := os.Stat(filepath.Join(root, dest)); err != nil {
						out = append(out, Broken{doc, line, target, "no such file"})
						continue
					}
				}
				if frag == "" || !strings.HasSuffix(dest, ".md") {
					continue
				}
				a, err := anchorsOf(dest)
				if err != nil {
					f.Close()
					return nil, err
				}
				if !a[strings.ToLower(frag)] {
					out = append(out, Broken{doc, line, target, "no heading with anchor #" + frag + " in " + dest})
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("doclinks: reading %s: %w", doc, err)
		}
	}
	return out, nil
}

// stripCode removes inline code spans, whose brackets are not links.
func stripCode(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		if r == '`' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// headingAnchors returns the anchors GitHub gives a document's headings:
// lower case, punctuation dropped, spaces turned into hyphens, a repeated
// anchor numbered -1, -2, ...
func headingAnchors(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("doclinks: %w", err)
	}
	seen := map[string]int{}
	out := map[string]bool{}
	inFence := false
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimLeft(l, "#")
		if h == "" || h[0] != ' ' {
			continue
		}
		slug := Slug(strings.TrimSpace(h))
		n := seen[slug]
		seen[slug] = n + 1
		if n > 0 {
			slug = fmt.Sprintf("%s-%d", slug, n)
		}
		out[slug] = true
	}
	return out, nil
}

// Slug is GitHub's anchor for a heading's text.
func Slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
