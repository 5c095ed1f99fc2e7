// Package amd64 is gorc's x86-64 JIT-link backend: edge kinds, fixup
// application with overflow checks, GOT and PLT-stub building,
// GOTPCRELX relaxation, stub bypass, stubs for absolute references to
// far externals, non-PIC C++ typeinfo rewriting, the stub shapes of
// jitlink.Arch, and thread-local-storage lowering
// (initial-exec and general/local-dynamic relaxed to local-exec when the
// executor places the TLS image in the static TLS block).
package amd64

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gorc-jit/gorc/jitlink"
)

// Edge kinds. The comments give the value written (S: target address,
// A: addend, P: fixup address, GOT: the graph's GOT base, G: the target's
// GOT entry, TP: the thread pointer).
const (
	// Pointer64: S + A, 64 bits (R_X86_64_64).
	Pointer64 = jitlink.FirstArchKind + iota
	// Pointer32: S + A, zero-extended 32 bits (R_X86_64_32).
	Pointer32
	// Pointer32Signed: S + A, sign-extended 32 bits (R_X86_64_32S).
	Pointer32Signed
	// Delta64: S + A - P, 64 bits (R_X86_64_PC64, GOTPC64).
	Delta64
	// Delta32: S + A - P, signed 32 bits (R_X86_64_PC32, GOTPC32).
	Delta32
	// NegDelta32: P - S + A, signed 32 bits (EH-frame CIE pointers).
	NegDelta32
	// BranchPCRel32: S + A - P for a call or jump (R_X86_64_PLT32); a
	// target outside the graph is reached through a stub.
	BranchPCRel32
	// RequestGOTAndTransformToDelta32: G + A - P (R_X86_64_GOTPCREL).
	RequestGOTAndTransformToDelta32
	// RequestGOTAndTransformToPCRel32GOTLoadRelaxable: R_X86_64_GOTPCRELX.
	RequestGOTAndTransformToPCRel32GOTLoadRelaxable
	// RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable: R_X86_64_REX_GOTPCRELX.
	RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable
	// PCRel32GOTLoadRelaxable: Delta32 to a GOT entry; the instruction
	// may be rewritten to address the target directly.
	PCRel32GOTLoadRelaxable
	// PCRel32GOTLoadREXRelaxable: as above with a REX prefix.
	PCRel32GOTLoadREXRelaxable
	// Delta64FromGOT: S + A - GOT (R_X86_64_GOTOFF64, R_X86_64_PLTOFF64).
	Delta64FromGOT
	// RequestGOTAndTransformToDelta64FromGOT: G - GOT + A (R_X86_64_GOT64).
	RequestGOTAndTransformToDelta64FromGOT
	// RequestGOTAndTransformToDelta64: G + A - P (R_X86_64_GOTPCREL64).
	RequestGOTAndTransformToDelta64
	// Size32: size(S) + A (R_X86_64_SIZE32).
	Size32
	// Size64: size(S) + A (R_X86_64_SIZE64).
	Size64
	// TPOff32: S - TP + A, signed 32 bits (R_X86_64_TPOFF32).
	TPOff32
	// TPOff64: S - TP + A (R_X86_64_TPOFF64).
	TPOff64
	// DTPOff32: offset of S in the module's TLS image + A (R_X86_64_DTPOFF32).
	DTPOff32
	// DTPOff64: as DTPOff32, 64 bits (R_X86_64_DTPOFF64).
	DTPOff64
	// RequestTLSIEGOT: R_X86_64_GOTTPOFF, a GOT entry holding TPOff64(S).
	RequestTLSIEGOT
	// RequestTLSGD: R_X86_64_TLSGD, a tls_index {module, offset} for S.
	RequestTLSGD
	// RequestTLSLD: R_X86_64_TLSLD, a tls_index {module, 0}.
	RequestTLSLD
	// TLSIEDelta32: Delta32 to an initial-exec GOT entry (relaxable).
	TLSIEDelta32
	// TLSGDDelta32: Delta32 to a tls_index (relaxable).
	TLSGDDelta32
	// TLSLDDelta32: Delta32 to the module's tls_index (relaxable).
	TLSLDDelta32
	// TLSModuleID64: the TLS module id from the TLSLayout.
	TLSModuleID64
	lastKind
)

var kindNames = [...]string{
	Pointer64 - jitlink.FirstArchKind:                                          "Pointer64",
	Pointer32 - jitlink.FirstArchKind:                                          "Pointer32",
	Pointer32Signed - jitlink.FirstArchKind:                                    "Pointer32Signed",
	Delta64 - jitlink.FirstArchKind:                                            "Delta64",
	Delta32 - jitlink.FirstArchKind:                                            "Delta32",
	NegDelta32 - jitlink.FirstArchKind:                                         "NegDelta32",
	BranchPCRel32 - jitlink.FirstArchKind:                                      "BranchPCRel32",
	RequestGOTAndTransformToDelta32 - jitlink.FirstArchKind:                    "RequestGOTAndTransformToDelta32",
	RequestGOTAndTransformToPCRel32GOTLoadRelaxable - jitlink.FirstArchKind:    "RequestGOTAndTransformToPCRel32GOTLoadRelaxable",
	RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable - jitlink.FirstArchKind: "RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable",
	PCRel32GOTLoadRelaxable - jitlink.FirstArchKind:                            "PCRel32GOTLoadRelaxable",
	PCRel32GOTLoadREXRelaxable - jitlink.FirstArchKind:                         "PCRel32GOTLoadREXRelaxable",
	Delta64FromGOT - jitlink.FirstArchKind:                                     "Delta64FromGOT",
	RequestGOTAndTransformToDelta64FromGOT - jitlink.FirstArchKind:             "RequestGOTAndTransformToDelta64FromGOT",
	RequestGOTAndTransformToDelta64 - jitlink.FirstArchKind:                    "RequestGOTAndTransformToDelta64",
	Size32 - jitlink.FirstArchKind:                                             "Size32",
	Size64 - jitlink.FirstArchKind:                                             "Size64",
	TPOff32 - jitlink.FirstArchKind:                                            "TPOff32",
	TPOff64 - jitlink.FirstArchKind:                                            "TPOff64",
	DTPOff32 - jitlink.FirstArchKind:                                           "DTPOff32",
	DTPOff64 - jitlink.FirstArchKind:                                           "DTPOff64",
	RequestTLSIEGOT - jitlink.FirstArchKind:                                    "RequestTLSIEGOT",
	RequestTLSGD - jitlink.FirstArchKind:                                       "RequestTLSGD",
	RequestTLSLD - jitlink.FirstArchKind:                                       "RequestTLSLD",
	TLSIEDelta32 - jitlink.FirstArchKind:                                       "TLSIEDelta32",
	TLSGDDelta32 - jitlink.FirstArchKind:                                       "TLSGDDelta32",
	TLSLDDelta32 - jitlink.FirstArchKind:                                       "TLSLDDelta32",
	TLSModuleID64 - jitlink.FirstArchKind:                                      "TLSModuleID64",
}

// KindName names an edge kind.
func KindName(k jitlink.EdgeKind) string {
	if k == jitlink.KindKeepAlive {
		return "KeepAlive"
	}
	if k >= jitlink.FirstArchKind && k < lastKind {
		return kindNames[k-jitlink.FirstArchKind]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Arch is the x86-64 architecture for jitlink graphs.
var Arch jitlink.Arch = arch{}

type arch struct{}

func (arch) Name() string                           { return "x86-64" }
func (arch) EdgeKindName(k jitlink.EdgeKind) string { return KindName(k) }

// AddDefaultPasses installs, post-prune, GOT/stub building, far-data
// thunk reservation, the rewriting of non-PIC C++ typeinfo references
// (FarTypeinfo) and stubs for absolute 32-bit references to externals
// (AbsoluteStubs), and, pre-fixup, the relaxation/bypass/TLS/far-data
// optimizer and the bypass of absolute stubs whose target is in reach.
func (arch) AddDefaultPasses(g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	cfg.PostPrune = append(cfg.PostPrune, BuildGOTAndStubs, PrepareFarData, FarTypeinfo, AbsoluteStubs)
	cfg.PreFixup = append(cfg.PreFixup, Optimize, BypassAbsoluteStubs)
	return nil
}

// FixupError describes a fixup that cannot be applied.
type FixupError struct {
	Graph, Section string
	Offset         uint64 // offset in the input section
	Kind           string
	Target         string
	Value          int64
	Msg            string
}

func (e *FixupError) Error() string {
	return fmt.Sprintf("jitlink: %s: section %s offset %#x: %s to %s: %s (value %#x)",
		e.Graph, e.Section, e.Offset, e.Kind, e.Target, e.Msg, uint64(e.Value))
}

func fixupErr(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge, v int64, msg string) error {
	return &FixupError{Graph: g.Name, Section: b.Section.Name, Offset: b.Ordinal + e.Offset,
		Kind: KindName(e.Kind), Target: e.Target.String(), Value: v, Msg: msg}
}

func fitsInt32(v int64) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// gotBase returns the GOT base address recorded by BuildGOTAndStubs. It
// only reads the graph (ApplyFixup may run on several goroutines).
func gotBase(g *jitlink.LinkGraph) (uint64, bool) {
	st, _ := g.ArchState.(*graphState)
	if st == nil || st.gotHeader == nil {
		return 0, false
	}
	return uint64(st.gotHeader.Address()), true
}

func tpoff(g *jitlink.LinkGraph, s *jitlink.Symbol) (int64, error) {
	r, ok := g.TLSRefOf(s)
	if !ok {
		return 0, fmt.Errorf("no TLS layout for the target")
	}
	if !r.Layout.Static {
		if r.Layout.Why != "" {
			return 0, fmt.Errorf("initial-exec access to a thread-local symbol not in static TLS: %s", r.Layout.Why)
		}
		return 0, fmt.Errorf("TLS image is not in the static TLS block")
	}
	return int64(r.Offset) + r.Layout.TPOffset, nil
}

func dtpoff(g *jitlink.LinkGraph, s *jitlink.Symbol) (int64, error) {
	r, ok := g.TLSRefOf(s)
	if !ok {
		return 0, fmt.Errorf("no TLS layout for the target")
	}
	return int64(r.Offset), nil
}

// ApplyFixup writes one edge.
func (arch) ApplyFixup(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge) error {
	return ApplyFixup(g, b, e)
}

// ApplyFixup writes edge e into b's working memory.
func ApplyFixup(g *jitlink.LinkGraph, b *jitlink.Block, e *jitlink.Edge) error {
	width := uint64(4)
	switch e.Kind {
	case Pointer64, Delta64, Delta64FromGOT, Size64, TPOff64, DTPOff64, TLSModuleID64:
		width = 8
	}
	if e.Offset > uint64(len(b.Content)) || uint64(len(b.Content))-e.Offset < width {
		return fixupErr(g, b, e, int64(e.Offset), "fixup extends past the end of its block")
	}
	fix := b.Content[e.Offset:]
	P := int64(b.Addr) + int64(e.Offset)
	S := int64(e.Target.Address())
	A := e.Addend
	w32s := func(v int64) error {
		if !fitsInt32(v) {
			return fixupErr(g, b, e, v, "value out of range for a signed 32-bit field")
		}
		binary.LittleEndian.PutUint32(fix, uint32(int32(v)))
		return nil
	}
	switch e.Kind {
	case Pointer64:
		binary.LittleEndian.PutUint64(fix, uint64(S+A))
	case Pointer32:
		v := S + A
		if v < 0 || v > math.MaxUint32 {
			if e.Target.Kind == jitlink.SymExternal {
				return fixupErr(g, b, e, v, "external symbol is above 4 GiB, out of reach of a 32-bit absolute relocation (non-PIC code); compile with -fPIE or -fPIC")
			}
			return fixupErr(g, b, e, v, "value out of range for an unsigned 32-bit field (non-PIC code needs memory below 4 GiB)")
		}
		binary.LittleEndian.PutUint32(fix, uint32(v))
	case Pointer32Signed:
		v := S + A
		if !fitsInt32(v) && e.Target.Kind == jitlink.SymExternal {
			return fixupErr(g, b, e, v, "external symbol is above 2 GiB, out of reach of a 32-bit absolute relocation (non-PIC code); compile with -fPIE or -fPIC")
		}
		if !fitsInt32(v) {
			return fixupErr(g, b, e, v, "value out of range for a signed 32-bit field (non-PIC small-model code needs memory below 2 GiB)")
		}
		binary.LittleEndian.PutUint32(fix, uint32(int32(v)))
	case Delta64:
		binary.LittleEndian.PutUint64(fix, uint64(S+A-P))
	case Delta32, BranchPCRel32, PCRel32GOTLoadRelaxable, PCRel32GOTLoadREXRelaxable,
		TLSIEDelta32, TLSGDDelta32, TLSLDDelta32:
		return w32s(S + A - P)
	case NegDelta32:
		return w32s(P - S + A)
	case Delta64FromGOT:
		got, ok := gotBase(g)
		if !ok {
			return fixupErr(g, b, e, 0, "no GOT in graph")
		}
		binary.LittleEndian.PutUint64(fix, uint64(S+A-int64(got)))
	case Size32:
		v := int64(e.Target.Size) + A
		if v < 0 || v > math.MaxUint32 {
			return fixupErr(g, b, e, v, "size out of range for a 32-bit field")
		}
		binary.LittleEndian.PutUint32(fix, uint32(v))
	case Size64:
		binary.LittleEndian.PutUint64(fix, uint64(int64(e.Target.Size)+A))
	case TPOff32, TPOff64:
		if !e.Target.TLS {
			return fixupErr(g, b, e, 0, "target is not thread-local")
		}
		off, err := tpoff(g, e.Target)
		if err != nil {
			return fixupErr(g, b, e, 0, err.Error())
		}
		if e.Kind == TPOff64 {
			binary.LittleEndian.PutUint64(fix, uint64(off+A))
			return nil
		}
		return w32s(off + A)
	case DTPOff32, DTPOff64:
		if !e.Target.TLS {
			return fixupErr(g, b, e, 0, "target is not thread-local")
		}
		off, err := dtpoff(g, e.Target)
		if err != nil {
			return fixupErr(g, b, e, 0, err.Error())
		}
		if e.Kind == DTPOff64 {
			binary.LittleEndian.PutUint64(fix, uint64(off+A))
			return nil
		}
		return w32s(off + A)
	case TLSModuleID64:
		r, ok := g.TLSRefOf(e.Target)
		if !ok {
			return fixupErr(g, b, e, 0, "no TLS layout for the target")
		}
		binary.LittleEndian.PutUint64(fix, r.Layout.Module)
	default:
		return fixupErr(g, b, e, 0, "edge kind not lowered before fixup (missing GOT/TLS pass?)")
	}
	return nil
}
