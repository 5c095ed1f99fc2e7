package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jit"
)

func TestParseRunFlags(t *testing.T) {
	def := func(f func(o *runOptions)) *runOptions {
		o := &runOptions{entry: "main", exec: "local", optLevel: 2}
		f(o)
		return o
	}
	tests := []struct {
		name string
		args []string
		want *runOptions
		err  string
	}{
		{"inputs in order, libraries apart", []string{"a.o", "-lm", "b.a", "libx.so.1", "c.ll"}, def(func(o *runOptions) {
			o.inputs = []string{"a.o", "b.a", "c.ll"}
			o.libs = []string{"-lm", "libx.so.1"}
		}), ""},
		{"flags after inputs", []string{"p.o", "-noexec", "-entry", "f", "-exec=child", "--shm"}, def(func(o *runOptions) {
			o.inputs = []string{"p.o"}
			o.noexec, o.entry, o.exec, o.shm = true, "f", "child", true
		}), ""},
		{"-L both ways, -l both ways", []string{"-L/a", "-L", "/b", "p.o", "-l", "z", "-l:libq.a"}, def(func(o *runOptions) {
			o.inputs = []string{"p.o"}
			o.searchDirs = []string{"/a", "/b"}
			o.libs = []string{"-lz", "-l:libq.a"}
		}), ""},
		{"-- and -args", []string{"p.o", "-args", "-noexec", "--", "x"}, def(func(o *runOptions) {
			o.inputs = []string{"p.o"}
			o.args = []string{"-noexec", "--", "x"}
		}), ""},
		{"-O and -static", []string{"-O0", "-static", "p.ll"}, def(func(o *runOptions) {
			o.inputs = []string{"p.ll"}
			o.optLevel, o.static = 0, true
		}), ""},
		{"-lazy is a flag, -llazy a library", []string{"p.o", "-lazy", "-llazy"}, def(func(o *runOptions) {
			o.inputs, o.libs, o.lazy = []string{"p.o"}, []string{"-llazy"}, true
		}), ""},
		{"-lazy-partition after input", []string{"p.ll", "--lazy-partition=callees"}, def(func(o *runOptions) {
			o.inputs, o.lazy, o.partition = []string{"p.ll"}, true, jit.PartitionCallees
		}), ""},
		{"-per-module-lazy", []string{"-per-module-lazy", "p.ll"}, def(func(o *runOptions) {
			o.inputs, o.lazy, o.partition = []string{"p.ll"}, true, jit.PartitionModule
		}), ""},
		{"bad -lazy-partition", []string{"p.ll", "-lazy-partition", "half"}, nil, `gorc run: invalid value "half" for -lazy-partition: unknown lazy partitioning "half" (want function, callees or module) (see gorc help run)`},
		{"unknown flag", []string{"p.o", "-frob"}, nil, "gorc run: unknown flag -frob (see gorc help run)"},
		{"no inputs", []string{"-noexec"}, nil, "gorc run: no input objects, archives or IR files (see gorc help run)"},
		{"-entry without a value", []string{"p.o", "-entry"}, nil, "gorc run: flag -entry needs a value (see gorc help run)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRunFlags(tc.args)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestRunUsageListsEveryFlag: gorc run's hand-written help describes every
// flag its parser defines.
func TestRunUsageListsEveryFlag(t *testing.T) {
	for _, name := range runFlagNames() {
		if !strings.Contains(runUsage, "  -"+name) {
			t.Errorf("runUsage does not describe -%s", name)
		}
	}
}
