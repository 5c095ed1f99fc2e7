package layout

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// pkg is what the rules need of `go list -json`.
type pkg struct {
	ImportPath string
	Doc        string
	Imports    []string
	CgoFiles   []string
	GoFiles    []string
}

// listPackages runs `go list -json ./...` at the module root.
func listPackages(t *testing.T) map[string]*pkg {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs[p.ImportPath] = &p
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// under reports whether path is prefix or a package below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func anyUnder(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

const mod = "github.com/gorc-jit/gorc/"

// rule restricts the gorc imports of the packages under from.
type rule struct {
	name string
	from []string // packages the rule applies to (with their subpackages)
	// except lists packages under from that the rule does not cover.
	except []string
	// allow, when non-nil, lists the only gorc packages (with their
	// subpackages) they may import.
	allow []string
	// deny lists gorc packages they must not import.
	deny []string
}

// The architecture packages: only the target package (which picks the
// architecture for a triple) and the command may name them.
var archPkgs = []string{"github.com/gorc-jit/gorc/jitlink/amd64", "github.com/gorc-jit/gorc/backend/amd64"}

var rules = []rule{
	{
		name:  "the contract between the processes depends on nothing of either side",
		from:  []string{"github.com/gorc-jit/gorc/shared"},
		allow: []string{"github.com/gorc-jit/gorc/shared"},
	},
	{
		name:  "the executor runtime imports no controller code",
		from:  []string{"github.com/gorc-jit/gorc/executor"},
		allow: []string{"github.com/gorc-jit/gorc/shared", "github.com/gorc-jit/gorc/internal/rawfile"},
	},
	{
		name:  "the compiler stack emits ELF bytes and never imports the linker, session or executor",
		from:  []string{"github.com/gorc-jit/gorc/kaleidoscope", "github.com/gorc-jit/gorc/ir", "github.com/gorc-jit/gorc/backend", "github.com/gorc-jit/gorc/objfile"},
		allow: []string{"github.com/gorc-jit/gorc/kaleidoscope", "github.com/gorc-jit/gorc/ir", "github.com/gorc-jit/gorc/backend", "github.com/gorc-jit/gorc/objfile", "github.com/gorc-jit/gorc/internal/diag"},
	},
	{
		name: "the linker never imports the session, executor control or the compilers",
		from: []string{"github.com/gorc-jit/gorc/jitlink"},
		// e2e (end-to-end tests) and jitlinktest/epclink (a test helper)
		// drive the linker with a real executor and memory manager.
		// The object writer (objfile) is below the linker: jitlink/elf
		// builds a graph straight from an elfw.Writer (FromWriter).
		except: []string{"github.com/gorc-jit/gorc/jitlink/e2e", "github.com/gorc-jit/gorc/jitlink/jitlinktest/epclink"},
		allow:  []string{"github.com/gorc-jit/gorc/jitlink", "github.com/gorc-jit/gorc/shared", "github.com/gorc-jit/gorc/internal/diag", "github.com/gorc-jit/gorc/objfile"},
	},
	{
		name:   "the session core is independent of linking, compilers and executors",
		from:   []string{"github.com/gorc-jit/gorc/orc"},
		except: []string{"github.com/gorc-jit/gorc/orc/objlayer", "github.com/gorc-jit/gorc/orc/epc", "github.com/gorc-jit/gorc/orc/lazy"},
		allow:  []string{"github.com/gorc-jit/gorc/orc", "github.com/gorc-jit/gorc/shared"},
	},
	{
		name:  "internal helpers are leaves every layer may use",
		from:  []string{"github.com/gorc-jit/gorc/internal/diag", "github.com/gorc-jit/gorc/internal/rawfile"},
		allow: []string{},
	},
	{
		name: "executor control and memory managers do not import the session or linker layers above them",
		from: []string{"github.com/gorc-jit/gorc/orc/epc"},
		deny: []string{"github.com/gorc-jit/gorc/orc/objlayer", "github.com/gorc-jit/gorc/jit", "github.com/gorc-jit/gorc/jitlink", "github.com/gorc-jit/gorc/target", "github.com/gorc-jit/gorc/ir", "github.com/gorc-jit/gorc/kaleidoscope", "github.com/gorc-jit/gorc/backend"},
	},
	{
		name:  "the code cache is a store of bytes that imports nothing of gorc but the file-reading leaf",
		from:  []string{"github.com/gorc-jit/gorc/codecache"},
		allow: []string{"github.com/gorc-jit/gorc/internal/rawfile"},
	},
	{
		name:  "compile workers turn IR into objects: they import the compilers and the target, never the session, linker or executor",
		from:  []string{"github.com/gorc-jit/gorc/worker"},
		allow: []string{"github.com/gorc-jit/gorc/worker", "github.com/gorc-jit/gorc/ir", "github.com/gorc-jit/gorc/target", "github.com/gorc-jit/gorc/shared", "github.com/gorc-jit/gorc/codecache", "github.com/gorc-jit/gorc/internal/diag"},
	},
	{
		name: "nothing but the command imports the command",
		from: []string{"github.com/gorc-jit/gorc"},
		deny: []string{"github.com/gorc-jit/gorc/cmd"},
	},
}

func (r rule) applies(path string) bool {
	return anyUnder(path, r.from) && !anyUnder(path, r.except)
}

// TestImportRules checks DESIGN.md's one-way dependency rules on the
// non-test imports of every package.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			covered := 0
			for path, p := range pkgs {
				if !r.applies(path) {
					continue
				}
				covered++
				for _, imp := range p.Imports {
					if !strings.HasPrefix(imp, mod) {
						continue
					}
					if r.allow != nil && !anyUnder(imp, r.allow) {
						t.Errorf("%s imports %s, outside what the rule allows (%s)", path, imp, strings.Join(r.allow, ", "))
					}
					if anyUnder(imp, r.deny) {
						t.Errorf("%s imports %s", path, imp)
					}
				}
			}
			if covered == 0 {
				t.Fatalf("rule covers no package: is the layout it names gone?")
			}
		})
	}
}

// TestArchitecturePackagesImportedOnlyByTarget checks that only the target
// package (and the command) import an architecture package, so that a
// second architecture adds a folder and an entry in target.
func TestArchitecturePackagesImportedOnlyByTarget(t *testing.T) {
	pkgs := listPackages(t)
	for path, p := range pkgs {
		if under(path, "github.com/gorc-jit/gorc/target") || under(path, "github.com/gorc-jit/gorc/cmd") || anyUnder(path, archPkgs) {
			continue
		}
		for _, imp := range p.Imports {
			if anyUnder(imp, archPkgs) {
				t.Errorf("%s imports the architecture package %s; reach it through github.com/gorc-jit/gorc/target", path, imp)
			}
		}
	}
}

// TestCgoOnlyInExecutor checks that cgo is confined to the executor
// runtime, so everything else builds with CGO_ENABLED=0.
func TestCgoOnlyInExecutor(t *testing.T) {
	for path, p := range listPackages(t) {
		if len(p.CgoFiles) > 0 && path != "github.com/gorc-jit/gorc/executor" {
			t.Errorf("%s uses cgo (%s); only github.com/gorc-jit/gorc/executor may", path, strings.Join(p.CgoFiles, ", "))
		}
	}
}

// TestPackageDocs checks that every package says what it is for.
func TestPackageDocs(t *testing.T) {
	var missing []string
	for path, p := range listPackages(t) {
		if strings.TrimSpace(p.Doc) == "" {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("packages without a package doc comment: %s", strings.Join(missing, ", "))
	}
}

// TestBuildsWithoutCgo checks DESIGN.md's first decision: everything but
// the executor runtime is pure Go, so the module builds and vets with
// CGO_ENABLED=0 (the executor package is then empty and the in-process
// executor reports that it needs cgo).
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole module")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("CGO_ENABLED=0 go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
