// Package wire is the byte-stream protocol between a gorc controller
// (github.com/gorc-jit/gorc/orc/epc's remote client) and an executor process (github.com/gorc-jit/gorc/executor's
// server): half of the contract in github.com/gorc-jit/gorc/shared. It is pure Go and depends
// only on the standard library and github.com/gorc-jit/gorc/shared, so both sides can use it
// without importing each other.
//
// A connection carries frames:
//
//	u32 length of the payload (little endian, at most MaxPayload)
//	u8  kind (Hello, Call, Result, Error, Exit, Crash, Stdout, Stderr)
//	u8  op   (for Call/Result/Error: which operation)
//	u16 reserved, zero
//	u64 sequence number (chosen by the caller; echoed in the answer)
//	payload
//
// The controller opens with a Hello carrying its protocol Version and
// HelloFlags (ControllerHello); the executor answers with a Hello describing itself (version, triple, page
// size, pid, bootstrap symbols) or an Error. Calls may be in flight
// concurrently; each is answered by exactly one Result or Error with the
// same sequence number, in any order. The executor may also call the
// controller (OpReentry, for lazy compilation), with sequence numbers of
// its own; the controller answers those the same way. When a program run
// with OpRunProgram
// ends, the executor sends Exit with its status before the process exits;
// when JIT'd code faults, the dying executor sends Crash (signal, pc,
// fault address, return addresses) from its signal handler. A listener
// that served the connection with a separate executor process sends a
// last Exit with op 0 saying how that process ended.
//
// Program stdio (version 2): when the controller's hello sets
// FlagForwardStdio, the executor puts pipes on the program's descriptors
// 0, 1 and 2 for the rest of the connection and sends whatever the program
// writes to 1 and 2 as Stdout and Stderr frames (sequence 0, op 0, the
// payload is the raw bytes, never empty). The controller feeds the
// program's stdin with OpStdin calls (one chunk at a time: the answer
// comes once the bytes are in the pipe, which is the flow control; an
// eof flag closes the pipe). Before the executor answers a call that ran
// program code (run-main, run-void, call-wrapper, load-dylib) and before
// it sends Exit, it flushes C stdio and drains both pipes onto the
// connection, so every byte the program wrote before the answer arrives
// before it. A crashing executor drains the pipes before its Crash frame.
// Payloads are sequences of fields encoded by Encoder and read back by
// Decoder, which checks every length against the bytes present.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Version is the protocol version. Version 2 added stdio forwarding
// (HelloFlags, KindStdout, KindStderr, OpStdin).
const Version = 2

// HelloFlags are the controller's requests in its hello.
type HelloFlags uint64

const (
	// FlagForwardStdio asks the executor to forward the program's stdio
	// over this connection (Stdout/Stderr frames, OpStdin calls) instead
	// of using its own descriptors 0, 1 and 2.
	FlagForwardStdio HelloFlags = 1 << iota
	// FlagMergeOutput (with FlagForwardStdio): the controller's stdout
	// and stderr are one destination, so the executor gives the program
	// one pipe for both descriptors 1 and 2 and sends everything as
	// Stdout frames — keeping the exact interleaving a terminal shows.
	FlagMergeOutput

	knownFlags = FlagForwardStdio | FlagMergeOutput
)

// MaxPayload is the largest payload either side sends or accepts.
const MaxPayload = 64 << 20

// HeaderSize is the size of a frame header.
const HeaderSize = 16

// Kind is the kind of a frame.
type Kind uint8

const (
	KindHello Kind = iota + 1
	KindCall
	KindResult
	KindError
	// KindExit with op OpRunProgram carries the status of a program that
	// ended (u64). With op 0 and sequence 0 it is a listener's report
	// (ServeListener), sent after the executor process that served the
	// connection has ended, just before the connection closes: u64 how
	// (EndedExit, EndedSignal), u64 value (exit status or signal number) —
	// how a TCP controller learns that its executor was killed, as a
	// parent learns it from wait().
	KindExit
	// KindCrash is sent by a dying executor (from its signal handler):
	// payload u64 signal, u64 pc, u64 fault address, then (version 2) a
	// counted list of u64 return addresses of the crashing thread,
	// innermost first (at most 32).
	KindCrash
	// KindStdout carries bytes the program wrote to its stdout (executor
	// to controller, FlagForwardStdio): raw payload, sequence 0, op 0.
	KindStdout
	// KindStderr is the same for the program's stderr.
	KindStderr

	maxKind = KindStderr
)

func (k Kind) String() string {
	switch k {
	case KindHello:
		return "hello"
	case KindCall:
		return "call"
	case KindResult:
		return "result"
	case KindError:
		return "error"
	case KindExit:
		return "exit"
	case KindCrash:
		return "crash"
	case KindStdout:
		return "stdout"
	case KindStderr:
		return "stderr"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Op is an operation of a Call.
type Op uint8

const (
	OpReserve       Op = iota + 1 // size u64, low u64 [, at u64: exactly there, low 0] -> start u64, end u64
	OpReserveShared               // size, low -> start, end, path string
	OpProtect                     // start, end, prot
	OpDecommit                    // start, end
	OpWrite                       // addr, data bytes
	OpRead                        // addr, n -> data bytes
	OpRelease                     // start, end
	OpLoadDylib                   // name string, dirs []string -> handle
	OpLookup                      // handle, names []string -> addrs []u64
	OpRunMain                     // fn, args []string -> status u64
	OpRunVoid                     // fn
	OpCallWrapper                 // fn, arg bytes -> result bytes
	OpRunProgram                  // main, args []string, inits []u64, finis []u64 (answered by Exit)
	OpAllocateTLS                 // size, align, imageSize, image bytes -> module, tpoff, imageAddr
	OpReentry                     // executor -> controller: trampoline return address -> landing address
	OpStdin                       // data bytes, eof u64 -> (nothing); answered once data is in the program's stdin pipe

	// The symbol directory of a shared executor (`gorc executor -listen
	// ADDR -shared`; see docs/SHARING.md). An executor that is not shared
	// answers them with an Error.

	OpPublish      // name string, publisher string, syms []string, addrs []u64 -> (nothing): the dylib is Resolved
	OpEmitted      // name string, deps []string -> (nothing): linked and finalized; Ready once every dylib it reaches through deps is Emitted
	OpPublishFail  // name string, reason string -> (nothing): the publisher's link failed; waiters get the reason
	OpSharedLookup // dylibs []string, syms []string, timeout u64 (ns) -> addrs []u64 (0: not published); waits until each dylib is at least Resolved
	OpSharedAwait  // dylibs []string, timeout u64 (ns) -> (nothing); waits until each dylib is Ready

	// OpBatch runs memory steps in order in one round trip: n u64, then
	// per step a kind (Batch*) and its operands as in OpProtect (start,
	// end, prot), OpWrite (addr, data bytes) or OpCallWrapper (fn, arg
	// bytes) -> failed u64 (n: all ran), message string. It stops at the
	// first failing step and reports it in the answer; an Error answer
	// means no step ran (a malformed batch, an older executor, or a
	// shared one refusing a step it would refuse as a call of its own).
	OpBatch
	// OpMapDual (start, end, prot -> nothing) makes the page-aligned
	// range of a private reservation a dual-mapped code block
	// (executor.MapDual): prot at the range for good, and a read-write
	// alias the executor keeps; Write to the range then goes through the
	// alias. The controller's code heap carves small allocations from
	// such blocks. A shared executor, and executors before this op,
	// answer with an Error: the controller keeps pages per allocation.
	OpMapDual
	// OpReentryApply is OpReentry whose answer also carries the memory
	// steps of the lazy link it caused (executor -> controller): trampoline
	// return address u64 -> landing u64 (0: the re-entry failed), message
	// string (why, when landing is 0), steps bytes (an OpBatch payload: n
	// u64 and the steps). The executor runs the steps on its reader, in
	// the order frames arrive, before it reads the next frame and before
	// the calling thread continues at landing; call-wrapper steps may only
	// name the executor's own short services. A controller that does not
	// know the op answers with an Error: the executor then sends OpReentry.
	OpReentryApply
	// OpResolveTLS resolves thread-local symbols defined by shared
	// libraries loaded in the executor (executor.ResolveExternalTLS):
	// names []string -> per name: flags u64 (1 found, 2 static), module
	// id u64, offset u64, TP offset u64, library string, why string. An
	// executor before this op answers with an Error: the controller then
	// reports such a symbol as undefined by JIT'd code, as before.
	OpResolveTLS
	opMax
)

var opNames = [...]string{"", "reserve", "reserve-shared", "protect", "decommit", "write", "read", "release",
	"load-dylib", "lookup", "run-main", "run-void", "call-wrapper", "run-program", "allocate-tls", "reentry", "stdin",
	"publish", "emitted", "publish-fail", "shared-lookup", "shared-await", "batch", "map-dual", "reentry-apply", "resolve-tls"}

// The kinds of OpBatch steps.
const (
	BatchProtect     = 1
	BatchWrite       = 2
	BatchCallWrapper = 3
)

func (o Op) String() string {
	if o > 0 && o < opMax {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Valid reports whether o is a known operation.
func (o Op) Valid() bool { return o > 0 && o < opMax }

// Frame is one protocol frame.
type Frame struct {
	Kind    Kind
	Op      Op
	Seq     uint64
	Payload []byte
}

// ErrTooLarge is returned (wrapped) for frames over MaxPayload.
var ErrTooLarge = errors.New("frame exceeds the maximum payload size")

// WriteFrame writes f to w: small frames as one Write call, large ones as
// header and payload (no copy of the payload). Concurrent writers must
// serialize calls.
func WriteFrame(w io.Writer, f Frame) error { return WriteFrameTail(w, f, nil) }

// WriteFrameTail writes a frame whose payload is f.Payload followed by
// tail, without copying a large tail: a write of code sends its address
// and length as the payload and the bytes themselves as the tail, straight
// from the linker's working memory.
func WriteFrameTail(w io.Writer, f Frame, tail []byte) error {
	size := len(f.Payload) + len(tail)
	if size > MaxPayload {
		return fmt.Errorf("wire: writing %v %v frame of %d bytes: %w", f.Kind, f.Op, size, ErrTooLarge)
	}
	const small = 64 << 10 // copied into one Write with the header
	n := HeaderSize
	if len(f.Payload) <= small {
		n += len(f.Payload)
		if len(tail) <= small-len(f.Payload) {
			n += len(tail)
		}
	}
	b := make([]byte, n)
	binary.LittleEndian.PutUint32(b, uint32(size))
	b[4] = byte(f.Kind)
	b[5] = byte(f.Op)
	binary.LittleEndian.PutUint64(b[8:], f.Seq)
	rest := [][]byte{f.Payload, tail}
	if n > HeaderSize {
		copy(b[HeaderSize:], f.Payload)
		rest = rest[1:]
		if n == HeaderSize+size {
			copy(b[HeaderSize+len(f.Payload):], tail)
			rest = nil
		}
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	for _, p := range rest {
		if len(p) == 0 {
			continue
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// WriteFrameParts writes a frame whose payload is f.Payload followed by
// parts, in order, without copying the large parts: parts up to 16 KiB
// are gathered with the header into as few writes as the large ones
// between them allow, and each larger part is written as it is. A batch
// of code writes sends its steps' bytes this way, straight from the
// linker's working memory, instead of through an encoded copy (the
// sqlite driver's 1.2 MB of code: ~600 page faults of a growing buffer).
// The bytes on the stream are those of WriteFrame with the payload
// concatenated.
func WriteFrameParts(w io.Writer, f Frame, parts [][]byte) error {
	size := len(f.Payload)
	for _, p := range parts {
		size += len(p)
		if size > MaxPayload || size < 0 {
			return fmt.Errorf("wire: writing %v %v frame of more than %d bytes: %w", f.Kind, f.Op, MaxPayload, ErrTooLarge)
		}
	}
	const gather = 16 << 10
	n := HeaderSize + len(f.Payload)
	for _, p := range parts {
		if len(p) > gather {
			break
		}
		n += len(p)
	}
	b := make([]byte, HeaderSize, n)
	binary.LittleEndian.PutUint32(b, uint32(size))
	b[4] = byte(f.Kind)
	b[5] = byte(f.Op)
	binary.LittleEndian.PutUint64(b[8:], f.Seq)
	b = append(b, f.Payload...)
	for _, p := range parts {
		if len(p) <= gather {
			b = append(b, p...)
			continue
		}
		if len(b) > 0 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	if len(b) > 0 {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// ReadFrame reads one frame. A length over MaxPayload, an unknown kind or
// a non-zero reserved field is an error (the stream cannot be trusted
// after it); io.EOF is returned as is when the stream ends between frames.
// A payload up to 1 MiB is allocated at once; a larger one grows as its
// bytes arrive. (FrameReader reads the same frames, resumably.)
func ReadFrame(r io.Reader) (Frame, error) {
	var s frameState
	return s.read(r, false)
}

// Encoder builds a payload.
type Encoder struct{ b []byte }

// Grow makes room for n more bytes, so that encoding that many makes
// no further allocation.
func (e *Encoder) Grow(n int) { e.b = slices.Grow(e.b, n) }

// U64 appends v.
func (e *Encoder) U64(v uint64) *Encoder { e.b = binary.LittleEndian.AppendUint64(e.b, v); return e }

// Bytes appends a length-prefixed byte string.
func (e *Encoder) Bytes(p []byte) *Encoder { e.U64(uint64(len(p))); e.b = append(e.b, p...); return e }

// String appends a length-prefixed string.
func (e *Encoder) String(s string) *Encoder { e.U64(uint64(len(s))); e.b = append(e.b, s...); return e }

// Strings appends a count and the strings.
func (e *Encoder) Strings(ss []string) *Encoder {
	e.U64(uint64(len(ss)))
	for _, s := range ss {
		e.String(s)
	}
	return e
}

// U64s appends a count and the values.
func (e *Encoder) U64s(vs []uint64) *Encoder {
	e.U64(uint64(len(vs)))
	for _, v := range vs {
		e.U64(v)
	}
	return e
}

// Payload returns the encoded bytes.
func (e *Encoder) Payload() []byte { return e.b }

// Decoder reads a payload. The first error sticks: later reads return
// zero values, and Err (or Finish) reports it.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder returns a decoder over p.
func NewDecoder(p []byte) *Decoder { return &Decoder{b: p} }

func (d *Decoder) fail(what string, need uint64) {
	if d.err == nil {
		d.err = fmt.Errorf("wire: payload offset %d: %s needs %d bytes, %d left", d.off, what, need, len(d.b)-d.off)
	}
}

// U64 reads a value.
func (d *Decoder) U64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b)-d.off < 8 {
		d.fail("u64", 8)
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b[d.off:])
	d.off += 8
	return v
}

// Bytes reads a length-prefixed byte string. The result aliases the
// payload (frames own their payloads; nothing reuses them).
func (d *Decoder) Bytes() []byte {
	n := d.U64()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("byte string", n)
		return nil
	}
	p := d.b[d.off : d.off+int(n) : d.off+int(n)]
	d.off += int(n)
	return p
}

// String reads a length-prefixed string.
func (d *Decoder) String() string { return string(d.Bytes()) }

// count reads an element count whose elements take at least min bytes.
func (d *Decoder) count(min uint64) int {
	n := d.U64()
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)-d.off)/min || n > math.MaxInt32 {
		d.fail(fmt.Sprintf("list of %d elements", n), n*min)
		return 0
	}
	return int(n)
}

// Strings reads a count and the strings.
func (d *Decoder) Strings() []string {
	n := d.count(8)
	if d.err != nil {
		return nil
	}
	ss := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		ss = append(ss, d.String())
	}
	return ss
}

// U64s reads a count and the values.
func (d *Decoder) U64s() []uint64 {
	n := d.count(8)
	if d.err != nil {
		return nil
	}
	vs := make([]uint64, n)
	for i := range vs {
		vs[i] = d.U64()
	}
	return vs
}

// Err returns the first decoding error.
func (d *Decoder) Err() error { return d.err }

// Finish returns the first decoding error, or an error if bytes are left.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.b) {
		d.err = fmt.Errorf("wire: %d unexpected trailing payload bytes at offset %d", len(d.b)-d.off, d.off)
	}
	return d.err
}

// Hello is what the executor announces.
type Hello struct {
	Version  uint64
	Triple   string
	PageSize uint64
	PID      uint64
	Symbols  map[string]uint64
}

// EncodeHello encodes h.
func EncodeHello(h Hello) []byte {
	e := new(Encoder).U64(h.Version).String(h.Triple).U64(h.PageSize).U64(h.PID).U64(uint64(len(h.Symbols)))
	for k, v := range h.Symbols {
		e.String(k).U64(v)
	}
	return e.Payload()
}

// DecodeHello decodes an executor Hello.
func DecodeHello(p []byte) (Hello, error) {
	d := NewDecoder(p)
	h := Hello{Version: d.U64(), Triple: d.String(), PageSize: d.U64(), PID: d.U64()}
	n := d.count(16)
	h.Symbols = make(map[string]uint64, n)
	for i := 0; i < n && d.Err() == nil; i++ {
		k := d.String()
		h.Symbols[k] = d.U64()
	}
	if err := d.Finish(); err != nil {
		return Hello{}, fmt.Errorf("wire: executor hello: %w", err)
	}
	return h, nil
}

// How an executor process ended (a listener's KindExit report, op 0).
const (
	EndedExit   = 0 // exited; value is the exit status
	EndedSignal = 1 // killed; value is the signal number
)

// SharedExecutorSymbol is the pseudo-symbol a shared executor (one
// process serving several controllers, `gorc executor -listen ADDR
// -shared`) adds to its Hello's Symbols, with the value 1: it tells the
// controller that the directory operations (OpPublish ...) are served and
// that OpRunProgram, lazy re-entry and stdio forwarding are not.
const SharedExecutorSymbol = "__gorc_shared_executor"

// ControllerHello is what the controller announces.
type ControllerHello struct {
	Version uint64
	Flags   HelloFlags
}

// EncodeControllerHello encodes h: u64 version, u64 flags.
func EncodeControllerHello(h ControllerHello) []byte {
	return new(Encoder).U64(h.Version).U64(uint64(h.Flags)).Payload()
}

// DecodeControllerHello decodes a controller's hello. A version other
// than Version is returned with an error (the executor answers it with
// an Error frame); unknown flags are an error.
func DecodeControllerHello(p []byte) (ControllerHello, error) {
	d := NewDecoder(p)
	h := ControllerHello{Version: d.U64()}
	if d.Err() == nil && h.Version != Version {
		return h, fmt.Errorf("wire: protocol version %d not supported (this side speaks %d)", h.Version, Version)
	}
	h.Flags = HelloFlags(d.U64())
	if err := d.Finish(); err != nil {
		return h, fmt.Errorf("wire: controller hello: %w", err)
	}
	if h.Flags&^knownFlags != 0 {
		return h, fmt.Errorf("wire: controller hello: unknown flags %#x", uint64(h.Flags&^knownFlags))
	}
	return h, nil
}

// StdinPayload encodes an OpStdin call: data bytes, then eof (1 closes
// the program's stdin after data).
func StdinPayload(data []byte, eof bool) []byte {
	e := new(Encoder).Bytes(data)
	if eof {
		return e.U64(1).Payload()
	}
	return e.U64(0).Payload()
}
