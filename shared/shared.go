// Package shared is the contract between gorc's two processes: the
// controller (session, linker, compilers, executor control) and the
// executor runtime that runs JIT'd code. It holds the value types both
// sides use (executor addresses, protections, wrapper-call buffers); its
// subpackage wire is the byte-stream protocol they speak. It depends on
// nothing but the standard library, so either side may import it without
// importing the other, as DESIGN.md's one-way rules require.
package shared

import (
	"errors"
	"fmt"
)

// ExecutorAddr is an address in the executing process. It is a distinct
// type so that controller-side pointers and executor addresses are never
// confused: the executor may be another process or another machine.
type ExecutorAddr uint64

// String formats the address as 0x-prefixed hex.
func (a ExecutorAddr) String() string { return fmt.Sprintf("%#x", uint64(a)) }

// Add returns a+off.
func (a ExecutorAddr) Add(off uint64) ExecutorAddr { return a + ExecutorAddr(off) }

// IsNull reports whether a is the zero address.
func (a ExecutorAddr) IsNull() bool { return a == 0 }

// ExecutorAddrRange is the half-open range [Start, End).
type ExecutorAddrRange struct {
	Start, End ExecutorAddr
}

// Size returns End-Start.
func (r ExecutorAddrRange) Size() uint64 { return uint64(r.End - r.Start) }

// Contains reports whether a lies in r.
func (r ExecutorAddrRange) Contains(a ExecutorAddr) bool { return a >= r.Start && a < r.End }

// Overlaps reports whether r and o share at least one byte.
func (r ExecutorAddrRange) Overlaps(o ExecutorAddrRange) bool {
	return r.Start < o.End && o.Start < r.End
}

func (r ExecutorAddrRange) String() string {
	return fmt.Sprintf("[%v, %v)", r.Start, r.End)
}

// MemProt is a set of memory protections for JIT'd memory. gorc keeps W^X:
// a finalized segment is never both writable and executable.
type MemProt uint8

const (
	ProtRead MemProt = 1 << iota
	ProtWrite
	ProtExec
)

// String formats p as "rwx" with dashes for missing permissions.
func (p MemProt) String() string {
	b := []byte("---")
	if p&ProtRead != 0 {
		b[0] = 'r'
	}
	if p&ProtWrite != 0 {
		b[1] = 'w'
	}
	if p&ProtExec != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// Valid reports whether p respects W^X.
func (p MemProt) Valid() bool { return p&(ProtWrite|ProtExec) != ProtWrite|ProtExec }

// WrapperCall is a call of an executor-side wrapper function: a function
// with the C signature
//
//	gorc_wrapper_result fn(const uint8_t *arg, size_t len);
//
// that takes its arguments serialized in one byte buffer and returns its
// result (or an error message) in another. Executor services (memory,
// EH-frame registration, symbol lookup, lazy-compile re-entry) are all
// reached this way, so that in-process and remote execution share one ABI.
type WrapperCall struct {
	Fn  ExecutorAddr
	Arg []byte
}

// AllocActionPair is a pair of wrapper calls attached to an allocation: the
// executor runs Finalize after the memory is finalized (for example to
// register an EH frame) and Dealloc before it is released (to deregister
// it). A zero Fn means "no call".
type AllocActionPair struct {
	Finalize WrapperCall
	Dealloc  WrapperCall
}

// DefaultLibraryDirs are searched after the caller's -L directories when
// resolving -lNAME, in the order GNU ld searches them on Debian x86-64.
// The executor searches them for shared libraries (on its machine), the
// controller for static archives (which it links itself).
var DefaultLibraryDirs = []string{
	"/usr/local/lib/x86_64-linux-gnu",
	"/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu",
	"/usr/local/lib",
	"/lib",
	"/usr/lib",
}

// ErrNotMyTrampoline is returned (wrapped) by a lazy re-entry handler
// asked about a trampoline it did not hand out. Several handlers can be
// installed in one executor process (two in-process JITs, or several
// controllers of one executor); the re-entry point asks each in turn and
// takes the first answer that is not this error.
var ErrNotMyTrampoline = errors.New("not a trampoline of this handler")
