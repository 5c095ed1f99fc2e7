package amd64

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/ir"
)

// TestListingMatchesObjdump compares the instruction text of our listing
// with objdump -d on the same object.
func TestListingMatchesObjdump(t *testing.T) {
	objdump, err := exec.LookPath("objdump")
	if err != nil {
		t.Fatal("objdump (binutils) is required for this test but was not found in PATH")
	}
	m := ir.NewModule("fib")
	buildFib(m)
	obj, err := Compile(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := Listing(obj, SyntaxATT)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "f.o")
	if err := os.WriteFile(p, obj, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(objdump, "-d", p).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump: %v\n%s", err, out)
	}
	// Compare the mnemonics line by line.
	re := regexp.MustCompile(`(?m)^\s*[0-9a-f]+:\t(?:[0-9a-f]{2} )+\s*\t(\S+)`)
	mine := re.FindAllStringSubmatch(list, -1)
	theirs := re.FindAllStringSubmatch(string(out), -1)
	if len(mine) == 0 || len(mine) != len(theirs) {
		t.Fatalf("instruction counts differ: ours %d, objdump %d\nours:\n%s\nobjdump:\n%s", len(mine), len(theirs), list, out)
	}
	for i := range mine {
		a, b := strings.TrimSuffix(mine[i][1], "q"), strings.TrimSuffix(theirs[i][1], "q")
		if a != b && !strings.HasPrefix(b, a) && !strings.HasPrefix(a, b) {
			t.Errorf("instruction %d: ours %q, objdump %q", i, mine[i][1], theirs[i][1])
		}
	}
	if !strings.Contains(list, "<fib>:") || !strings.Contains(list, "R_X86_64_PLT32\tfib-0x4") {
		t.Errorf("listing lacks labels or relocations:\n%s", list)
	}
	intel, err := Listing(obj, SyntaxIntel)
	if err != nil || !strings.Contains(intel, "ucomisd xmm") {
		t.Errorf("intel listing: %v\n%s", err, intel)
	}
}

func TestListingBadInput(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not an elf"), []byte("\x7fELF\x02\x01\x01")} {
		if _, err := Listing(b, SyntaxATT); err == nil {
			t.Errorf("Listing(%q) gave no error", b)
		}
	}
}

func FuzzListing(f *testing.F) {
	m := ir.NewModule("fib")
	buildFib(m)
	obj, err := Compile(m, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(obj)
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Listing(b, SyntaxATT)
	})
}
