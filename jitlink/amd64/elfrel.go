package amd64

import (
	"debug/elf"
	"fmt"

	"github.com/gorc-jit/gorc/jitlink"
)

// The ELF knowledge of x86-64, which jitlink/elf reads through its Arch
// interface (this package does not import the reader).

var elfRelocs = func() []jitlink.RelocationInfo {
	tab := map[elf.R_X86_64]jitlink.RelocationInfo{
		elf.R_X86_64_64:            {Kind: Pointer64, Size: 8},
		elf.R_X86_64_PC32:          {Kind: Delta32, Size: 4},
		elf.R_X86_64_PLT32:         {Kind: BranchPCRel32, Size: 4},
		elf.R_X86_64_GOTPCREL:      {Kind: RequestGOTAndTransformToDelta32, Size: 4},
		elf.R_X86_64_32:            {Kind: Pointer32, Size: 4, Low2GiB: true},
		elf.R_X86_64_32S:           {Kind: Pointer32Signed, Size: 4, Low2GiB: true},
		elf.R_X86_64_DTPOFF64:      {Kind: DTPOff64, Size: 8},
		elf.R_X86_64_TPOFF64:       {Kind: TPOff64, Size: 8},
		elf.R_X86_64_TLSGD:         {Kind: RequestTLSGD, Size: 4},
		elf.R_X86_64_TLSLD:         {Kind: RequestTLSLD, Size: 4},
		elf.R_X86_64_DTPOFF32:      {Kind: DTPOff32, Size: 4},
		elf.R_X86_64_GOTTPOFF:      {Kind: RequestTLSIEGOT, Size: 4},
		elf.R_X86_64_TPOFF32:       {Kind: TPOff32, Size: 4},
		elf.R_X86_64_PC64:          {Kind: Delta64, Size: 8},
		elf.R_X86_64_GOTOFF64:      {Kind: Delta64FromGOT, Size: 8},
		elf.R_X86_64_GOTPC32:       {Kind: Delta32, Size: 4},
		elf.R_X86_64_GOT64:         {Kind: RequestGOTAndTransformToDelta64FromGOT, Size: 8},
		elf.R_X86_64_GOTPCREL64:    {Kind: RequestGOTAndTransformToDelta64, Size: 8},
		elf.R_X86_64_GOTPC64:       {Kind: Delta64, Size: 8},
		elf.R_X86_64_GOTPLT64:      {Kind: RequestGOTAndTransformToDelta64FromGOT, Size: 8},
		elf.R_X86_64_PLTOFF64:      {Kind: Delta64FromGOT, Size: 8},
		elf.R_X86_64_SIZE32:        {Kind: Size32, Size: 4},
		elf.R_X86_64_SIZE64:        {Kind: Size64, Size: 8},
		elf.R_X86_64_GOTPCRELX:     {Kind: RequestGOTAndTransformToPCRel32GOTLoadRelaxable, Size: 4},
		elf.R_X86_64_REX_GOTPCRELX: {Kind: RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable, Size: 4},
	}
	n := 0
	for t := range tab {
		n = max(n, int(t)+1)
	}
	s := make([]jitlink.RelocationInfo, n)
	for t, ri := range tab {
		s[t] = ri
	}
	return s
}()

// ELFMachine is EM_X86_64.
func (arch) ELFMachine() elf.Machine { return elf.EM_X86_64 }

// ELFRelocations returns the R_X86_64_* table indexed by relocation type
// (R_X86_64_NONE and unsupported types have Kind KindInvalid). It must
// not be modified.
func (arch) ELFRelocations() []jitlink.RelocationInfo { return elfRelocs }

// ELFRelocationName names an R_X86_64_* type for diagnostics.
func (arch) ELFRelocationName(typ uint32) string { return elf.R_X86_64(typ).String() }

// ELFUnsupportedRelocation explains why typ is not supported, with a hint
// where one helps.
func (arch) ELFUnsupportedRelocation(typ uint32) string {
	msg := fmt.Sprintf("unsupported relocation %v", elf.R_X86_64(typ))
	switch elf.R_X86_64(typ) {
	case elf.R_X86_64_GOTPC32_TLSDESC, elf.R_X86_64_TLSDESC_CALL, elf.R_X86_64_TLSDESC:
		msg += " (TLS descriptors: compile with -mtls-dialect=gnu)"
	case elf.R_X86_64_COPY, elf.R_X86_64_GLOB_DAT, elf.R_X86_64_JMP_SLOT, elf.R_X86_64_RELATIVE, elf.R_X86_64_IRELATIVE:
		msg += " (a dynamic relocation, not valid in a relocatable object)"
	}
	return msg
}

// ELFUnwindSectionType is SHT_X86_64_UNWIND, the type some producers give
// .eh_frame.
func (arch) ELFUnwindSectionType() elf.SectionType { return 0x70000001 }

// ELFCIEPointerKind is the edge kind of an FDE's CIE pointer (the
// distance back to its CIE, P - S, 32 bits).
func (arch) ELFCIEPointerKind() jitlink.EdgeKind { return NegDelta32 }
