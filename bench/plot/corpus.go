package main

import (
	"fmt"
	"strconv"
	"strings"
)

// The corpus figure: bench/corpus.sh writes bench/results/corpus-summary.tsv
// (one row per tool and executor mode: pass, refused, fail, total and the
// refused cases); corpusText turns it into the one sentence that README.md,
// docs/RUN.md and docs/PERFORMANCE.md carry between <!-- corpus --> and
// <!-- /corpus -->.

// execNames are the words the docs use for the executor modes of the
// corpus test other than in-process ("local").
var execNames = map[string]string{
	"child":     "child",
	"child-shm": "child -shm",
	"tcp":       "TCP",
}

// corpusCount is one tool's totals over the executor modes it ran in.
type corpusCount struct {
	tool                         string
	execs                        []string
	pass, refused, fail, total   int
	refusedCases                 []string
	perExecPass, perExecTotal    int // when every mode has the same counts
	sameEveryMode, firstExecSeen bool
}

func readCorpus(t *table) ([]*corpusCount, error) {
	var out []*corpusCount
	idx := map[string]*corpusCount{}
	for _, r := range t.rows {
		tool, err := t.str(r, "tool")
		if err != nil {
			return nil, err
		}
		exec, err := t.str(r, "exec")
		if err != nil {
			return nil, err
		}
		var v [4]int
		for i, col := range []string{"pass", "refused", "fail", "total"} {
			s, err := t.str(r, col)
			if err != nil {
				return nil, err
			}
			v[i], err = strconv.Atoi(s)
			if err != nil || v[i] < 0 {
				return nil, fmt.Errorf("%s:%d: column %s: %q is not a count", t.path, r.line, col, s)
			}
		}
		if v[0]+v[1]+v[2] != v[3] {
			return nil, fmt.Errorf("%s:%d: pass %d + refused %d + fail %d is not the total %d", t.path, r.line, v[0], v[1], v[2], v[3])
		}
		cases, err := t.str(r, "refused_cases")
		if err != nil {
			return nil, err
		}
		c := idx[tool]
		if c == nil {
			c = &corpusCount{tool: tool, sameEveryMode: true}
			idx[tool] = c
			out = append(out, c)
		}
		if c.firstExecSeen && (v[0] != c.perExecPass || v[3] != c.perExecTotal) {
			c.sameEveryMode = false
		}
		c.firstExecSeen = true
		c.perExecPass, c.perExecTotal = v[0], v[3]
		c.execs = append(c.execs, exec)
		c.pass += v[0]
		c.refused += v[1]
		c.fail += v[2]
		c.total += v[3]
		if cases != "-" && cases != "" {
			for _, k := range strings.Split(cases, ",") {
				k = strings.TrimSpace(k)
				if !contains(c.refusedCases, k) {
					c.refusedCases = append(c.refusedCases, k)
				}
			}
		}
	}
	if len(out) == 0 || out[0].tool != "gorc" {
		return nil, fmt.Errorf("%s: the first row must be gorc's", t.path)
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// where says in which executor modes a tool ran: "in-process", "in a
// child executor", "in-process and in child, child -shm and TCP executors".
func where(execs []string) string {
	local := false
	var ws []string
	for _, e := range execs {
		if e == "local" {
			local = true
			continue
		}
		w, ok := execNames[e]
		if !ok {
			w = e
		}
		ws = append(ws, w)
	}
	var rest string
	switch len(ws) {
	case 0:
	case 1:
		rest = "in a " + ws[0] + " executor"
		if ws[0] == "TCP" {
			rest = "in a TCP executor"
		}
	default:
		rest = "in " + strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1] + " executors"
	}
	switch {
	case local && rest != "":
		return "in-process and " + rest
	case local:
		return "in-process"
	}
	return rest
}

// corpusText is the generated sentence (Markdown, no trailing period, so
// it reads inside a parenthesis as well as in a list).
func corpusText(t *table) (string, error) {
	cs, err := readCorpus(t)
	if err != nil {
		return "", err
	}
	g := cs[0]
	cases := "program × compile-mode cases"
	if len(g.execs) > 1 {
		cases = "program × compile-mode × executor-mode cases"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%d of %d** %s of the C/C++ test corpus match the natively linked program when gorc runs them %s", g.pass, g.total, cases, where(g.execs))
	if len(g.execs) > 1 && g.sameEveryMode {
		fmt.Fprintf(&b, " (%d of %d in each)", g.perExecPass, g.perExecTotal)
	}
	if g.refused > 0 {
		var ks []string
		for _, k := range g.refusedCases {
			prog, mode, ok := strings.Cut(k, ":")
			if ok {
				ks = append(ks, fmt.Sprintf("`%s` in mode `%s`", prog, mode))
			} else {
				ks = append(ks, "`"+k+"`")
			}
		}
		verb, other := "are", ""
		if g.refused == 1 {
			verb = "is"
		}
		if g.pass+g.refused == g.total {
			other = "the other "
		}
		each := ""
		if len(g.execs) > 1 && g.refused == len(g.refusedCases)*len(g.execs) {
			each = ", once per executor mode"
		}
		fmt.Fprintf(&b, "; %s%d (%s%s) %s refused with a clear error", other, g.refused, strings.Join(ks, ", "), each, verb)
	}
	if g.fail > 0 {
		fmt.Fprintf(&b, "; **%d fail**", g.fail)
	}
	for _, p := range cs[1:] {
		fmt.Fprintf(&b, "; %s passes %d of %d (%s) with the same harness", p.tool, p.pass, p.total, where(p.execs))
	}
	fmt.Fprintf(&b, " (`bash bench/corpus.sh`, %s)", t.meta["date"])
	return b.String(), nil
}

// replaceRegion puts text between "<!-- name -->" and "<!-- /name -->" in
// doc; both markers must be there, once each, in that order.
func replaceRegion(doc, name, text string) (string, error) {
	open, end := "<!-- "+name+" -->", "<!-- /"+name+" -->"
	i := strings.Index(doc, open)
	j := strings.Index(doc, end)
	switch {
	case i < 0:
		return "", fmt.Errorf("no %s marker", open)
	case j < 0:
		return "", fmt.Errorf("no %s marker", end)
	case strings.Count(doc, open) > 1 || strings.Count(doc, end) > 1:
		return "", fmt.Errorf("more than one %s region", name)
	case j < i:
		return "", fmt.Errorf("%s comes before %s", end, open)
	}
	return doc[:i+len(open)] + text + doc[j:], nil
}

// region returns the text between the markers (for error messages).
func region(doc, name string) string {
	open, end := "<!-- "+name+" -->", "<!-- /"+name+" -->"
	i := strings.Index(doc, open)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return ""
	}
	return doc[i+len(open) : j]
}
