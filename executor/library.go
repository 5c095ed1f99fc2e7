//go:build cgo

package executor

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gorc-jit/gorc/shared"
)

// DefaultLibraryDirs are searched after the caller's directories when
// resolving -lNAME, in the order GNU ld searches them on Debian x86-64
// (shared.DefaultLibraryDirs: the controller searches the same ones for
// static archives).
var DefaultLibraryDirs = shared.DefaultLibraryDirs

// LoadLibrary loads a shared library the way a static linker finds one and
// returns its handle and the file actually loaded.
//
// name is a path (it contains a '/'), "-lNAME", or a bare soname such as
// "libm.so.6" (left to dlopen's own search). For -lNAME, libNAME.so is
// looked for in dirs and then DefaultLibraryDirs; if that file is a GNU
// ld script (Debian's libc.so and libm.so are), the shared objects it
// names in GROUP/INPUT are loaded instead (static archives in it are
// skipped). If no libNAME.so exists (no -dev package), the highest
// versioned libNAME.so.N found in the same directories is used.
func LoadLibrary(name string, dirs []string) (shared.ExecutorAddr, string, error) {
	if !strings.HasPrefix(name, "-l") {
		if strings.Contains(name, "/") {
			return loadPath(name, 0)
		}
		h, err := Dlopen(name)
		return h, name, err
	}
	lib := strings.TrimPrefix(name, "-l")
	if lib == "" || strings.ContainsAny(lib, "/\x00") {
		return 0, "", fmt.Errorf("executor: load library %q: bad name", name)
	}
	search := append(append([]string(nil), dirs...), DefaultLibraryDirs...)
	for _, d := range search {
		p := filepath.Join(d, "lib"+lib+".so")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return loadPath(p, 0)
		}
	}
	for _, d := range search {
		m, _ := filepath.Glob(filepath.Join(d, "lib"+lib+".so.[0-9]*"))
		if len(m) > 0 {
			sort.Strings(m)
			return loadPath(m[len(m)-1], 0)
		}
	}
	return 0, "", fmt.Errorf("executor: load library %s: lib%s.so not found in %s", name, lib, strings.Join(search, ":"))
}

func loadPath(p string, depth int) (shared.ExecutorAddr, string, error) {
	if depth > 4 {
		return 0, "", fmt.Errorf("executor: load library %s: linker scripts nested too deeply", p)
	}
	var dlErr error
	if depth > 0 {
		// A file a linker script names is a shared object (libm.so.6):
		// dlopen reads it once; only if that fails is it looked at as
		// a script of its own.
		h, err := Dlopen(p)
		if err == nil {
			return h, p, nil
		}
		dlErr = err
	}
	data, elf, err := readLibraryHead(p)
	if err != nil {
		return 0, "", fmt.Errorf("executor: load library: %w", err)
	}
	if elf {
		if dlErr != nil {
			return 0, "", dlErr
		}
		h, err := Dlopen(p)
		return h, p, err
	}
	if len(data) > 1<<20 {
		return 0, "", fmt.Errorf("executor: load library %s: not an ELF file and too large for a linker script", p)
	}
	paths := linkerScriptInputs(string(data))
	if len(paths) == 0 {
		return 0, "", fmt.Errorf("executor: load library %s: neither an ELF shared object nor a linker script naming one", p)
	}
	var first shared.ExecutorAddr
	var firstPath string
	for _, q := range paths {
		if strings.HasSuffix(q, ".a") || strings.HasSuffix(q, ".o") {
			continue // static parts of a script (libc_nonshared.a): the runtime helpers cover them
		}
		if strings.HasPrefix(q, "-l") {
			h, got, err := LoadLibrary(q, []string{filepath.Dir(p)})
			if err != nil {
				return 0, "", fmt.Errorf("executor: load library %s (linker script): %w", p, err)
			}
			if first == 0 {
				first, firstPath = h, got
			}
			continue
		}
		if !filepath.IsAbs(q) {
			q = filepath.Join(filepath.Dir(p), q)
		}
		h, got, err := loadPath(q, depth+1)
		if err != nil {
			return 0, "", fmt.Errorf("executor: load library %s (linker script): %w", p, err)
		}
		if first == 0 {
			first, firstPath = h, got
		}
	}
	if first == 0 {
		return 0, "", fmt.Errorf("executor: load library %s: linker script names no shared object", p)
	}
	return first, firstPath, nil
}

// readLibraryHead opens p once: if it starts with the ELF magic it
// reports elf (and no data: dlopen reads the file itself); otherwise it
// returns the file's content, at most 1 MiB + 1 bytes (a linker script is
// small; more means it is none).
func readLibraryHead(p string) (data []byte, elf bool, err error) {
	f, err := openRead(p)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if n == 4 && bytes.Equal(head, []byte("\x7fELF")) {
		return nil, true, nil
	}
	rest, err := io.ReadAll(io.LimitReader(f, 1<<20+1-int64(n)))
	if err != nil {
		return nil, false, err
	}
	return append(head[:n], rest...), false, nil
}

// linkerScriptInputs returns the file names in the GROUP(...) and
// INPUT(...) commands of a GNU ld script, including AS_NEEDED lists.
func linkerScriptInputs(s string) []string {
	// Strip /* */ comments.
	for {
		i := strings.Index(s, "/*")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+2:], "*/")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + " " + s[i+2+j+2:]
	}
	s = strings.NewReplacer("(", " ( ", ")", " ) ", ",", " ").Replace(s)
	toks := strings.Fields(s)
	var out []string
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case depth == 0 && (t == "GROUP" || t == "INPUT") && i+1 < len(toks) && toks[i+1] == "(":
			depth = 1
			i++
		case depth > 0 && t == "AS_NEEDED":
		case depth > 0 && t == "(":
			depth++
		case depth > 0 && t == ")":
			depth--
		case depth > 0:
			out = append(out, t)
		}
	}
	return out
}
