// Package worker is gorc's star topology (seed 004): one session links,
// several compile worker processes turn IR into ELF relocatable objects.
//
// A worker is a long-lived process (`gorc worker`) that serves compile
// requests on one connection: over its stdin/stdout when a controller
// spawns it (Spawn), or over TCP or mutual TLS (ServeListener, Dial).
// The protocol reuses the frame format of shared/wire (a 16-byte header,
// length-checked fields) with a hello of its own, so that a worker and an
// executor cannot be mistaken for each other:
//
//	controller → worker: Hello  "gorc-worker", u64 version
//	worker → controller: Hello  "gorc-worker", u64 version, triple, u64 pid
//	controller → worker: Call   op 1 (compile), seq, Request
//	worker → controller: Result seq, object bytes, u64 functions, u64 code bytes
//	                  or Error  seq, message (the function and the reason)
//
// One request is in flight per connection; a controller wanting N
// compilations at once opens N connections (usually N workers). A
// Request carries LLVM IR text (the subset package ir reads), the target
// triple, the optimisation level and the names of the functions to
// compile; Split cuts an in-memory module into such requests, Compile is
// what a worker does with one (and what a controller does itself when no
// worker can), and Pool hands requests to workers, retrying a job whose
// worker died, timed out or disconnected on another worker or locally.
//
// Why not the Bazel Remote Execution API or distcc: see
// docs/RATIONALE.md ("Compile workers") (a JIT's jobs are 10–100 µs; a CAS and
// gRPC round trip would dominate them).
package worker

import (
	"errors"
	"fmt"

	"github.com/gorc-jit/gorc/codecache"
	"github.com/gorc-jit/gorc/shared/wire"
)

// Version is the worker protocol version.
const Version = 1

// helloMagic opens both hellos.
const helloMagic = "gorc-worker"

// opCompile is the one operation: compile a Request.
const opCompile wire.Op = 1

// MaxOptLevel is the highest optimisation level a request may ask for
// (passes.ForLevel: 3 is -O2 with inlining).
const MaxOptLevel = 3

// Request is one compile job: IR text in, an object out.
type Request struct {
	// Name names the module in diagnostics and becomes the object's
	// STT_FILE symbol.
	Name string
	// Triple is the target to compile for (target.Lookup).
	Triple string
	// OptLevel is the optimisation level (0 to MaxOptLevel).
	OptLevel int
	// Only names the functions to compile (all must be defined in IR);
	// the others are referenced as externals, and internal or private
	// symbols become hidden globals so that other objects of the same
	// session reach them by name. Empty: the whole module, as one object.
	Only []string
	// OmitGlobals references the module's global variables as externals
	// instead of defining them (another part defines them).
	OmitGlobals bool
	// IR is the module's LLVM IR text.
	IR []byte
}

// Reply is a compiled object.
type Reply struct {
	Object    []byte
	Functions int // functions compiled
	CodeBytes int // bytes of machine code
}

const flagOmitGlobals = 1

// maxOnly bounds the number of function names of one request.
const maxOnly = 1 << 20

// Encode returns the request's payload.
func (r *Request) Encode() []byte {
	var flags uint64
	if r.OmitGlobals {
		flags |= flagOmitGlobals
	}
	e := &wire.Encoder{}
	e.String(r.Name).String(r.Triple).U64(uint64(r.OptLevel)).U64(flags).Strings(r.Only).Bytes(r.IR)
	return e.Payload()
}

// DecodeRequest parses a request payload, checking every field.
func DecodeRequest(p []byte) (*Request, error) {
	d := wire.NewDecoder(p)
	r := &Request{}
	r.Name = d.String()
	r.Triple = d.String()
	level := d.U64()
	flags := d.U64()
	r.Only = d.Strings()
	r.IR = d.Bytes()
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("worker: decoding a compile request: %w", err)
	}
	if level > MaxOptLevel {
		return nil, fmt.Errorf("worker: compile request for %q: optimisation level %d (want 0 to %d)", r.Name, level, MaxOptLevel)
	}
	if flags&^flagOmitGlobals != 0 {
		return nil, fmt.Errorf("worker: compile request for %q: unknown flags %#x", r.Name, flags&^flagOmitGlobals)
	}
	if len(r.Only) > maxOnly {
		return nil, fmt.Errorf("worker: compile request for %q: %d function names (at most %d)", r.Name, len(r.Only), maxOnly)
	}
	if r.Triple == "" {
		return nil, fmt.Errorf("worker: compile request for %q: no target triple", r.Name)
	}
	r.OptLevel = int(level)
	r.OmitGlobals = flags&flagOmitGlobals != 0
	return r, nil
}

// Key is the request's content key in the code cache (package
// codecache): the same triple, level, options and IR text give the same
// object, whichever worker compiled it (the key includes this build's
// identity, as all of gorc's cache keys do: workers run the same build).
func (r *Request) Key() codecache.Key {
	b := codecache.NewKey("worker-object").String("triple", r.Triple).
		Int("opt", int64(r.OptLevel)).String("name", r.Name).Int("only", int64(len(r.Only)))
	for _, n := range r.Only {
		b = b.String("fn", n)
	}
	if r.OmitGlobals {
		b = b.Int("omit-globals", 1)
	}
	return b.Bytes("ir", r.IR).Sum()
}

func encodeReply(r *Reply) []byte {
	e := &wire.Encoder{}
	e.Bytes(r.Object).U64(uint64(r.Functions)).U64(uint64(r.CodeBytes))
	return e.Payload()
}

func decodeReply(p []byte) (*Reply, error) {
	d := wire.NewDecoder(p)
	r := &Reply{Object: d.Bytes(), Functions: int(d.U64() & (1<<31 - 1)), CodeBytes: int(d.U64() & (1<<31 - 1))}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("worker: decoding a reply: %w", err)
	}
	return r, nil
}

// hello is what a worker says about itself.
type hello struct {
	Version uint64
	Triple  string
	PID     uint64
}

func encodeControllerHello() []byte {
	e := &wire.Encoder{}
	e.String(helloMagic).U64(Version)
	return e.Payload()
}

func decodeControllerHello(p []byte) error {
	d := wire.NewDecoder(p)
	magic, v := d.String(), d.U64()
	if err := d.Finish(); err != nil || magic != helloMagic {
		return errors.New("worker: the peer is not a gorc worker controller (bad hello)")
	}
	if v != Version {
		return fmt.Errorf("worker: controller speaks worker protocol version %d, this worker %d", v, Version)
	}
	return nil
}

func encodeWorkerHello(h hello) []byte {
	e := &wire.Encoder{}
	e.String(helloMagic).U64(h.Version).String(h.Triple).U64(h.PID)
	return e.Payload()
}

func decodeWorkerHello(p []byte) (hello, error) {
	d := wire.NewDecoder(p)
	magic := d.String()
	h := hello{Version: d.U64(), Triple: d.String(), PID: d.U64()}
	if err := d.Finish(); err != nil || magic != helloMagic {
		return h, errors.New("worker: the peer is not a gorc worker (bad hello; is it an executor?)")
	}
	if h.Version != Version {
		return h, fmt.Errorf("worker: the worker speaks protocol version %d, this controller %d", h.Version, Version)
	}
	return h, nil
}
