// Package layout holds no code: its tests keep the repository's layout
// true to DESIGN.md. They read `go list` and fail when an import crosses
// a boundary (the compiler stack importing the linker, the linker the
// session, the executor runtime any controller code, the session side an
// architecture package other than through github.com/gorc-jit/gorc/target), when cgo appears
// outside the executor runtime, or when a package lacks its doc comment.
package layout
