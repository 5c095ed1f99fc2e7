package jit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/memmgr"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/shared"
)

// The linked-image cache (docs/RUN.md, "code cache"): a link of objects
// and archives is recorded as the laid-out, fixed-up memory of every graph
// (one span of pages in the slab) plus the fixups whose value changes when
// that span moves or when external symbols move: absolute references into
// the span (rebased) and every reference to a symbol outside it (looked up
// again by name). Replaying an image allocates one chunk of the same size
// from the slab, maps the pages from the cache entry's file (in process:
// copy on write, LoadImageFile) or copies them, re-applies those fixups
// through the architecture's ApplyFixup (which checks every range: a PC-relative
// reference to libc that no longer reaches, with this run's ASLR, fails
// and the caller links afresh), finalizes with the graphs' EH-frame
// registrations, and defines the recorded symbols, so that main, the
// initializers and -show-symbols are those of a fresh link.

// imageFormat is the version of the encoded image (inside a codecache
// entry, whose own header has the store's format version). Version 2
// moved the content to the end of the encoding (streamed, never built);
// version 3 pads it to start on a page of the cache entry's file, so that
// an in-process replay maps its pages from the file (contentAlign).
const imageFormat = "gorc-linked-image-3"

// ErrImageStale is wrapped by LoadImage's errors for an image that cannot
// be replayed in this process (a reference no longer reaches its target,
// the memory could not be placed): link afresh, and store a new image.
var ErrImageStale = errors.New("linked image cannot be replayed here")

// image is the encoded form of a recorded link.
type image struct {
	Format  string
	Arch    string
	Base    uint64 // the span's start in the recording run
	Align   uint64 // the alignment the span's start must keep
	Pieces  []imagePiece
	Content []byte // the span's bytes (pages of every piece, in order)
	Fixups  []imageFixup
	Names   []string // external symbols, by index from fixups
	Weak    []bool   // Names[i] may be missing (resolves to 0)
	EH      []imageRange
	Objects []imageObject
	Inits   []uint64 // offsets in the span, in run order
	Finis   []uint64
	Code    []imageCode // for naming crash addresses (symtab); encoded only
	Linked  int         // objects linked (-show-times)
	// codeEnc is a decoded image's code table, still encoded (decodeCode;
	// part of the decoded bytes): a replay hands it, or where it lies in
	// the image's file, to the symtab, which decodes it when it first
	// names an address.
	codeEnc []byte
}

// imagePiece is a run of pages with one protection.
type imagePiece struct {
	Off, Size uint64
	Prot      shared.MemProt
}

// imageFixup is one fixup to re-apply: at span offset Off, kind Kind,
// target: Name >= 0 an external (Names[Name]), else the span offset
// Target; Addend as in the edge.
type imageFixup struct {
	Off    uint64
	Kind   jitlink.EdgeKind
	Name   int32
	Target int64
	Addend int64
}

type imageRange struct{ Off, Size uint64 }

// imageObject is one linked object's definitions, under its name (the
// source column of -show-symbols).
type imageObject struct {
	Name string
	Syms []imageSym
}

type imageSym struct {
	Name  string
	Off   int64 // span offset (Abs false) or the address (Abs true)
	Abs   bool
	Flags orc.JITSymbolFlags
}

type imageCode struct {
	Start, End   uint64 // span offsets
	Section, Obj string
	Syms         []imageCodeSym
}

type imageCodeSym struct {
	Name      string
	Off, Size uint64
}

// ImageRecorder records the links of a JIT for the image cache (a layer
// plugin). Create it with RecordImage before adding inputs.
type ImageRecorder struct {
	j  *JIT
	mu sync.Mutex
	gs []*recordedGraph
	// why is the first reason the link cannot be cached ("" if it can).
	why string
	// only, when not nil, limits the symbols the image defines
	// (DefineOnly).
	only map[string]bool
}

// DefineOnly limits the symbols a replay of the image defines to names
// (by default it defines every symbol the link defined, as a fresh link
// does): a program whose runner looks up nothing but its entry (gorc
// kaleido's main) needs no more, and each definition costs a replay an
// interned name and a session table entry (two thousand of them were
// most of a 2,000-function program's replay). Names the link did not
// define are ignored. The image's code table (naming crash addresses)
// still covers every function.
func (r *ImageRecorder) DefineOnly(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.only = make(map[string]bool, len(names))
	for _, n := range names {
		r.only[n] = true
	}
}

type recordedGraph struct {
	name   string
	blocks []recordedBlock
	edges  edgeChunks
	syms   []imageSym // Off: the address in this run
	eh     shared.ExecutorAddrRange
}

type recordedBlock struct {
	addr    uint64
	size    uint64
	align   uint64
	prot    shared.MemProt
	content []byte // nil: zero-fill
}

type recordedEdge struct {
	at     uint64 // fixup address
	target uint64 // the target's address in this run
	addend int64
	ext    string // external name ("" for a defined target)
	kind   jitlink.EdgeKind
	weak   bool
	abs    bool // target is an absolute symbol (a constant)
}

// edgeChunks holds recorded edges in chunks of a fixed size: appending
// never copies what was recorded (a graph of the sqlite driver records
// thousands of edges; growing one slice copied them several times into
// fresh pages).
type edgeChunks [][]recordedEdge

const edgeChunk = 1024

func (c *edgeChunks) add(e recordedEdge) {
	if n := len(*c); n == 0 || len((*c)[n-1]) == cap((*c)[n-1]) {
		*c = append(*c, make([]recordedEdge, 0, edgeChunk))
	}
	last := &(*c)[len(*c)-1]
	*last = append(*last, e)
}

// moveMemo remembers, per edge kind and target class, whether an edge's
// value moves (see trial.movesWith): an array for the kinds every
// architecture uses (no map lookup per edge), a map beyond.
type moveMemo struct {
	small [2][256]int8 // 0 unknown, 1 moves, -1 does not
	big   map[moveKey]bool
}

type moveKey struct {
	kind jitlink.EdgeKind
	abs  bool
}

func (m *moveMemo) get(kind jitlink.EdgeKind, abs bool) (moves, known bool) {
	if kind < 256 {
		v := m.small[b2i(abs)][kind]
		return v > 0, v != 0
	}
	moves, known = m.big[moveKey{kind, abs}]
	return moves, known
}

func (m *moveMemo) set(kind jitlink.EdgeKind, abs, moves bool) {
	if kind < 256 {
		v := int8(-1)
		if moves {
			v = 1
		}
		m.small[b2i(abs)][kind] = v
		return
	}
	if m.big == nil {
		m.big = map[moveKey]bool{}
	}
	m.big[moveKey{kind, abs}] = moves
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RecordImage starts recording the links of j, for EncodeImage. Call it
// before adding inputs.
func (j *JIT) RecordImage() *ImageRecorder {
	r := &ImageRecorder{j: j}
	j.mu.Lock()
	j.noHeap = true
	if j.slab != nil && !j.slab.CodeHeapOff() {
		r.why = "the memory manager was made before recording started (its code heap would spread the image)"
	}
	j.mu.Unlock()
	j.Layer.AddPlugin(r)
	return r
}

func (r *ImageRecorder) fail(format string, args ...any) {
	r.mu.Lock()
	if r.why == "" {
		r.why = fmt.Sprintf(format, args...)
	}
	r.mu.Unlock()
}

// ModifyPassConfig implements objlayer.Plugin: it adds a post-fixup pass
// that copies the graph's final content and fixups.
func (r *ImageRecorder) ModifyPassConfig(_ *orc.MaterializationResponsibility, g *jitlink.LinkGraph, cfg *jitlink.PassConfiguration) error {
	cfg.PostFixup = append(cfg.PostFixup, func(g *jitlink.LinkGraph) error {
		r.record(g)
		return nil
	})
	return nil
}

// NotifyEmitted implements objlayer.Plugin.
func (r *ImageRecorder) NotifyEmitted(*orc.MaterializationResponsibility, *jitlink.LinkGraph) error {
	return nil
}

func (r *ImageRecorder) record(g *jitlink.LinkGraph) {
	if g.TLS != nil || g.TLSLayout != nil {
		r.fail("%s has thread-local data (its TLS block is per process)", g.Name)
		return
	}
	if len(g.Sources) > 0 {
		r.fail("%s has debug information (registered with GDB at each link)", g.Name)
		return
	}
	eh := g.EHFrameRange()
	want := 0
	if eh.Size() > 0 {
		want = 1
	}
	if len(g.AllocActions) != want {
		r.fail("%s has finalize actions the image cannot replay", g.Name)
		return
	}
	rg := &recordedGraph{name: g.Name, eh: eh}
	// One buffer for the content of every block (thousands of small
	// blocks: one allocation, not one each).
	total, nblocks := 0, 0
	for _, sec := range g.Sections {
		if sec.Lifetime == jitlink.LifetimeStandard {
			nblocks += len(sec.Blocks)
			for _, b := range sec.Blocks {
				total += len(b.Content)
			}
		}
	}
	buf := make([]byte, 0, total)
	rg.blocks = make([]recordedBlock, 0, nblocks)
	// Whether an edge kind's value moves with the span, per kind and
	// target class (defined: fixup and target move together; absolute:
	// only the fixup moves): a kind's formula does not depend on the
	// values, so one trial each.
	var moves moveMemo
	var tr *trial
	for _, sec := range g.Sections {
		if sec.Lifetime != jitlink.LifetimeStandard {
			if len(sec.Blocks) > 0 {
				r.fail("%s: section %s is finalize-lifetime scratch", g.Name, sec.Name)
				return
			}
			continue
		}
		for _, b := range sec.Blocks {
			if b.Size == 0 {
				continue
			}
			rb := recordedBlock{addr: uint64(b.Addr), size: b.Size, align: max(b.Align, 1), prot: sec.Prot}
			if b.Content != nil {
				n := len(buf)
				buf = append(buf, b.Content...)
				rb.content = buf[n:len(buf):len(buf)]
			}
			rg.blocks = append(rg.blocks, rb)
			for _, e := range b.Edges {
				if e.Kind == jitlink.KindKeepAlive {
					continue
				}
				t := e.Target
				if t.TLS {
					r.fail("%s: reference to thread-local %s", g.Name, t.Name)
					return
				}
				re := recordedEdge{at: uint64(b.Addr) + e.Offset, kind: e.Kind, target: uint64(t.Address()), addend: e.Addend}
				switch t.Kind {
				case jitlink.SymExternal:
					// Classified when the span is known (another graph's
					// definition, or the process's).
					re.ext, re.weak = t.Name, t.WeakRef
				default:
					re.abs = t.Kind == jitlink.SymAbsolute
					m, ok := moves.get(e.Kind, re.abs)
					if !ok {
						if tr == nil {
							tr = newTrial(g.Arch)
						}
						var err error
						if m, err = tr.movesWith(re, !re.abs); err != nil {
							r.fail("%s: %v", g.Name, err)
							return
						}
						moves.set(e.Kind, re.abs, m)
					}
					if !m {
						continue // position-independent: the bytes are right anywhere
					}
				}
				rg.edges.add(re)
			}
		}
	}
	// The definitions the object layer gave the session (as its
	// newUnitSlot does): every named, non-local symbol still defined
	// (those another object's definition won were made external before
	// the link).
	add := func(s *jitlink.Symbol) {
		if s.Name == "" || s.Scope == jitlink.ScopeLocal || strings.HasPrefix(s.Name, "__start_") || strings.HasPrefix(s.Name, "__stop_") {
			return
		}
		f := orc.Exported
		if s.Callable {
			f |= orc.Callable
		}
		if s.IsCommon() {
			f |= orc.Common
		} else if s.Linkage == jitlink.LinkageWeak {
			f |= orc.Weak
		}
		rg.syms = append(rg.syms, imageSym{Name: s.Name, Off: int64(s.Address()), Abs: s.Kind == jitlink.SymAbsolute, Flags: f})
	}
	for _, s := range g.Symbols {
		add(s)
	}
	for _, s := range g.Absolutes {
		add(s)
	}
	r.mu.Lock()
	r.gs = append(r.gs, rg)
	r.mu.Unlock()
}

// pageSize of the images (x86-64, and the slab's unit there).
const imagePage = 4096

// trialDelta moves a fixup and its target by this much to see whether
// its value depends on where the span lies.
const trialDelta = 1 << 24

// RecordedImage is a recorded link ready to be written (ImageRecorder.Image):
// everything of the image but its content, which WriteTo streams from
// the recorded blocks.
type RecordedImage struct {
	img    *image // Content nil
	size   uint64 // the span's size
	blocks []*recordedBlock
}

// Size is the size of the span of memory the image covers.
func (ri *RecordedImage) Size() int { return int(ri.size) }

// WriteTo writes the encoded image to w (io.WriterTo): the fields, then
// the span's content, copied once from the recorded blocks through a
// small buffer (zeros between them), never assembled in memory.
func (ri *RecordedImage) WriteTo(w io.Writer) (int64, error) {
	iw := &imageWriter{b: make([]byte, 0, flushAt+4096), out: w}
	ri.writeTo(iw)
	iw.flush()
	return iw.n, iw.err
}

// Bytes returns the encoded image (what WriteTo writes).
func (ri *RecordedImage) Bytes() []byte {
	iw := &imageWriter{b: make([]byte, 0, ri.img.metaSize()+int(ri.size)+binary.MaxVarintLen64)}
	ri.writeTo(iw)
	return iw.b
}

func (ri *RecordedImage) writeTo(w *imageWriter) {
	ri.img.encodeMeta(w)
	w.contentHeader(ri.size)
	lo, pos := ri.img.Base, ri.img.Base
	for _, b := range ri.blocks {
		w.zeros(b.addr - pos)
		w.raw(b.content)
		pos = b.addr + uint64(len(b.content))
	}
	w.zeros(lo + ri.size - pos)
}

// EncodeImage returns the encoded image of everything j linked, with the
// program p (from Program) whose entry and initializers it records. It
// fails, saying why, when the link cannot be replayed soundly.
func (r *ImageRecorder) EncodeImage(p epc.Program) ([]byte, error) {
	ri, err := r.Image(p)
	if err != nil {
		return nil, err
	}
	return ri.Bytes(), nil
}

// Image returns the image of everything j linked, with the program p
// (from Program) whose entry and initializers it records, to be written
// with WriteTo. It fails, saying why, when the link cannot be replayed
// soundly.
func (r *ImageRecorder) Image(p epc.Program) (*RecordedImage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.why != "" {
		return nil, errors.New(r.why)
	}
	j := r.j
	if j.low {
		return nil, errors.New("non-PIC code placed below 2 GiB")
	}
	if len(r.gs) == 0 {
		return nil, errors.New("nothing was linked")
	}
	arch := j.Target.Arch
	img := &image{Format: imageFormat, Arch: arch.Name(), Linked: j.Layer.Linked()}
	lo, hi := ^uint64(0), uint64(0)
	align := uint64(imagePage)
	nblocks := 0
	for _, g := range r.gs {
		nblocks += len(g.blocks)
		for _, b := range g.blocks {
			lo, hi = min(lo, b.addr), max(hi, b.addr+b.size)
			align = max(align, b.align)
		}
	}
	if align > 1<<20 {
		return nil, fmt.Errorf("a block needs %d-byte alignment", align)
	}
	lo &^= align - 1
	hi = (hi + imagePage - 1) &^ (imagePage - 1)
	img.Base, img.Align = lo, align
	if hi-lo > 1<<30 {
		return nil, fmt.Errorf("the linked code spans %d MiB", (hi-lo)>>20)
	}
	out := &RecordedImage{img: img, size: hi - lo, blocks: make([]*recordedBlock, 0, nblocks)}
	prot := make([]shared.MemProt, (hi-lo)/imagePage)
	for _, g := range r.gs {
		for i := range g.blocks {
			b := &g.blocks[i]
			if b.content != nil {
				out.blocks = append(out.blocks, b)
			}
			for p := (b.addr - lo) / imagePage; p*imagePage < b.addr+b.size-lo; p++ {
				if prot[p] != 0 && prot[p] != b.prot {
					return nil, fmt.Errorf("%s: page at %#x holds %v and %v data", g.name, lo+p*imagePage, prot[p], b.prot)
				}
				prot[p] = b.prot
			}
		}
	}
	// The content is written in address order: sort the blocks unless
	// the graphs laid them out in order (they usually are, per graph).
	byAddr := func(a, b *recordedBlock) int { return cmp.Compare(a.addr, b.addr) }
	if !slices.IsSortedFunc(out.blocks, byAddr) {
		slices.SortFunc(out.blocks, byAddr)
	}
	for i, b := range out.blocks {
		if b.addr+uint64(len(b.content)) > hi {
			return nil, fmt.Errorf("block at %#x: %d bytes of content past the end of the span", b.addr, len(b.content))
		}
		if i > 0 {
			if a := out.blocks[i-1]; a.addr+uint64(len(a.content)) > b.addr {
				return nil, fmt.Errorf("blocks at %#x and %#x overlap", a.addr, b.addr)
			}
		}
	}
	for i := 0; i < len(prot); {
		k := i
		for k < len(prot) && prot[k] == prot[i] {
			k++
		}
		pr := prot[i]
		if pr == 0 {
			pr = shared.ProtRead // a gap between graphs: nothing lives there
		}
		img.Pieces = append(img.Pieces, imagePiece{Off: uint64(i) * imagePage, Size: uint64(k-i) * imagePage, Prot: pr})
		i = k
	}
	inSpan := func(a uint64) bool { return a >= lo && a < hi }
	names := map[string]int32{}
	tr := newTrial(arch)
	var crossMoves moveMemo // per kind, as in record
	for _, g := range r.gs {
		if g.eh.Size() > 0 {
			img.EH = append(img.EH, imageRange{Off: uint64(g.eh.Start) - lo, Size: g.eh.Size()})
		}
		for _, chunk := range g.edges {
			for _, e := range chunk {
				f := imageFixup{Off: e.at - lo, Kind: e.kind, Name: -1, Addend: e.addend}
				switch {
				case e.ext != "" && !inSpan(e.target):
					n, ok := names[e.ext]
					if !ok {
						n = int32(len(img.Names))
						names[e.ext] = n
						img.Names = append(img.Names, e.ext)
						img.Weak = append(img.Weak, e.weak)
					}
					f.Name = n
				case e.abs:
					// A constant whose fixup moves (the recorder kept only
					// those): Target is the address itself.
					f.Name = -2
					f.Target = int64(e.target)
				case e.ext != "":
					// Another graph's definition: moves with the span; kept
					// only if the kind's value depends on it.
					f.Target = int64(e.target) - int64(lo)
					dep, ok := crossMoves.get(e.kind, false)
					if !ok {
						var err error
						if dep, err = tr.movesWith(e, true); err != nil {
							return nil, fmt.Errorf("%s: %w", g.name, err)
						}
						crossMoves.set(e.kind, false, dep)
					}
					if !dep {
						continue
					}
				default:
					f.Target = int64(e.target) - int64(lo)
				}
				img.Fixups = append(img.Fixups, f)
			}
		}
	}
	// The definitions, by object.
	for _, g := range r.gs {
		o := imageObject{Name: g.name, Syms: make([]imageSym, 0, len(g.syms))}
		for _, sym := range g.syms {
			if r.only != nil && !r.only[sym.Name] {
				continue
			}
			if !sym.Abs {
				if !inSpan(uint64(sym.Off)) {
					return nil, fmt.Errorf("%s: symbol %s at %#x lies outside the linked code", g.name, sym.Name, sym.Off)
				}
				sym.Off -= int64(lo)
			}
			o.Syms = append(o.Syms, sym)
		}
		img.Objects = append(img.Objects, o)
	}
	for _, a := range p.Inits {
		if !inSpan(uint64(a)) {
			return nil, fmt.Errorf("initializer %v lies outside the linked code", a)
		}
		img.Inits = append(img.Inits, uint64(a)-lo)
	}
	for _, a := range p.Finis {
		if !inSpan(uint64(a)) {
			return nil, fmt.Errorf("finalizer %v lies outside the linked code", a)
		}
		img.Finis = append(img.Finis, uint64(a)-lo)
	}
	j.syms.settle()
	j.syms.mu.Lock()
	j.syms.wait() // blocks still being recorded (symtab.NotifyEmitted)
	for _, cb := range j.syms.blocks {
		if !inSpan(uint64(cb.start)) {
			continue
		}
		c := imageCode{Start: uint64(cb.start) - lo, End: uint64(cb.end) - lo, Section: cb.section, Obj: cb.object}
		for _, s := range cb.syms {
			c.Syms = append(c.Syms, imageCodeSym{Name: s.name, Off: s.addr - lo, Size: s.size})
		}
		img.Code = append(img.Code, c)
	}
	j.syms.mu.Unlock()
	return out, nil
}

// trial applies one fixup to scratch memory, to see how its value
// depends on addresses.
type trial struct {
	arch jitlink.Arch
	g    *jitlink.LinkGraph
	b    *jitlink.Block
	t    *jitlink.Symbol
	v1   [16]byte
}

func newTrial(arch jitlink.Arch) *trial {
	g := jitlink.NewLinkGraph("trial", arch)
	sec := g.AddSection("trial", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	return &trial{
		arch: arch, g: g,
		b: g.AddMutableContentBlock(sec, make([]byte, 16), 1, 0),
		t: g.AddAbsoluteSymbol("", 0, jitlink.LinkageStrong, jitlink.ScopeLocal, false),
	}
}

func (tr *trial) apply(e recordedEdge, at, target uint64) error {
	clear(tr.b.Content)
	tr.b.Addr = shared.ExecutorAddr(at)
	tr.t.Addr = shared.ExecutorAddr(target)
	return tr.arch.ApplyFixup(tr.g, tr.b, &jitlink.Edge{Kind: e.kind, Target: tr.t, Addend: e.addend})
}

// movesWith reports whether the value edge e writes changes when the
// fixup moves by trialDelta (and its target too, when both is set).
func (tr *trial) movesWith(e recordedEdge, both bool) (bool, error) {
	err1 := tr.apply(e, e.at, e.target)
	copy(tr.v1[:], tr.b.Content)
	d := uint64(trialDelta)
	if !both {
		d = 0
	}
	err2 := tr.apply(e, e.at+trialDelta, e.target+d)
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("fixup %s at %#x cannot be replayed: %w", tr.arch.EdgeKindName(e.kind), e.at, errors.Join(err1, err2))
	}
	return !bytes.Equal(tr.v1[:], tr.b.Content), nil
}

// imageUnit defines one recorded object's symbols at their replayed
// addresses, under the object's name.
type imageUnit struct {
	name string
	syms orc.SymbolMap
}

func (u *imageUnit) Name() string { return u.name }
func (u *imageUnit) Symbols() orc.SymbolFlagsMap {
	m := make(orc.SymbolFlagsMap, len(u.syms))
	for n, d := range u.syms {
		m[n] = d.Flags
	}
	return m
}
func (u *imageUnit) InitSymbol() orc.SymbolName                    { return orc.SymbolName{} }
func (u *imageUnit) Discard(jd *orc.JITDylib, name orc.SymbolName) {}
func (u *imageUnit) Materialize(_ context.Context, r *orc.MaterializationResponsibility) {
	owned := r.Symbols()
	res := make(orc.SymbolMap, len(owned))
	for n := range owned {
		res[n] = u.syms[n]
	}
	if err := r.NotifyResolved(res); err != nil {
		r.FailMaterialization(err)
		return
	}
	if err := r.NotifyEmitted(nil); err != nil {
		r.FailMaterialization(err)
	}
}

// LoadImage replays an image from EncodeImage in j (which must have no
// inputs yet; shared libraries the program needs must be loaded first)
// and returns the program to run with args. An error wrapping
// ErrImageStale means this image does not fit this process (link
// afresh); other errors mean a bad image. Either way nothing of it is
// left defined in j.
func (j *JIT) LoadImage(ctx context.Context, data []byte, entry string, args []string) (epc.Program, error) {
	return j.LoadImageAfter(ctx, data, entry, args, nil)
}

// LoadImageAfter is LoadImage for a caller that is still loading the
// program's shared libraries into j on another goroutine: the image is
// decoded, its memory allocated and its content copied meanwhile, and
// libsReady (unless nil) is called before the image's external symbols
// are looked up; it must return once the libraries are loaded, with the
// error that ended their loading, if any. That error ends the replay
// (wrapped, and not as ErrImageStale: the image is not at fault).
func (j *JIT) LoadImageAfter(ctx context.Context, data []byte, entry string, args []string, libsReady func() error) (epc.Program, error) {
	return j.LoadImageFile(ctx, data, nil, entry, args, libsReady)
}

// ImageFile says where the bytes of an encoded image lie in a file
// (codecache.Mapped implements it): the file's descriptor and b's offset
// in it, ok false when b is not in a file.
type ImageFile interface {
	FileRange(b []byte) (fd uintptr, off int64, ok bool)
}

// LoadImageFile is LoadImageAfter for an image read from a file, such as
// a mapped code cache entry: when the executor is in this process and the
// image's content lies on a page boundary of the file (as the cache's
// entries put it), the content's read-only pages are mapped from the
// file, copy on write, instead of copied into fresh memory (only the
// pages the fixups write are copied, by the kernel). file may be nil;
// the file must stay open, and unchanged, until LoadImageFile returns.
// Its descriptor must carry a read lease (F_SETLEASE, as codecache.Map
// takes), which the replay keeps (a duplicate descriptor) while the
// mapping or the code table depends on the file, and answers when it is
// broken (imagelease.go); a file without one is copied from at once.
func (j *JIT) LoadImageFile(ctx context.Context, data []byte, file ImageFile, entry string, args []string, libsReady func() error) (epc.Program, error) {
	t0 := time.Now()
	img, err := decodeImage(data)
	if err != nil {
		return epc.Program{}, fmt.Errorf("jit: decoding the linked image: %w", err)
	}
	arch := j.Target.Arch
	if img.Format != imageFormat || img.Arch != arch.Name() {
		return epc.Program{}, fmt.Errorf("jit: linked image of format %q for %s, want %q for %s", img.Format, img.Arch, imageFormat, arch.Name())
	}
	if err := img.check(); err != nil {
		return epc.Program{}, fmt.Errorf("jit: bad linked image: %w", err)
	}
	if err := j.start(); err != nil {
		return epc.Program{}, err
	}
	mm, err := j.memory()
	if err != nil {
		return epc.Program{}, err
	}
	// The image is one span: its pieces keep their recorded distances
	// (not carved from the code heap's shared blocks).
	// The copy's goroutines fault their halves in (copyImageContent).
	req := jitlink.AllocRequest{Name: "linked image", Contiguous: true, CallerPopulates: true}
	for i, p := range img.Pieces {
		a := uint64(imagePage)
		if i == 0 {
			a = img.Align
		}
		req.Segments = append(req.Segments, jitlink.SegmentRequest{Prot: p.Prot, Size: p.Size, Align: a})
	}
	alloc, err := mm.Allocate(ctx, req)
	if err != nil {
		return epc.Program{}, fmt.Errorf("jit: linked image: %w: %w", ErrImageStale, err)
	}
	segs := alloc.Segments()
	base := uint64(segs[0].Addr)
	for i, p := range img.Pieces {
		if uint64(segs[i].Addr) != base+p.Off {
			alloc.Abandon(ctx)
			return epc.Program{}, fmt.Errorf("jit: linked image: %w: piece %d placed at %v, want %#x", ErrImageStale, i, segs[i].Addr, base+p.Off)
		}
	}
	// In process, from a file: the content's pages are the file's (only
	// those the fixups write get copied). Otherwise the content is copied
	// while the externals are looked up: the copy (1.2 MB for the sqlite
	// driver) is bound by the page faults of fresh memory, the lookup by
	// the session; each half of the copy has a goroutine, so that both
	// cores take faults.
	var copied *sync.WaitGroup
	mapped := j.mapImageContent(segs, base, img, file)
	if mapped == nil {
		copied = copyImageContent(segs, img)
	} else {
		copied = &sync.WaitGroup{}
	}
	if libsReady != nil {
		if err := libsReady(); err != nil {
			copied.Wait()
			alloc.Abandon(ctx)
			return epc.Program{}, fmt.Errorf("jit: linked image: its libraries: %w", err)
		}
	}
	// External symbols: the process's (libc, libm, ...), by name.
	var set orc.SymbolLookupSet
	for i, n := range img.Names {
		f := orc.RequiredSymbol
		if img.Weak[i] {
			f = orc.WeaklyReferencedSymbol
		}
		set = set.Add(j.ES.Intern(n), f)
	}
	ext := make([]uint64, len(img.Names))
	if len(img.Names) > 0 {
		found, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), set, orc.SymbolStateResolved)
		if err != nil {
			copied.Wait()
			alloc.Abandon(ctx)
			return epc.Program{}, fmt.Errorf("jit: linked image: %w: %w", ErrImageStale, err)
		}
		for i, n := range img.Names {
			ext[i] = uint64(found[j.ES.Intern(n)].Addr)
		}
	}
	copied.Wait()
	if err := img.fixup(arch, segs, base, ext); err != nil {
		alloc.Abandon(ctx)
		return epc.Program{}, fmt.Errorf("jit: linked image: %w: %w", ErrImageStale, err)
	}
	var actions []shared.AllocActionPair
	for _, r := range img.EH {
		start := shared.ExecutorAddr(base + r.Off)
		a, err := epc.EHFrameActions(j.EPC, shared.ExecutorAddrRange{Start: start, End: start.Add(r.Size)})
		if err != nil {
			alloc.Abandon(ctx)
			return epc.Program{}, fmt.Errorf("jit: linked image: EH frame: %w", err)
		}
		actions = append(actions, a)
	}
	fa, err := alloc.Finalize(ctx, actions)
	if err != nil {
		return epc.Program{}, fmt.Errorf("jit: linked image: finalize: %w", err)
	}
	for _, o := range img.Objects {
		u := &imageUnit{name: o.Name, syms: orc.SymbolMap{}}
		for _, s := range o.Syms {
			a := uint64(s.Off)
			if !s.Abs {
				a += base
			}
			u.syms[j.ES.Intern(s.Name)] = orc.ExecutorSymbolDef{Addr: shared.ExecutorAddr(a), Flags: s.Flags}
		}
		if err := j.Main.Define(u, nil); err != nil {
			mm.Deallocate(ctx, []jitlink.FinalizedAlloc{fa})
			return epc.Program{}, fmt.Errorf("jit: linked image: %w", err)
		}
	}
	lazyFile := false // the code table is left in the file
	if n := codeBlocks(img.codeEnc); n > 0 {
		lc := lazyCode{base: base, size: uint64(len(img.Content)), n: n, fd: -1}
		// In a file (a cache entry, under its read lease: see
		// imagelease.go): read it from there if it is ever needed,
		// through a descriptor of its own. Otherwise a copy.
		if fd, off, ok := fileRange(file, img.codeEnc); ok {
			if d, err := dupCloexec(fd); err == nil {
				lc.fd, lc.off, lc.len = d, off, len(img.codeEnc)
				lazyFile = true
			}
		}
		if lc.fd < 0 {
			lc.raw = string(img.codeEnc)
		}
		j.syms.settle()
		j.syms.mu.Lock()
		lc.at = len(j.syms.blocks)
		j.syms.lazy = append(j.syms.lazy, lc)
		if j.syms.perKey == nil {
			j.syms.perKey = map[orc.ResourceKey]int{}
		}
		j.syms.perKey[0] += n
		j.syms.mu.Unlock()
	}
	j.mu.Lock()
	j.imageAllocs = append(j.imageAllocs, fa)
	j.imageLinked += img.Linked
	j.times.Link += time.Since(t0)
	j.mu.Unlock()
	// Whatever still depends on the entry's file (mapped pages, the code
	// table) holds its lease from here on (imagelease.go); should that
	// fail, it stops depending on it now.
	if fd, _, ok := fileRange(file, img.Content); ok && (mapped != nil || lazyFile) {
		if !j.holdLease(fd, mapped) {
			if mapped != nil {
				privatize(mapped)
			}
			j.syms.loadLazyFiles()
		}
	}
	addr, err := j.Lookup(ctx, entry)
	if err != nil {
		return epc.Program{}, err
	}
	prog := epc.Program{Main: addr, Args: args}
	for _, o := range img.Inits {
		prog.Inits = append(prog.Inits, shared.ExecutorAddr(base+o))
	}
	for _, o := range img.Finis {
		prog.Finis = append(prog.Finis, shared.ExecutorAddr(base+o))
	}
	return prog, nil
}

// mapImageContent maps the read-only pieces of img's content (code,
// constants) from file over the allocation's memory segs (memmgr.MapFile)
// and copies the writable ones (data: the program's stores must never
// meet the file, see imagelease.go), when that memory is the executor's
// own in this process (the in-process mapper: segment i's working memory
// lies at its address), the content starts on a page of file, and a
// break of the file's lease can be answered (canLeaseMap). It returns
// the pieces it mapped, nil if it mapped none (all the memory is then as
// the allocation gave it, to be copied into).
func (j *JIT) mapImageContent(segs []jitlink.Segment, base uint64, img *image, file ImageFile) [][]byte {
	if j.opts.SHM {
		return nil
	}
	if _, local := j.EPC.(epc.LocalMemory); !local {
		return nil
	}
	fd, off, ok := fileRange(file, img.Content)
	if !ok || off%imagePage != 0 || !canLeaseMap() {
		return nil
	}
	for i, p := range img.Pieces {
		m := segs[i].Mem
		if uint64(len(m)) != p.Size || uint64(uintptr(unsafe.Pointer(unsafe.SliceData(m)))) != base+p.Off {
			return nil
		}
	}
	// Each run of read-only pieces is one mapping (the pieces tile the
	// span: adjacent in memory and in the file); the finalize protects
	// each piece as usual.
	var mapped [][]byte
	for i := 0; i < len(img.Pieces); {
		p := img.Pieces[i]
		if p.Prot&shared.ProtWrite != 0 {
			copy(segs[i].Mem, img.Content[p.Off:p.Off+p.Size])
			i++
			continue
		}
		k := i + 1
		for k < len(img.Pieces) && img.Pieces[k].Prot&shared.ProtWrite == 0 {
			k++
		}
		last := img.Pieces[k-1]
		run := img.Content[p.Off : last.Off+last.Size]
		m := unsafe.Slice(unsafe.SliceData(segs[i].Mem), len(run))
		if memmgr.MapFile(m, fd, off+int64(p.Off)) == nil {
			mapped = append(mapped, m)
		} else {
			copy(m, run)
		}
		i = k
	}
	if mapped == nil {
		return nil
	}
	return mapped
}

// fileRange is file.FileRange(b), false for a nil file.
func fileRange(file ImageFile, b []byte) (fd uintptr, off int64, ok bool) {
	if file == nil {
		return 0, 0, false
	}
	return file.FileRange(b)
}

// dupCloexec duplicates fd (close on exec, as Go opens files).
func dupCloexec(fd uintptr) (int, error) {
	d, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return -1, e
	}
	return int(d), nil
}

// copyImageContent copies img's content into the allocation's working
// memory segs (placed as the pieces ask) on two goroutines, one half of
// the bytes each; Wait on the result before touching segs. Each
// goroutine first populates the pages it writes (memmgr.Populate: one
// madvise, not a page fault per page), so that the kernel's work on the
// fresh pages, most of the replay's cost, runs on both cores, beside the
// lookup of the externals, not before it (the allocation was asked
// not to populate them).
func copyImageContent(segs []jitlink.Segment, img *image) *sync.WaitGroup {
	var wg sync.WaitGroup
	half := uint64(len(img.Content)) / 2
	half -= half % imagePage
	for _, r := range [2][2]uint64{{0, half}, {half, uint64(len(img.Content))}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, p := range img.Pieces {
				lo, hi := max(p.Off, r[0]), min(p.Off+p.Size, p.Off+uint64(len(segs[i].Mem)), r[1])
				if lo < hi {
					dst := segs[i].Mem[lo-p.Off : hi-p.Off]
					memmgr.Populate(dst)
					copy(dst, img.Content[lo:hi])
				}
			}
		}()
	}
	return &wg
}

// check validates the image's internal consistency (a decoded image is
// untrusted even behind the cache's checksum: a foreign or buggy writer).
func (img *image) check() error {
	size := uint64(len(img.Content))
	if len(img.Pieces) == 0 || size == 0 || size%imagePage != 0 {
		return fmt.Errorf("no pages")
	}
	if img.Align < imagePage || img.Align&(img.Align-1) != 0 || img.Align > 1<<20 {
		return fmt.Errorf("alignment %d", img.Align)
	}
	var off uint64
	for i, p := range img.Pieces {
		if p.Off != off || p.Size == 0 || p.Size%imagePage != 0 || p.Size > size-off || !p.Prot.Valid() {
			return fmt.Errorf("piece %d (%#x+%#x, %v) does not tile the span", i, p.Off, p.Size, p.Prot)
		}
		off += p.Size
	}
	if off != size {
		return fmt.Errorf("pieces cover %#x of %#x bytes", off, size)
	}
	if len(img.Weak) != len(img.Names) {
		return fmt.Errorf("%d names, %d weak flags", len(img.Names), len(img.Weak))
	}
	for i, f := range img.Fixups {
		if f.Off > size-4 || f.Name >= int32(len(img.Names)) || f.Name < -2 {
			return fmt.Errorf("fixup %d out of bounds", i)
		}
	}
	for _, r := range img.EH {
		if r.Off > size || r.Size > size-r.Off {
			return fmt.Errorf("EH frame range out of bounds")
		}
	}
	for _, xs := range [][]uint64{img.Inits, img.Finis} {
		for _, o := range xs {
			if o >= size {
				return fmt.Errorf("initializer out of bounds")
			}
		}
	}
	return nil
}

// fixup re-applies the image's fixups in the allocated segments.
func (img *image) fixup(arch jitlink.Arch, segs []jitlink.Segment, base uint64, ext []uint64) error {
	g := jitlink.NewLinkGraph("linked image", arch)
	sec := g.AddSection("linked image", shared.ProtRead|shared.ProtWrite, jitlink.SectionSynthetic)
	t := g.AddAbsoluteSymbol("", 0, jitlink.LinkageStrong, jitlink.ScopeLocal, false)
	blocks := make([]*jitlink.Block, len(segs))
	for i, s := range segs {
		blocks[i] = g.AddMutableContentBlock(sec, s.Mem, 1, 0)
		blocks[i].Addr = s.Addr
	}
	starts := make([]uint64, len(img.Pieces))
	for i, p := range img.Pieces {
		starts[i] = p.Off
	}
	// One edge for every fixup: ApplyFixup takes it through an interface,
	// so a fresh one per fixup would be a heap allocation each.
	e := new(jitlink.Edge)
	for _, f := range img.Fixups {
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > f.Off }) - 1
		b := blocks[i]
		switch {
		case f.Name >= 0:
			t.Addr = shared.ExecutorAddr(ext[f.Name])
			t.Name = img.Names[f.Name]
		case f.Name == -2:
			t.Addr, t.Name = shared.ExecutorAddr(f.Target), ""
		default:
			t.Addr, t.Name = shared.ExecutorAddr(int64(base)+f.Target), ""
		}
		*e = jitlink.Edge{Offset: f.Off - starts[i], Kind: f.Kind, Target: t, Addend: f.Addend}
		if err := arch.ApplyFixup(g, b, e); err != nil {
			return err
		}
	}
	return nil
}

// Linked returns the number of objects linked so far, by the layer or
// replayed from linked images.
func (j *JIT) Linked() int {
	j.mu.Lock()
	n := j.imageLinked
	j.mu.Unlock()
	return n + j.Layer.Linked()
}
