package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// table is one results file of bench/results: "# key: value" metadata
// lines, then a header line of column names, then rows, tab-separated.
type table struct {
	path string
	meta map[string]string
	cols []string
	rows []row
}

// row is one data line with the line number it came from.
type row struct {
	line   int
	fields []string
}

// readTable reads and checks a results file: every row must have as many
// fields as the header.
func readTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading results: %w", err)
	}
	defer f.Close()
	return parseTable(path, bufio.NewScanner(f))
}

func parseTable(path string, sc *bufio.Scanner) (*table, error) {
	t := &table{path: path, meta: map[string]string{}}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			k, v, ok := strings.Cut(strings.TrimSpace(line[1:]), ":")
			if ok {
				t.meta[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
			continue
		}
		fields := strings.Split(line, "\t")
		if t.cols == nil {
			t.cols = fields
			continue
		}
		if len(fields) != len(t.cols) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d (%s)", path, n, len(fields), len(t.cols), strings.Join(t.cols, ", "))
		}
		t.rows = append(t.rows, row{line: n, fields: fields})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.cols == nil {
		return nil, fmt.Errorf("%s: no header line", path)
	}
	return t, nil
}

// col returns the index of a column, or an error naming the file and the
// columns it has.
func (t *table) col(name string) (int, error) {
	for i, c := range t.cols {
		if c == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: no column %q (columns: %s)", t.path, name, strings.Join(t.cols, ", "))
}

// str returns the named field of r.
func (t *table) str(r row, name string) (string, error) {
	i, err := t.col(name)
	if err != nil {
		return "", err
	}
	return r.fields[i], nil
}

// num returns the named field of r as a number; "fail", "-" and "–" (a
// measurement that failed or does not apply) give NaN.
func (t *table) num(r row, name string) (float64, error) {
	s, err := t.str(r, name)
	if err != nil {
		return 0, err
	}
	switch s {
	case "fail", "-", "–":
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%s:%d: column %s: %q is not a number", t.path, r.line, name, s)
	}
	return v, nil
}

// lookup returns the named number of the row whose key columns equal the
// given values, or an error naming the file and the key.
func (t *table) lookup(name string, key ...string) (float64, error) {
	r, err := t.find(key...)
	if err != nil {
		return 0, err
	}
	return t.num(r, name)
}

// find returns the row whose first columns equal key.
func (t *table) find(key ...string) (row, error) {
	if len(key) > len(t.cols) {
		return row{}, fmt.Errorf("%s: key %s has more fields than the header", t.path, strings.Join(key, "/"))
	}
	for _, r := range t.rows {
		match := true
		for i, k := range key {
			if r.fields[i] != k {
				match = false
				break
			}
		}
		if match {
			return r, nil
		}
	}
	return row{}, fmt.Errorf("%s: no row %s", t.path, strings.Join(key, "/"))
}
