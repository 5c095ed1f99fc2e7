package jit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// The binary form of a linked image: varints, length-prefixed strings
// and byte strings, in the order of the fields of image, except Content,
// which comes last: its length, the length of a padding of zeros, the
// padding, the content (contentHeader). (gob took 3 ms
// to decode the sqlite driver's image, most of a hit's time.)

// contentAlign is the boundary the content starts on, counted from
// codecache.PayloadOffset bytes before the encoding (where the encoding
// starts in a cache entry's file): a page of the file, so that a replay
// in this process maps the content's pages from the entry's file
// (memmgr.MapFile) instead of copying them into fresh memory.
const contentAlign = imagePage

// imageWriter appends the encoding to b; with out set, it hands b to out
// whenever it holds flushAt bytes or more, so that writing an image to a
// file needs one small buffer, reused, instead of a copy of the image in
// fresh heap pages (every fresh page is a page fault).
type imageWriter struct {
	b   []byte
	pos int64 // bytes appended so far, flushed or not
	out io.Writer
	n   int64 // bytes handed to out
	err error // the first error of out
}

// flushAt is the size at which an imageWriter with an out hands its
// buffer over (64 KiB: a few write calls per MiB, 16 pages of buffer).
const flushAt = 64 << 10

func (w *imageWriter) u(v uint64) {
	n := len(w.b)
	w.b = binary.AppendUvarint(w.b, v)
	w.pos += int64(len(w.b) - n)
	w.maybeFlush()
}
func (w *imageWriter) i(v int64) {
	n := len(w.b)
	w.b = binary.AppendVarint(w.b, v)
	w.pos += int64(len(w.b) - n)
	w.maybeFlush()
}
func (w *imageWriter) s(v string) {
	w.u(uint64(len(v)))
	w.b = append(w.b, v...)
	w.pos += int64(len(v))
	w.maybeFlush()
}
func (w *imageWriter) bytes(v []byte) { w.u(uint64(len(v))); w.raw(v) }
func (w *imageWriter) bool(v bool) {
	if v {
		w.u(1)
	} else {
		w.u(0)
	}
}

// raw appends v; a large v goes to out directly, not through the buffer.
func (w *imageWriter) raw(v []byte) {
	w.pos += int64(len(v))
	if w.out != nil && len(v) >= flushAt {
		w.flush()
		w.write(v)
		return
	}
	w.b = append(w.b, v...)
	w.maybeFlush()
}

// contentHeader appends the content's length, then a padding (its
// length, then zeros) that makes the content start on contentAlign.
func (w *imageWriter) contentHeader(size uint64) {
	w.u(size)
	var tmp [binary.MaxVarintLen64]byte
	for vlen := 1; ; vlen++ {
		at := codecache.PayloadOffset + w.pos + int64(vlen) // where the content would start
		pad := uint64(-at & (contentAlign - 1))
		if binary.PutUvarint(tmp[:], pad) == vlen {
			w.u(pad)
			w.zeros(pad)
			return
		}
	}
}

// zeros appends n zero bytes.
func (w *imageWriter) zeros(n uint64) {
	for n > 0 {
		k := min(n, uint64(len(zeroPage)))
		w.raw(zeroPage[:k])
		n -= k
	}
}

var zeroPage [imagePage]byte

func (w *imageWriter) maybeFlush() {
	if w.out != nil && len(w.b) >= flushAt {
		w.flush()
	}
}

func (w *imageWriter) flush() {
	if w.out == nil || len(w.b) == 0 {
		return
	}
	w.write(w.b)
	w.b = w.b[:0]
}

func (w *imageWriter) write(v []byte) {
	if w.err != nil {
		return
	}
	n, err := w.out.Write(v)
	w.n += int64(n)
	w.err = err
}

type imageReader struct {
	b   []byte
	err error
	// meta, when set, is the encoding's bytes from offset metaAt on, as
	// a string (a code table, decodeCode): the strings decoded from there
	// are substrings of it, not one allocation each (an image names
	// thousands of functions in its code table).
	meta   string
	metaAt int
	size   int // the length of the whole encoding
}

var errImageShort = errors.New("truncated or malformed image")

func (r *imageReader) u() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errImageShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *imageReader) i() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errImageShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *imageReader) bytes() []byte {
	n := r.u()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errImageShort
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *imageReader) s() string {
	v := r.bytes()
	// v ends where the bytes left begin: at end in meta, if it is there.
	if end := r.size - len(r.b) - r.metaAt; r.meta != "" && end-len(v) >= 0 && end <= len(r.meta) {
		return r.meta[end-len(v) : end]
	}
	return string(v)
}

func (r *imageReader) bool() bool { return r.u() != 0 }

// count reads a slice length, bounded by the bytes left (every element
// takes at least one byte), so a corrupt count cannot allocate much.
func (r *imageReader) count() int {
	n := r.u()
	if n > uint64(len(r.b)) {
		r.err = errImageShort
		return 0
	}
	return int(n)
}

// encode returns the encoding of img (Content included).
func (img *image) encode() []byte {
	w := &imageWriter{b: make([]byte, 0, img.metaSize()+len(img.Content)+binary.MaxVarintLen64)}
	img.encodeMeta(w)
	w.contentHeader(uint64(len(img.Content)))
	w.raw(img.Content)
	return w.b
}

// metaSize estimates the size of the encoding without the content.
func (img *image) metaSize() int {
	n := 40*len(img.Fixups) + 4096 + contentAlign
	for _, o := range img.Objects {
		n += len(o.Name) + 16
		for _, s := range o.Syms {
			n += len(s.Name) + 16
		}
	}
	for _, c := range img.Code {
		n += len(c.Section) + len(c.Obj) + 32
		for _, s := range c.Syms {
			n += len(s.Name) + 16
		}
	}
	for _, s := range img.Names {
		n += len(s) + 8
	}
	return n
}

// encodeMeta writes every field of img but Content, which follows it as
// the payload's last field (length-prefixed): a recorder streams it from
// the recorded blocks, never building it.
func (img *image) encodeMeta(w *imageWriter) {
	w.s(img.Format)
	w.s(img.Arch)
	w.u(img.Base)
	w.u(img.Align)
	w.u(uint64(img.Linked))
	w.u(uint64(len(img.Pieces)))
	for _, p := range img.Pieces {
		w.u(p.Off)
		w.u(p.Size)
		w.u(uint64(p.Prot))
	}
	w.u(uint64(len(img.Names)))
	for i, n := range img.Names {
		w.s(n)
		w.bool(img.Weak[i])
	}
	w.u(uint64(len(img.Fixups)))
	for _, f := range img.Fixups {
		w.u(f.Off)
		w.u(uint64(f.Kind))
		w.i(int64(f.Name))
		w.i(f.Target)
		w.i(f.Addend)
	}
	w.u(uint64(len(img.EH)))
	for _, r := range img.EH {
		w.u(r.Off)
		w.u(r.Size)
	}
	w.u(uint64(len(img.Objects)))
	for _, o := range img.Objects {
		w.s(o.Name)
		w.u(uint64(len(o.Syms)))
		for _, s := range o.Syms {
			w.s(s.Name)
			w.i(s.Off)
			w.bool(s.Abs)
			w.u(uint64(s.Flags))
		}
	}
	for _, xs := range [][]uint64{img.Inits, img.Finis} {
		w.u(uint64(len(xs)))
		for _, x := range xs {
			w.u(x)
		}
	}
	// The code table, length-prefixed: a replay keeps it undecoded until
	// an address must be named (lazyCode).
	if img.Code == nil && img.codeEnc != nil {
		w.bytes(img.codeEnc) // a decoded image's, as it came
		return
	}
	cw := &imageWriter{}
	img.encodeCode(cw)
	w.bytes(cw.b)
}

// encodeCode writes the code table (decodeCode reads it).
func (img *image) encodeCode(w *imageWriter) {
	w.u(uint64(len(img.Code)))
	for _, c := range img.Code {
		w.u(c.Start)
		w.u(c.End)
		w.s(c.Section)
		w.s(c.Obj)
		w.u(uint64(len(c.Syms)))
		for _, s := range c.Syms {
			w.s(s.Name)
			w.u(s.Off)
			w.u(s.Size)
		}
	}
}

// decodeCode decodes a code table (encodeCode's bytes, img.codeRaw) of
// an image of size bytes; its strings are substrings of raw. A table
// whose ranges do not lie in the image is an error.
func decodeCode(raw string, size uint64) ([]imageCode, error) {
	r := &imageReader{b: unsafe.Slice(unsafe.StringData(raw), len(raw)), meta: raw, size: len(raw)}
	code := make([]imageCode, r.count())
	var pool []imageCodeSym // the blocks' symbols, carved from a few allocations
	for i := range code {
		c := &code[i]
		c.Start, c.End, c.Section, c.Obj = r.u(), r.u(), r.s(), r.s()
		n := r.count()
		if r.err == nil && (c.Start > c.End || c.End > size) {
			return nil, fmt.Errorf("code block %d (%#x-%#x) outside the image", i, c.Start, c.End)
		}
		if cap(pool)-len(pool) < n || pool == nil {
			pool = make([]imageCodeSym, 0, max(n, 1024))
		}
		c.Syms, pool = pool[len(pool):len(pool)+n:len(pool)+n], pool[:len(pool)+n]
		for k := range c.Syms {
			c.Syms[k] = imageCodeSym{Name: r.s(), Off: r.u(), Size: r.u()}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the code table", len(r.b))
	}
	return code, nil
}

// codeBlocks returns the number of blocks of the code table raw (its
// first field), without decoding it.
func codeBlocks(raw []byte) int {
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)) {
		return 0
	}
	return int(n)
}

func decodeImage(data []byte) (*image, error) {
	r := &imageReader{b: data, size: len(data)}
	img := &image{}
	img.Format = r.s()
	if r.err != nil || img.Format != imageFormat {
		return nil, fmt.Errorf("not a linked image of format %q", imageFormat)
	}
	img.Arch = r.s()
	img.Base = r.u()
	img.Align = r.u()
	img.Linked = int(r.u())
	img.Pieces = make([]imagePiece, r.count())
	for i := range img.Pieces {
		img.Pieces[i] = imagePiece{Off: r.u(), Size: r.u(), Prot: shared.MemProt(r.u())}
	}
	n := r.count()
	img.Names, img.Weak = make([]string, n), make([]bool, n)
	for i := range n {
		img.Names[i], img.Weak[i] = r.s(), r.bool()
	}
	img.Fixups = make([]imageFixup, r.count())
	for i := range img.Fixups {
		img.Fixups[i] = imageFixup{Off: r.u(), Kind: jitlink.EdgeKind(r.u()), Name: int32(r.i()), Target: r.i(), Addend: r.i()}
	}
	img.EH = make([]imageRange, r.count())
	for i := range img.EH {
		img.EH[i] = imageRange{Off: r.u(), Size: r.u()}
	}
	img.Objects = make([]imageObject, r.count())
	for i := range img.Objects {
		o := &img.Objects[i]
		o.Name = r.s()
		o.Syms = make([]imageSym, r.count())
		for k := range o.Syms {
			o.Syms[k] = imageSym{Name: r.s(), Off: r.i(), Abs: r.bool(), Flags: orc.JITSymbolFlags(r.u())}
		}
	}
	for _, xs := range []*[]uint64{&img.Inits, &img.Finis} {
		*xs = make([]uint64, r.count())
		for i := range *xs {
			(*xs)[i] = r.u()
		}
	}
	// The code table, the last field before the content, holds most of
	// the strings: kept encoded, decoded when an address must be named
	// (decodeCode; the replay copies it, or reads it from the file later).
	img.codeEnc = r.bytes()
	size, pad := r.u(), r.u()
	if r.err == nil && (pad >= contentAlign || pad > uint64(len(r.b))) {
		r.err = errImageShort
	}
	if r.err == nil {
		for _, c := range r.b[:pad] {
			if c != 0 {
				return nil, fmt.Errorf("padding before the content is not zeros")
			}
		}
		r.b = r.b[pad:]
		if size > uint64(len(r.b)) {
			r.err = errImageShort
		} else {
			img.Content, r.b = r.b[:size:size], r.b[size:]
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the image", len(r.b))
	}
	return img, nil
}
