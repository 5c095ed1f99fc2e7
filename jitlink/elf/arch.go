package elf

import (
	"debug/elf"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gorc-jit/gorc/jitlink"
)

// Arch is what the reader needs from an architecture besides the
// linker's jitlink.Arch: its e_machine, its relocation table and the
// edge kind of an .eh_frame CIE pointer. Architecture packages implement
// it without importing this package; package target registers them.
type Arch interface {
	jitlink.Arch
	// ELFMachine is the e_machine of the architecture's objects.
	ELFMachine() elf.Machine
	// ELFRelocations is the relocation table indexed by r_type (types
	// past its end and entries with Kind jitlink.KindInvalid are
	// unsupported). The reader indexes it once per relocation, so it
	// must be a plain slice that does not change.
	ELFRelocations() []jitlink.RelocationInfo
	// ELFRelocationName names a relocation type in diagnostics.
	ELFRelocationName(typ uint32) string
	// ELFUnsupportedRelocation explains, for an error, why typ is not
	// supported.
	ELFUnsupportedRelocation(typ uint32) string
	// ELFUnwindSectionType is the processor-specific section type that
	// holds .eh_frame-format unwind tables (0 if none).
	ELFUnwindSectionType() elf.SectionType
	// ELFCIEPointerKind is the edge kind of an FDE's CIE pointer: P - S
	// as a signed 32-bit value.
	ELFCIEPointerKind() jitlink.EdgeKind
}

var (
	archMu sync.RWMutex
	archs  = map[elf.Machine]Arch{}
)

// RegisterArch makes the reader accept objects for a.ELFMachine().
// Package target registers every architecture gorc supports; registering
// a machine twice replaces the earlier architecture.
func RegisterArch(a Arch) {
	archMu.Lock()
	archs[a.ELFMachine()] = a
	archMu.Unlock()
}

// ArchFor returns the registered architecture for machine m.
func ArchFor(m elf.Machine) (Arch, error) {
	archMu.RLock()
	a, ok := archs[m]
	var have []string
	if !ok {
		for k := range archs {
			have = append(have, k.String())
		}
	}
	archMu.RUnlock()
	if ok {
		return a, nil
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("no architecture is registered for machine %v (none is: import github.com/gorc-jit/gorc/target)", m)
	}
	sort.Strings(have)
	return nil, fmt.Errorf("unsupported machine %v (supported: %s)", m, strings.Join(have, ", "))
}
