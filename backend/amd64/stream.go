package amd64

import (
	"context"
	"errors"
	"fmt"

	"github.com/gorc-jit/gorc/backend/amd64/asm"
	"github.com/gorc-jit/gorc/ir"
)

// Stream compiles a module's functions one at a time, in the order they
// are given, into one ELF object: a front end can hand each function over
// as soon as it is generated and optimised, while its IR is still in the
// cache, and the object is complete at Finish. The result is the object
// CompileModule would make for the same functions (in Add order), except
// that internal or private functions become global symbols with hidden
// visibility (a function may be referenced before it arrives, so every
// reference goes by name) and declarations nobody calls get no symbol.
//
// The module's global variables are emitted by NewStream, so they must
// exist by then; functions may be added to the module afterwards. A
// Stream is used by one goroutine at a time, and a function must not
// change while Add compiles it.
type Stream struct {
	mc     *moduleCompiler
	fc     *fnCompiler
	ctx    context.Context
	done   bool
	failed error
}

// NewStream starts an object for m's functions. opts.Only must be nil
// (the functions are the ones added); opts.Verify applies to each
// function as it is added.
func NewStream(ctx context.Context, m *ir.Module, opts Options) (*Stream, error) {
	if m == nil {
		return nil, errors.New("amd64: nil module")
	}
	if opts.Only != nil {
		return nil, errors.New("amd64: a stream compiles the functions added to it; Options.Only does not apply")
	}
	mc := newModuleCompiler(m, opts)
	mc.streaming = true
	hint := max(opts.SizeHint, 64<<10)
	mc.a.Buf = make([]byte, 0, hint)
	mc.a.Relocs = make([]asm.Reloc, 0, hint/20) // about one per 22 bytes of Kaleidoscope code
	// Symbol tables sized for about one function per 400 bytes of code.
	if n := opts.SizeHint / 512; n > 64 {
		mc.syms = make(map[ir.Value]symRef, n)
	}
	s := &Stream{mc: mc, fc: &fnCompiler{mc: mc}, ctx: ctx}
	if err := s.protect(mc.globalData); err != nil {
		return nil, err
	}
	return s, nil
}

// protect runs f, turning an internal panic into an error naming the
// function being compiled; after an error the stream refuses more work.
func (s *Stream) protect(f func() error) (err error) {
	if s.failed != nil {
		return s.failed
	}
	if s.done {
		return errors.New("amd64: stream already finished")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("amd64: internal error compiling %s: %v", s.mc.current(), r)
		}
		if err != nil {
			s.failed = err
		}
	}()
	return f()
}

// Add compiles f (a declaration is skipped: it is referenced by name when
// called). Each function may be added once.
func (s *Stream) Add(f *ir.Function) error {
	if f == nil || f.IsDeclaration() {
		return nil
	}
	return s.protect(func() error {
		mc := s.mc
		if mc.syms[f].here {
			return fmt.Errorf("amd64: function @%s added twice", f.Name)
		}
		if err := s.ctx.Err(); err != nil {
			return fmt.Errorf("amd64: compiling @%s: %w", f.Name, err)
		}
		if mc.opts.Verify {
			if err := ir.VerifyFunction(f); err != nil {
				return fmt.Errorf("amd64: module %s: %w", mc.m.Name, err)
			}
		}
		if err := mc.defineFunc(f); err != nil {
			return err
		}
		mc.curName = f.Name
		if err := s.fc.compile(f); err != nil {
			return err
		}
		mc.stats.Functions++
		return nil
	})
}

// Finish completes the object (relocations, symbols, .eh_frame) and
// returns it. The stream cannot be used afterwards.
func (s *Stream) Finish() (*Result, error) {
	var res *Result
	err := s.protect(func() error {
		obj, err := s.mc.finish()
		if err != nil {
			return err
		}
		res = &Result{Object: obj, Writer: s.mc.w, Stats: s.mc.stats}
		return nil
	})
	s.done = true
	return res, err
}
