package target

import (
	"context"

	backend "github.com/gorc-jit/gorc/backend/amd64"
	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/jitlink/amd64"
	"github.com/gorc-jit/gorc/jitlink/elf"
)

func init() { elf.RegisterArch(amd64.Arch.(elf.Arch)) }

// amd64Linux is x86-64 Linux: jitlink/amd64 and backend/amd64.
var amd64Linux = &Target{
	Triple:   "x86_64-unknown-linux-gnu",
	Arch:     amd64.Arch,
	Backend:  amd64Backend{},
	CallConv: amd64SysV{},
}

type amd64Backend struct{}

func amd64Options(o Options) backend.Options {
	return backend.Options{SourceName: o.SourceName, Verify: o.Verify, NoEHFrame: o.NoEHFrame,
		Only: o.Only, OmitGlobals: o.OmitGlobals, SizeHint: o.SizeHint, NoObject: o.NoObject}
}

// amd64Result converts the backend's result; with graphName set, the
// object goes to the linker's graph straight from the writer
// (elf.FromWriter) instead of as ELF bytes.
func amd64Result(r *backend.Result, graphName string) (*Result, error) {
	if r == nil {
		return nil, nil
	}
	s := r.Stats
	res := &Result{Object: r.Object, Stats: Stats{Functions: s.Functions, Instructions: s.Instructions, CodeBytes: s.CodeBytes, Spills: s.Spills}}
	if graphName != "" {
		g, err := elf.FromWriter(graphName, r.Writer)
		if err != nil {
			return nil, err
		}
		res.Graph = g
	}
	// The writer is done with (the graph aliases only its sections'
	// contents, which are not reused): its tables serve the next compile.
	r.Release()
	return res, nil
}

func (amd64Backend) Compile(ctx context.Context, m *ir.Module, opts Options) (*Result, error) {
	r, err := backend.CompileModule(ctx, m, amd64Options(opts))
	if err != nil {
		return nil, err
	}
	return amd64Result(r, opts.GraphName)
}

func (amd64Backend) NewStream(ctx context.Context, m *ir.Module, opts Options) (Stream, error) {
	s, err := backend.NewStream(ctx, m, amd64Options(opts))
	if err != nil {
		return nil, err
	}
	return amd64Stream{s, opts.GraphName}, nil
}

func (amd64Backend) Listing(obj []byte, intel bool) (string, error) {
	syn := backend.SyntaxATT
	if intel {
		syn = backend.SyntaxIntel
	}
	return backend.Listing(obj, syn)
}

type amd64Stream struct {
	s         *backend.Stream
	graphName string
}

func (s amd64Stream) Add(f *ir.Function) error { return s.s.Add(f) }

func (s amd64Stream) Finish() (*Result, error) {
	r, err := s.s.Finish()
	if err != nil {
		return nil, err
	}
	return amd64Result(r, s.graphName)
}
