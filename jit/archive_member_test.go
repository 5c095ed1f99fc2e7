//go:build cgo

package jit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jit"
)

// corruptMember returns the archive data with the section header offset
// of the member named member pointed past its end (its symbol index,
// written by ar from the intact member, still names its symbols).
func corruptMember(t *testing.T, data []byte, member string) []byte {
	t.Helper()
	out := bytes.Clone(data)
	for off := 8; off+60 <= len(out); {
		name := strings.TrimRight(strings.TrimSpace(string(out[off:off+16])), "/")
		size, err := strconv.Atoi(strings.TrimSpace(string(out[off+48 : off+58])))
		if err != nil {
			t.Fatalf("archive member header at %#x: %v", off, err)
		}
		if name == member {
			binary.LittleEndian.PutUint64(out[off+60+0x28:], 0x7fffffff)
			return out
		}
		off += 60 + size + size&1
	}
	t.Fatalf("no member %s in the archive", member)
	return nil
}

// TestArchiveCorruptMember: a corrupt archive member that the link needs
// is reported as what it is (the member and what is wrong with it), not
// as an undefined symbol; one that the link never needs is never
// reported.
func TestArchiveCorruptMember(t *testing.T) {
	for _, tool := range []string{"gcc", "ar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required (run scripts/deps.sh): %v", tool, err)
		}
	}
	dir := t.TempDir()
	mainObj, err := cc(dir, "m", `int need(int); int main(void) { return need(4) - 8; }`)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for name, src := range map[string]string{
		"a1": `extern int k; int need(int x) { return x * 2 + k; } int k = 0;`,
		"a2": `int unused(int x) { return x * 3; }`,
	} {
		o, err := cc(dir, name, src)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, o)
	}
	lib := filepath.Join(dir, "lib.a")
	if out, err := exec.Command("ar", append([]string{"rcs", lib}, members...)...).CombinedOutput(); err != nil {
		t.Fatalf("ar: %v\n%s", err, out)
	}
	good, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		corrupt string // member to corrupt
		lookup  bool   // Lookup("main") instead of LinkAll
		want    string // "" for success, else a substring of the error
	}{
		{"unneeded member, LinkAll", "a2.o", false, ""},
		{"unneeded member, Lookup", "a2.o", true, ""},
		{"needed member, LinkAll", "a1.o", false, "a1.o"},
		{"needed member, Lookup", "a1.o", true, "a1.o"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			j, err := jit.New(ctx, jit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close(ctx)
			if err := j.AddObjectFile(mainObj); err != nil {
				t.Fatal(err)
			}
			if err := j.AddArchiveData(lib, corruptMember(t, good, tc.corrupt)); err != nil {
				t.Fatal(err)
			}
			if tc.lookup {
				_, err = j.Lookup(ctx, "main")
			} else {
				err = j.LinkAll(ctx)
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("link failed: %v", err)
			case tc.want != "" && err == nil:
				t.Fatal("link of a corrupt needed member succeeded")
			case tc.want != "" && (!strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "section header")):
				t.Fatalf("error does not name the corrupt member %s and what is wrong:\n%v", tc.want, err)
			}
		})
	}
}
