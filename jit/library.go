package jit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorc-jit/gorc/shared"
)

// ErrLibraryNotFound is returned (wrapped) by FindLibrary when no file
// matches.
var ErrLibraryNotFound = errors.New("library not found")

// FindLibrary finds the file GNU ld links for -lNAME (name "-lNAME") or
// -l:FILE (name "-l:FILE"). As ld does on ELF systems, it searches each of
// dirs in order and then shared.DefaultLibraryDirs, and in each directory
// takes libNAME.so before libNAME.a; with static (ld's -static), only
// libNAME.a. For -l:FILE it takes FILE exactly as named. The result is the
// path found; the error wraps ErrLibraryNotFound and lists the
// directories searched.
//
// The search runs on this (the controller's) machine. A shared library is
// loaded by the executor, which searches its own machine again (see
// AddLibrary); an archive is linked here.
func FindLibrary(name string, dirs []string, static bool) (string, error) {
	lib, ok := strings.CutPrefix(name, "-l")
	if !ok || lib == "" || lib == ":" || strings.ContainsAny(lib, "/\x00") {
		return "", fmt.Errorf("jit: library %q: want -lNAME or -l:FILE", name)
	}
	var files []string
	if exact, ok := strings.CutPrefix(lib, ":"); ok {
		files = []string{exact}
	} else {
		if !static {
			files = append(files, "lib"+lib+".so")
		}
		files = append(files, "lib"+lib+".a")
	}
	search := append(append([]string(nil), dirs...), shared.DefaultLibraryDirs...)
	for _, d := range search {
		for _, f := range files {
			p := filepath.Join(d, f)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("jit: %s: %w: no %s in %s", name, ErrLibraryNotFound, strings.Join(files, " or "), strings.Join(search, ":"))
}

// isArchivePath reports whether a library path names a static archive.
func isArchivePath(p string) bool { return strings.HasSuffix(p, ".a") }

// AddLibrary adds the library -lNAME or -l:FILE names, found as GNU ld
// finds it (FindLibrary, with Options.SearchDirs): a static archive is
// added as AddArchive adds one (its members linked when needed); a shared
// library is loaded into the executor as LoadDylib loads it. When no file
// is found on this machine, the name is left to the executor (LoadDylib),
// which also accepts a versioned libNAME.so.N and searches its own
// machine — unless static, when only an archive will do.
func (j *JIT) AddLibrary(ctx context.Context, name string, static bool) error {
	p, err := FindLibrary(name, j.opts.SearchDirs, static)
	switch {
	case err == nil && isArchivePath(p):
		return j.AddArchive(p)
	case err == nil && strings.HasPrefix(name, "-l:"):
		return j.LoadDylib(ctx, p)
	case err != nil && (static || strings.HasPrefix(name, "-l:") || !errors.Is(err, ErrLibraryNotFound)):
		return err
	}
	return j.LoadDylib(ctx, name)
}
