package amd64

import (
	"os"
	"testing"

	"gorc/ir"
)

func TestZZPerf(t *testing.T) {
	src, _ := os.ReadFile("testdata/perf.ll")
	m, err := ir.Parse("perf.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := Compile(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/bt/perf_gorc.o", obj, 0o644)
	l, _ := Listing(obj, SyntaxATT)
	os.WriteFile("/tmp/bt/perf_gorc.s", []byte(l), 0o644)
}
