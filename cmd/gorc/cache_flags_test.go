package main

import (
	"strings"
	"testing"
)

func TestCacheParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"", 0, false},
		{"1000", 1000, false},
		{"64K", 64 << 10, false},
		{"512m", 512 << 20, false},
		{"2G", 2 << 30, false},
		{"0", 0, true},
		{"-5M", 0, true},
		{"12X", 0, true},
		{"G", 0, true},
		{"99999999999G", 0, true},
	} {
		got, err := parseSize(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCacheRunFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		dir  string
		off  bool
		err  string
	}{
		{args: []string{"-cache", "/tmp/c", "x.o"}, dir: "/tmp/c"},
		{args: []string{"--cache=/tmp/d", "x.o"}, dir: "/tmp/d"},
		{args: []string{"-no-cache", "x.o"}, off: true},
		{args: []string{"x.o", "--no-cache"}, off: true},
		{args: []string{"x.o", "-cache"}, err: "flag -cache needs a value"},
		{args: []string{"x.o", "--", "-cache", "arg"}}, // the program's
	} {
		o, err := parseRunFlags(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || o.cache.dir != tc.dir || o.cache.off != tc.off {
			t.Errorf("%v: %+v, %v; want dir %q off %v", tc.args, o, err, tc.dir, tc.off)
		}
	}
}
