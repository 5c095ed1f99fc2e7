package ir

import "sync"

// instrChunk is how many instructions an InstrArena allocates at a time.
// A function's last chunk is not shared with the next function, so a
// small chunk wastes little; 32 instructions are 6.5 KiB.
const instrChunk = 32

// InstrArena allocates a Builder's instructions in chunks, and takes the
// chunks of a function back for reuse once nothing refers to that
// function's instructions any more. A compiler that drops each function's
// IR as soon as it has been compiled to machine code (gorc kaleido) thus
// builds the next functions in the same memory: the process touches a few
// hundred kilobytes of instructions instead of one fresh page per twenty,
// and with the garbage collector off (a short compile) that is most of the
// page faults and of the allocation cost of the IR.
//
// The builder's goroutine allocates; Release may be called from another
// goroutine. The zero value is ready to use.
type InstrArena struct {
	// cur is the current chunk, next its first unused instruction (an
	// index: a slice advanced per instruction had its header rewritten
	// each time).
	cur  []Instr
	next int
	used [][]Instr // chunks handed out since the last Detach

	// Blocks come in chunks too, each block with room for blockInstrs
	// instructions in a slab of pointers beside it.
	curBlk  *blockChunk
	usedBlk []*blockChunk

	mu       sync.Mutex
	spare    [][]Instr     // released chunks (not cleared)
	spareBlk []*blockChunk // released block chunks (n reset, not cleared)
	// Emptied lists of a released function's chunks, for used and
	// usedBlk to start from (Detach gives the lists themselves away).
	spareLists    [][][]Instr
	spareBlkLists [][]*blockChunk
}

const (
	blockChunkLen = 16 // blocks per chunk
	blockInstrs   = 16 // initial capacity of a block's Instrs
)

type blockChunk struct {
	blocks [blockChunkLen]Block
	instrs [blockChunkLen * blockInstrs]*Instr
	n      int // blocks handed out
}

// block returns a new block of f named name (in no function's Blocks).
func (a *InstrArena) block(f *Function, name string) *Block {
	c := a.curBlk
	if c == nil || c.n == blockChunkLen {
		c = nil
		a.mu.Lock()
		if n := len(a.spareBlk); n > 0 {
			c = a.spareBlk[n-1]
			a.spareBlk[n-1] = nil
			a.spareBlk = a.spareBlk[:n-1]
		}
		a.mu.Unlock()
		if c == nil {
			c = new(blockChunk)
		}
		a.usedBlk = append(a.usedBlk, c)
		a.curBlk = c
	}
	i := c.n
	c.n++
	b := &c.blocks[i]
	*b = Block{Name: name, Func: f, Index: -1, Instrs: c.instrs[i*blockInstrs : i*blockInstrs : (i+1)*blockInstrs]}
	return b
}

// alloc returns an instruction that may hold a released function's
// fields: the builder assigns every field (newInstr).
func (a *InstrArena) alloc() *Instr {
	if a.next == len(a.cur) {
		var c []Instr
		a.mu.Lock()
		if n := len(a.spare); n > 0 {
			c = a.spare[n-1]
			a.spare[n-1] = nil
			a.spare = a.spare[:n-1]
		}
		a.mu.Unlock()
		if c == nil {
			c = make([]Instr, instrChunk)
		}
		a.used = append(a.used, c)
		a.cur, a.next = c, 0
	}
	in := &a.cur[a.next]
	a.next++
	return in
}

// Detach gives the chunks allocated since the previous Detach to f (the
// function just built): they are returned to the arena by
// f.ReleaseInstrs. The next instruction allocated starts a new chunk.
func (a *InstrArena) Detach(f *Function) {
	if len(a.used) == 0 && len(a.usedBlk) == 0 {
		return
	}
	f.arena = a
	// f takes the lists themselves (a function built at once, the usual
	// case, has none yet); the arena starts new ones from the lists of
	// functions released.
	if f.chunks == nil {
		f.chunks = a.used
	} else {
		f.chunks = append(f.chunks, a.used...)
	}
	if f.blkChunks == nil {
		f.blkChunks = a.usedBlk
	} else {
		f.blkChunks = append(f.blkChunks, a.usedBlk...)
	}
	a.used, a.usedBlk = nil, nil
	a.mu.Lock()
	if n := len(a.spareLists); n > 0 {
		a.used = a.spareLists[n-1]
		a.spareLists[n-1] = nil
		a.spareLists = a.spareLists[:n-1]
	}
	if n := len(a.spareBlkLists); n > 0 {
		a.usedBlk = a.spareBlkLists[n-1]
		a.spareBlkLists[n-1] = nil
		a.spareBlkLists = a.spareBlkLists[:n-1]
	}
	a.mu.Unlock()
	a.cur, a.next, a.curBlk = nil, 0, nil
}

// NewBlock appends a new block named name to f, as f.NewBlock does, from
// the builder's arena if it has one (see InstrArena: the block is then
// f's only while its instructions are).
func (b *Builder) NewBlock(f *Function, name string) *Block {
	if b.Arena == nil {
		return f.NewBlock(name)
	}
	blk := b.Arena.block(f, name)
	f.AddBlock(blk)
	return blk
}

// NewDetachedBlock is f.NewDetachedBlock from the builder's arena, if any.
func (b *Builder) NewDetachedBlock(f *Function, name string) *Block {
	if b.Arena == nil {
		return f.NewDetachedBlock(name)
	}
	return b.Arena.block(f, name)
}

// ReleaseInstrs hands the memory of f's instructions (and blocks) back to
// the arena that built them (InstrArena.Detach), for the instructions of functions
// built later. It is for a compiler that has dropped f's body (f.Blocks
// is nil) and keeps no pointer to any of its instructions: after it,
// such a pointer would see another function's instruction. It does
// nothing for a function that still has a body or was not built by an
// arena. It may be called on another goroutine than the builder's.
func (f *Function) ReleaseInstrs() {
	if f.arena == nil || len(f.Blocks) != 0 {
		return
	}
	a, chunks, blks := f.arena, f.chunks, f.blkChunks
	f.arena, f.chunks, f.blkChunks = nil, nil, nil
	// The chunks are not cleared: the builder overwrites every field of
	// an instruction (Builder.newInstr) and of a block (InstrArena.block)
	// it hands out, and a chunk's unused rest is unreachable. Clearing
	// them here cost a tenth of the code generator's time (gorc kaleido),
	// most of it moving the cache lines over from the front end's core
	// and back.
	for _, c := range blks {
		c.n = 0
	}
	a.mu.Lock()
	a.spare = append(a.spare, chunks...)
	a.spareBlk = append(a.spareBlk, blks...)
	// The lists, emptied, for the next functions' chunks (a few: each
	// function holds one of each while it is alive).
	if len(a.spareLists) < 64 {
		clear(chunks)
		a.spareLists = append(a.spareLists, chunks[:0])
	}
	if len(a.spareBlkLists) < 64 {
		clear(blks)
		a.spareBlkLists = append(a.spareBlkLists, blks[:0])
	}
	a.mu.Unlock()
}
