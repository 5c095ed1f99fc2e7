package jitlink

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gorc-jit/gorc/shared"
)

// segClass orders segments: r-x, r--, rw-, then finalize-lifetime r--, rw-.
type segKey struct {
	prot     shared.MemProt
	lifetime MemLifetime
}

var segOrder = [...]segKey{
	{shared.ProtRead | shared.ProtExec, LifetimeStandard},
	{shared.ProtRead, LifetimeStandard},
	{shared.ProtRead | shared.ProtWrite, LifetimeStandard},
	{shared.ProtRead, LifetimeFinalize},
	{shared.ProtRead | shared.ProtWrite, LifetimeFinalize},
}

type placed struct {
	b   *Block
	off uint64
}

type segPlan struct {
	key    segKey
	size   uint64
	align  uint64
	blocks []placed
	// tls image (only in the r-- standard segment)
	tlsOff uint64
}

type layoutPlan struct {
	req   AllocRequest
	segs  []*segPlan
	tls   *TLSTemplate
	tlsSP *segPlan
	tbss  []placed // tbss blocks: offsets in the TLS image
	tdata []placed // tdata blocks: offsets in the TLS image
	// ehFrame: the graph has unwind tables, so its code must not start at
	// a 4 GiB-aligned address (see plan).
	ehFrame bool
	// The plan's slices start in these arrays, allocated with it: a
	// small graph's link (a lazily compiled function's) pays for each
	// allocation, and its blocks fit in smallPlaced.
	plansArr   [len(segOrder)]segPlan
	segsArr    [len(segOrder)]*segPlan
	reqArr     [len(segOrder)]SegmentRequest
	backingArr [smallPlaced]placed
}

// smallPlaced is how many blocks a layout places without allocating
// their list (a lazily compiled function's graph has a few: its code,
// constants, GOT entries and stubs).
const smallPlaced = 8

// codePad is the empty space at the start of the code segment of graphs
// with EH frames.
const codePad = 16

// maxSegment bounds one segment (a malformed object must not make us ask
// for absurd amounts of memory).
const maxSegment = 1 << 40

func alignTo(cur, align, ofs uint64) uint64 {
	if align <= 1 {
		return cur
	}
	m := cur % align
	if m <= ofs {
		return cur + (ofs - m)
	}
	return cur + align - m + ofs
}

// index is p's index in plans.
func (p *segPlan) index(plans []segPlan) int {
	for i := range plans {
		if &plans[i] == p {
			return i
		}
	}
	return len(plans)
}

func (p *segPlan) add(b *Block) error {
	if b.Align == 0 {
		b.Align = 1
	}
	if b.Align&(b.Align-1) != 0 || b.AlignOfs >= b.Align {
		return fmt.Errorf("bad alignment %d (offset %d)", b.Align, b.AlignOfs)
	}
	// p.size <= maxSegment, so alignTo cannot wrap; off+b.Size can.
	off := alignTo(p.size, b.Align, b.AlignOfs)
	if off+b.Size < off || off+b.Size > maxSegment {
		return fmt.Errorf("segment too large: a block of %#x bytes (alignment %d) at offset %#x exceeds the %#x-byte limit", b.Size, b.Align, off, uint64(maxSegment))
	}
	p.blocks = append(p.blocks, placed{b, off})
	p.size = off + b.Size
	if b.Align > p.align {
		p.align = b.Align
	}
	return nil
}

func layout(g *LinkGraph) (*layoutPlan, error) {
	lp := &layoutPlan{req: AllocRequest{Name: g.Name, Low2GiB: g.Low2GiB}}
	plans := lp.plansArr[:]
	for i := range plans {
		plans[i] = segPlan{key: segOrder[i], align: 1}
	}
	find := func(sec *Section) (*segPlan, error) {
		prot := sec.Prot &^ shared.ProtWrite
		if sec.Prot&shared.ProtWrite != 0 {
			prot = shared.ProtRead | shared.ProtWrite
		}
		if sec.Prot&shared.ProtExec != 0 {
			prot = shared.ProtRead | shared.ProtExec
			if sec.Prot&shared.ProtWrite != 0 {
				return nil, fmt.Errorf("jitlink: %s: section %s is writable and executable (W^X)", g.Name, sec.Name)
			}
		}
		prot |= shared.ProtRead
		for i := range plans {
			if plans[i].key.prot == prot && plans[i].key.lifetime == sec.Lifetime {
				return &plans[i], nil
			}
		}
		return nil, fmt.Errorf("jitlink: %s: section %s: no segment for %v", g.Name, sec.Name, sec.Prot)
	}
	// Thread-local template: .tdata blocks first, then .tbss, in one image.
	var tlsSize, tlsAlign, tlsInit uint64 = 0, 1, 0
	hasTLS := false
	for pass := 0; pass < 2; pass++ {
		for _, sec := range g.Sections {
			if !sec.Has(SectionTLS) {
				continue
			}
			for _, b := range sec.Blocks {
				if (pass == 0) != (b.Content != nil) {
					continue
				}
				hasTLS = true
				if b.Align == 0 {
					b.Align = 1
				}
				if b.Align&(b.Align-1) != 0 || b.AlignOfs >= b.Align {
					return nil, fmt.Errorf("jitlink: %s: section %s: bad alignment %d", g.Name, sec.Name, b.Align)
				}
				off := alignTo(tlsSize, b.Align, b.AlignOfs)
				if off+b.Size < off || off+b.Size > maxSegment {
					return nil, fmt.Errorf("jitlink: %s: section %s: TLS image too large", g.Name, sec.Name)
				}
				tlsSize = off + b.Size
				if b.Align > tlsAlign {
					tlsAlign = b.Align
				}
				if pass == 0 {
					lp.tdata = append(lp.tdata, placed{b, off})
					tlsInit = tlsSize
				} else {
					lp.tbss = append(lp.tbss, placed{b, off})
				}
			}
		}
	}
	if hasTLS {
		ro := &plans[1]
		lp.tlsSP = ro
		ro.tlsOff = 0
		ro.size = tlsInit
		ro.align = tlsAlign
		lp.tls = &TLSTemplate{InitSize: tlsInit, Size: tlsSize, Align: tlsAlign}
	}
	// libgcc's unwinder ignores an FDE whose 32-bit pc_begin has all low
	// 32 bits zero (it takes it for a discarded link-once function), so
	// code must never start at a 4 GiB-aligned address. Segments are often
	// placed at large alignments: keep the code segment's first bytes
	// empty. (A 4 GiB boundary inside a segment is checked in assign.)
	for _, sec := range g.Sections {
		if sec.Has(SectionEHFrame) && len(sec.Blocks) > 0 {
			plans[0].size = codePad
			lp.ehFrame = true
			break
		}
	}
	// Each plan's blocks in one backing array, sized by a first count,
	// rather than each plan's slice growing block by block (a small
	// graph's link pays for every allocation).
	var counts [8]int
	total := 0
	for _, sec := range g.Sections {
		if sec.Has(SectionTLS) || len(sec.Blocks) == 0 {
			continue
		}
		p, err := find(sec)
		if err != nil {
			return nil, err
		}
		if i := p.index(plans); i < len(counts) {
			counts[i] += len(sec.Blocks)
			total += len(sec.Blocks)
		}
	}
	backing := lp.backingArr[:]
	if total > len(backing) {
		backing = make([]placed, total)
	}
	for i := range plans {
		if i < len(counts) && counts[i] > 0 {
			plans[i].blocks = backing[:0:counts[i]]
			backing = backing[counts[i]:]
		}
	}
	for _, sec := range g.Sections {
		if sec.Has(SectionTLS) || len(sec.Blocks) == 0 {
			continue
		}
		p, err := find(sec)
		if err != nil {
			return nil, err
		}
		for _, b := range sec.Blocks {
			if err := p.add(b); err != nil {
				return nil, fmt.Errorf("jitlink: %s: section %s: %w", g.Name, sec.Name, err)
			}
		}
	}
	if lp.ehFrame {
		// Room to move functions off a 4 GiB boundary inside the code
		// segment (avoid4GiB), known only once the segment is placed.
		p := &plans[0]
		p.size += boundarySlack(p)
	}
	nsegs := 0
	for i := range plans {
		if plans[i].size != 0 || len(plans[i].blocks) != 0 {
			nsegs++
		}
	}
	lp.segs = lp.segsArr[:0:nsegs]
	lp.req.Segments = lp.reqArr[:0:nsegs]
	for i := range plans {
		p := &plans[i]
		if p.size == 0 && len(p.blocks) == 0 {
			continue // (a .tbss-only TLS image needs no memory)
		}
		lp.segs = append(lp.segs, p)
		lp.req.Segments = append(lp.req.Segments, SegmentRequest{Prot: p.key.prot, Lifetime: p.key.lifetime, Size: p.size, Align: p.align})
	}
	return lp, nil
}

// assign gives blocks their addresses and working memory.
func (lp *layoutPlan) assign(g *LinkGraph, segs []Segment) error {
	if len(segs) != len(lp.segs) {
		return fmt.Errorf("jitlink: %s: memory manager returned %d segments, want %d", g.Name, len(segs), len(lp.segs))
	}
	for i, p := range lp.segs {
		s := segs[i]
		if uint64(len(s.Mem)) != p.size {
			return fmt.Errorf("jitlink: %s: segment %d (%v): memory manager returned %d bytes, want %d", g.Name, i, p.key.prot, len(s.Mem), p.size)
		}
		if uint64(s.Addr)%p.align != 0 {
			return fmt.Errorf("jitlink: %s: segment %d (%v) at %v is not %d-aligned", g.Name, i, p.key.prot, s.Addr, p.align)
		}
		if lp.req.Low2GiB && uint64(s.Addr)+p.size > 1<<31 {
			return fmt.Errorf("jitlink: %s: segment %d at %v is not below 2 GiB as requested", g.Name, i, s.Addr)
		}
		if lp.ehFrame && p.key.prot&shared.ProtExec != 0 {
			if err := p.avoid4GiB(g, s.Addr); err != nil {
				return err
			}
		}
		for _, pl := range p.blocks {
			pl.b.Addr = s.Addr.Add(pl.off)
		}
		copyContents(p, s.Mem)
		if p == lp.tlsSP {
			base := s.Addr.Add(p.tlsOff)
			for _, pl := range lp.tdata {
				pl.b.Addr = base.Add(pl.off)
				mem := s.Mem[p.tlsOff+pl.off : p.tlsOff+pl.off+pl.b.Size : p.tlsOff+pl.off+pl.b.Size]
				copy(mem, pl.b.Content)
				pl.b.Content = mem
				pl.b.ownMem = true
			}
			for _, pl := range lp.tbss {
				pl.b.Addr = base.Add(pl.off)
			}
			t := *lp.tls
			t.InitAddr = base
			g.TLS = &t
		}
	}
	if lp.tls != nil && g.TLS == nil {
		// Only zero-initialized TLS: the image has no bytes in memory;
		// offsets are all that matter.
		for _, pl := range lp.tbss {
			pl.b.Addr = shared.ExecutorAddr(pl.off)
		}
		t := *lp.tls
		g.TLS = &t
	}
	return nil
}

// boundarySlack is the room left at the end of a code segment with
// unwind tables for avoid4GiB: up to one alignment of its most aligned
// block per 4 GiB boundary the segment can contain, and one more for
// rounding.
func boundarySlack(p *segPlan) uint64 {
	return max(p.align, codePad) * (2 + p.size>>32)
}

// avoid4GiB moves the blocks of the code segment p, placed at base, so
// that no function with a frame description starts at an address whose
// low 32 bits are zero: libgcc's unwinder ignores such an FDE (its 4-byte
// pc_begin reads as a discarded link-once function), so the function
// would have no unwind information. The segment's start is kept off such
// addresses by codePad and the memory manager; a 4 GiB boundary inside a
// large segment (or one that straddles a boundary) can still fall on a
// block or on a function inside one. When a boundary lies inside
// [base, base+size), every block from the one that starts a function
// there on is moved up by that block's alignment (and the later ones by
// what keeps their alignment), into the slack layout left at the end.
func (p *segPlan) avoid4GiB(g *LinkGraph, base shared.ExecutorAddr) error {
	lo, end := uint64(base), uint64(base)+p.size
	if lo>>32 == (end-1)>>32 && uint32(lo) != 0 {
		return nil // no 4 GiB boundary inside the segment: the common case
	}
	// Function starts inside blocks: the targets of the FDEs' pc_begin
	// fields (the edge at offset 8 of an FDE record, or any edge of a
	// block of whole records).
	in := make(map[*Block]bool, len(p.blocks))
	for _, pl := range p.blocks {
		in[pl.b] = true
	}
	starts := map[*Block][]uint64{}
	for _, sec := range g.Sections {
		if !sec.Has(SectionEHFrame) {
			continue
		}
		for _, b := range sec.Blocks {
			for _, e := range b.Edges {
				if (e.Offset != 8 && b.Flags&BlockEHRecords == 0) || e.Target == nil || e.Target.Kind != SymDefined || !in[e.Target.Block] {
					continue
				}
				starts[e.Target.Block] = append(starts[e.Target.Block], e.Target.Offset+uint64(e.Addend))
			}
		}
	}
	hit := func(off uint64, b *Block) bool {
		if b.Size == 0 {
			return false
		}
		if uint32(lo+off) == 0 {
			return true
		}
		for _, s := range starts[b] {
			if s < b.Size && uint32(lo+off+s) == 0 {
				return true
			}
		}
		return false
	}
	shift := uint64(0)
	limit := p.size
	for i := range p.blocks {
		pl := &p.blocks[i]
		off := pl.off
		if shift != 0 {
			off = alignTo(off+shift, pl.b.Align, pl.b.AlignOfs)
		}
		for hit(off, pl.b) {
			off += pl.b.Align
			if off+pl.b.Size > limit {
				break
			}
		}
		if off+pl.b.Size > limit {
			return fmt.Errorf("jitlink: %s: section %s: code at the 4 GiB-aligned address %v, where the unwinder ignores its frame description, and no room to move it; allocate the graph elsewhere", g.Name, pl.b.Section.Name, base.Add(pl.off))
		}
		shift = off - pl.off
		pl.off = off
	}
	return nil
}

// parallelCopyBytes is the size of a segment from which its blocks'
// contents are copied into it on several goroutines: most of the copy's
// time is the kernel's first touch of each fresh page, which runs in
// parallel on different pages.
const parallelCopyBytes = 256 << 10

// copyContents copies the content of p's blocks into their places in mem
// (the segment's working memory), which becomes their Content. A large
// segment is cut into up to GOMAXPROCS byte ranges, one goroutine a range,
// each copying the blocks that start in it.
func copyContents(p *segPlan, mem []byte) {
	workers := uint64(min(runtime.GOMAXPROCS(0), int(p.size/parallelCopyBytes)))
	if workers <= 1 {
		copyRange(p, mem, 0, p.size)
		return
	}
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { copyRange(p, mem, k*p.size/workers, (k+1)*p.size/workers) })
	}
	wg.Wait()
}

// copyRange copies the blocks of p that start in [lo, hi) into mem. (A
// function, not a closure: a small graph's segment is copied without
// allocating one.)
func copyRange(p *segPlan, mem []byte, lo, hi uint64) {
	for _, pl := range p.blocks {
		// (The range first: another goroutine sets the Content of the
		// blocks outside it.)
		if pl.off < lo || pl.off >= hi || pl.b.Content == nil {
			continue
		}
		m := mem[pl.off : pl.off+pl.b.Size : pl.off+pl.b.Size]
		copy(m, pl.b.Content)
		pl.b.Content = m
		pl.b.ownMem = true
	}
}
