package elf_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"
)

// largestMember extracts the biggest object of an archive with `ar x` into
// a temporary directory (as a user of the toolchain would) and returns it.
func largestMember(b *testing.B, path string) (string, []byte) {
	b.Helper()
	ar, err := exec.LookPath("ar")
	if err != nil {
		b.Fatalf("ar not found: %v", err)
	}
	a := loadArchive(b, path)
	best := 0
	for i, m := range a.Members {
		if len(m.Data) > len(a.Members[best].Data) {
			best = i
		}
	}
	dir := b.TempDir()
	name := a.Members[best].Name
	cmd := exec.Command(ar, "x", path, name)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ar x: %v %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		b.Fatal(err)
	}
	return name, data
}

func BenchmarkParse(b *testing.B) {
	for _, path := range debianArchives {
		name, data := largestMember(b, path)
		b.Run(filepath.Base(path)+"/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := jelf.Parse(name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLink(b *testing.B) {
	for _, path := range debianArchives {
		name, data := largestMember(b, path)
		b.Run(filepath.Base(path)+"/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := linkMember(b, name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLinkArchive parses and links every member of each archive.
func BenchmarkLinkArchive(b *testing.B) {
	for _, path := range debianArchives {
		a := loadArchive(b, path)
		size := 0
		for _, m := range a.Members {
			size += len(m.Data)
		}
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				data, _ := os.ReadFile(path)
				a, err := archive.Parse(path, data)
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range a.Members {
					if _, err := linkMember(b, m.Name, m.Data); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// generated returns C source with n functions calling each other and
// touching global data, strings and externals.
func generated(n int) string {
	var sb strings.Builder
	sb.WriteString("#include <stdio.h>\nextern int ext_val;\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "int g%d[4] = {%d};\n", i, i)
		fmt.Fprintf(&sb, "int f%d(int x) { if (x > %d) printf(\"f%d %%d\\n\", x); return g%d[x & 3] + ext_val", i, i, i, i)
		if i > 0 {
			fmt.Fprintf(&sb, " + f%d(x - 1)", i-1)
		}
		sb.WriteString("; }\n")
	}
	return sb.String()
}

// BenchmarkLinkScaling links generated objects of 1x, 2x and 4x the size;
// time per op should grow linearly.
func BenchmarkLinkScaling(b *testing.B) {
	for _, k := range []int{1, 2, 4} {
		obj := compile(b, "c", generated(2000*k), "-O1", "-fPIC")
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			b.SetBytes(int64(len(obj)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := linkMember(b, "gen.o", obj); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMergeArchive parses every member of each archive and merges
// them into one graph with jitlink.MergeGraphs (what objlayer does with
// the members one lookup pulls in); compare with BenchmarkParseArchive for
// the merge's own cost.
func BenchmarkMergeArchive(b *testing.B) {
	for _, path := range debianArchives {
		a := loadArchive(b, path)
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				gs := make([]*jitlink.LinkGraph, 0, len(a.Members))
				for _, m := range a.Members {
					g, err := jelf.Parse(m.Name, m.Data)
					if err != nil {
						b.Fatal(err)
					}
					gs = append(gs, g)
				}
				if _, err := jitlink.MergeGraphs(filepath.Base(path), gs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMergeOnly merges the parsed members of each archive (all of
// them: the archive closure of a large program merges dozens), the parse
// outside the timer.
func BenchmarkMergeOnly(b *testing.B) {
	for _, path := range debianArchives {
		a := loadArchive(b, path)
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				gs := make([]*jitlink.LinkGraph, 0, len(a.Members))
				for _, m := range a.Members {
					g, err := jelf.Parse(m.Name, m.Data)
					if err != nil {
						b.Fatal(err)
					}
					gs = append(gs, g)
				}
				b.StartTimer()
				if _, err := jitlink.MergeGraphs(filepath.Base(path), gs...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseArchive parses every member of each archive.
func BenchmarkParseArchive(b *testing.B) {
	for _, path := range debianArchives {
		a := loadArchive(b, path)
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range a.Members {
					if _, err := jelf.Parse(m.Name, m.Data); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
