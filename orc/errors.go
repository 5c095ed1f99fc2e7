package orc

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Sentinel errors; returned errors wrap them with context (use errors.Is).
var (
	// ErrSessionEnded: the session's EndSession has been called.
	ErrSessionEnded = errors.New("execution session has ended")
	// ErrJITDylibRemoved: the JITDylib has been removed.
	ErrJITDylibRemoved = errors.New("JITDylib has been removed")
	// ErrResourceTrackerRemoved: the tracker (or its dylib) was removed.
	ErrResourceTrackerRemoved = errors.New("resource tracker has been removed")
	// ErrResponsibility: a MaterializationResponsibility was misused
	// (symbol not owned, emitted twice, used after failure...).
	ErrResponsibility = errors.New("materialization responsibility misuse")
)

// SymbolsNotFoundError reports required symbols that no dylib in the search
// order defines.
type SymbolsNotFoundError struct {
	Symbols []SymbolName
}

func (e *SymbolsNotFoundError) Error() string {
	return fmt.Sprintf("symbols not found: [%s]", strings.Join(sortedNames(e.Symbols), ", "))
}

// DuplicateDefinitionError reports a second strong definition of a symbol in
// one JITDylib.
type DuplicateDefinitionError struct {
	Symbol         SymbolName
	JITDylib       string
	ExistingSource string
	NewSource      string
	Reason         string // why the two could not be merged, or ""
}

func (e *DuplicateDefinitionError) Error() string {
	msg := fmt.Sprintf("duplicate definition of symbol %q in JITDylib %q: already defined by %s, redefined by %s",
		e.Symbol.String(), e.JITDylib, e.ExistingSource, e.NewSource)
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	return msg
}

// FailedToMaterializeError reports symbols that failed, by JITDylib name,
// and the underlying cause (the unit's error, or the failed dependency).
type FailedToMaterializeError struct {
	Symbols map[string][]string // JITDylib name -> sorted symbol names
	Cause   error
}

// maxListedSymbols is how many symbols of a dylib a
// FailedToMaterializeError's message names (Symbols has them all).
const maxListedSymbols = 16

func (e *FailedToMaterializeError) Error() string {
	var b strings.Builder
	b.WriteString("failed to materialize symbols: ")
	dylibs := make([]string, 0, len(e.Symbols))
	for d := range e.Symbols {
		dylibs = append(dylibs, d)
	}
	sort.Strings(dylibs)
	for i, d := range dylibs {
		if i > 0 {
			b.WriteString(", ")
		}
		syms := e.Symbols[d]
		if len(syms) > maxListedSymbols {
			// (A large object's failure listed every symbol it defines:
			// 3,000 names, 20 KB, before its cause.)
			fmt.Fprintf(&b, "%s: [%s, and %d more]", d, strings.Join(syms[:maxListedSymbols], ", "), len(syms)-maxListedSymbols)
			continue
		}
		fmt.Fprintf(&b, "%s: [%s]", d, strings.Join(syms, ", "))
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *FailedToMaterializeError) Unwrap() error { return e.Cause }

func newFailedError(syms []*symbolEntry, cause error) *FailedToMaterializeError {
	m := make(map[string][]string)
	for _, s := range syms {
		m[s.jd.name] = append(m[s.jd.name], s.name.String())
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return &FailedToMaterializeError{Symbols: m, Cause: cause}
}
