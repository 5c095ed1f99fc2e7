package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// cxxRuntimeLib is the library gorc run adds after the inputs when an IR
// input is C++ (as clang++'s driver adds -lstdc++ to the link line).
const cxxRuntimeLib = "-lstdc++"

// addCxxRuntime appends cxxRuntimeLib to o.libs when an IR input (.ll) is
// C++ (isCxxIR) and the command line made no choice of C++ library:
// neither -lstdc++ nor -lc++ (nor a path to either library) nor -static.
// It is searched after everything the command line names, as the last
// library of clang++'s link line is. libm is loaded for every IR input
// already (jit.AddIR). It reports whether it added the library.
func addCxxRuntime(o *runOptions) bool {
	if o.static {
		return false
	}
	for _, l := range o.libs {
		base := filepath.Base(strings.TrimPrefix(strings.TrimPrefix(l, "-l:"), "-l"))
		if l == "-lstdc++" || l == "-lc++" || strings.HasPrefix(base, "libstdc++") || strings.HasPrefix(base, "libc++") {
			return false
		}
	}
	for _, in := range o.inputs {
		if strings.HasSuffix(in, ".ll") && isCxxIR(in) {
			o.libs = append(o.libs, cxxRuntimeLib)
			return true
		}
	}
	return false
}

// cxxHead is how much of an IR file isCxxIR reads for its
// source_filename (clang puts it on the second line, after the
// ModuleID).
const cxxHead = 4096

// cxxScanAll is the largest IR file without a source_filename whose
// every byte isCxxIR scans; of a larger one it scans the head and the
// last cxxTail bytes, where declarations are (clang and llvm-dis put
// them last, people first): a whole scan would cost about 2 ms per MB
// on the start-up of every such run.
const (
	cxxScanAll = 1 << 20
	cxxTail    = 256 << 10
)

// isCxxIR reports whether the IR file at path is a C++ module: its
// source_filename names a C++ source (.cpp, .cc, .cxx, .c++, .cp, .C,
// .CPP, .ii, .cppm, .ixx: the suffixes clang++ reads as C++), or, when
// the file's first cxxHead bytes name no source file (IR written by
// hand or by a tool), it refers to libstdc++ or the C++ ABI library
// (cxxRuntimeRef) in its first cxxScanAll bytes, or in its head or last
// cxxTail bytes when larger. A file that cannot be read is not C++ here
// (reading it as an input reports the error).
func isCxxIR(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, cxxHead)
	n, _ := io.ReadFull(f, buf)
	head := buf[:n]
	if name, ok := sourceFilename(head); ok {
		return isCxxSource(name)
	}
	if cxxRuntimeRef(head) || n < cxxHead {
		return cxxRuntimeRef(head)
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	off := int64(n) - 32 // a name across the head's end is found
	if st.Size() > cxxScanAll {
		off = max(off, st.Size()-cxxTail)
	}
	rest := make([]byte, st.Size()-off)
	m, _ := f.ReadAt(rest, off)
	return cxxRuntimeRef(rest[:m])
}

// sourceFilename returns the string of the module's `source_filename =
// "..."` line if head holds it.
func sourceFilename(head []byte) (string, bool) {
	const key = "source_filename = \""
	i := bytes.Index(head, []byte(key))
	if i < 0 || i > 0 && head[i-1] != '\n' {
		return "", false
	}
	rest := head[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// isCxxSource reports whether a source file name has a suffix clang++
// reads as C++.
func isCxxSource(name string) bool {
	switch filepath.Ext(name) {
	case ".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP", ".ii", ".cppm", ".ixx":
		return true
	}
	return false
}

// cxxRuntimeRefs are names only C++ code refers to: libstdc++'s
// namespace std (_ZSt, _ZNSt, _ZNKSt), the C++ ABI's runtime (__cxa_*,
// the personality routine) and operators new and delete.
var cxxRuntimeRefs = [][]byte{
	[]byte("@_ZSt"), []byte("@_ZNSt"), []byte("@_ZNKSt"), []byte("@__cxa_"), []byte("@__gxx_personality_v0"),
	[]byte("@_Znwm"), []byte("@_Znam"), []byte("@_ZdlPv"), []byte("@_ZdaPv"),
}

// cxxRuntimeRef reports whether IR text refers to one of cxxRuntimeRefs.
func cxxRuntimeRef(src []byte) bool {
	for _, r := range cxxRuntimeRefs {
		if bytes.Contains(src, r) {
			return true
		}
	}
	return false
}
