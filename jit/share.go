package jit

// This file holds the JIT's part in a shared executor (Options.Publish,
// Options.LinkShared; docs/SHARING.md): publishing the added objects'
// symbols as soon as they are Resolved, looking up what others published
// through a shareddir.Generator, reporting Emitted after the link and
// waiting for Ready before anything runs.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/orc/epc"
	"github.com/gorc-jit/gorc/orc/shareddir"
	"github.com/gorc-jit/gorc/shared"
)

// DefaultSharedTimeout bounds each wait for other controllers of a
// shared executor when Options.SharedTimeout is 0.
const DefaultSharedTimeout = 30 * time.Second

// sharing is the JIT's state in a shared executor (nil fields when the
// executor is not shared).
type sharing struct {
	dir     epc.SharedDirectory
	gen     *shareddir.Generator // nil without LinkShared
	timeout time.Duration

	mu        sync.Mutex // serializes finishSharing; guards emitted, ready
	published chan error // the publication's outcome (Publish set)
	emitted   bool       // Emitted sent
	ready     bool       // everything depended on is Ready
}

// setupSharing checks the sharing options against the executor.
func (j *JIT) setupSharing() error {
	if j.opts.Exec == "child" && j.opts.Publish == "" && len(j.opts.LinkShared) == 0 {
		// A spawned child serves this controller alone; asking would wait
		// for its hello, which New does not (see connect).
		return nil
	}
	d, ok := j.EPC.(epc.SharedDirectory)
	isShared := ok && d.SharedExecutor()
	o := j.opts
	if o.Publish == "" && len(o.LinkShared) == 0 {
		if isShared {
			j.share = &sharing{dir: d, ready: true, emitted: true}
		}
		return nil
	}
	if !isShared {
		return fmt.Errorf("jit: publishing (-publish) and linking against shared dylibs (-link-shared) need a shared executor (gorc executor -listen ADDR -shared, reached with -exec tcp://ADDR or tls://ADDR); %q is not one", o.Exec)
	}
	if slices.Contains(o.LinkShared, o.Publish) && o.Publish != "" {
		return fmt.Errorf("jit: %q is both published and linked against by this controller", o.Publish)
	}
	for _, n := range o.LinkShared {
		if n == "" {
			return fmt.Errorf("jit: empty shared dylib name in LinkShared")
		}
	}
	s := &sharing{dir: d, timeout: o.SharedTimeout}
	if s.timeout <= 0 {
		s.timeout = DefaultSharedTimeout
	}
	if len(o.LinkShared) > 0 {
		s.gen = shareddir.New(d, o.LinkShared, s.timeout)
	}
	j.share = s
	return nil
}

// publisherLabel names this controller in other controllers' errors.
func publisherLabel() string {
	return fmt.Sprintf("[%s, pid %d]", filepath.Base(os.Args[0]), os.Getpid())
}

// startPublishing (j.mu not held; after the pending objects are defined)
// looks the published names up at Resolved in the background and
// publishes their addresses as soon as they are known.
func (j *JIT) startPublishing(names []orc.SymbolName) {
	s := j.share
	s.published = make(chan error, 1)
	go func() {
		ctx := context.Background()
		m, err := j.ES.Lookup(ctx, orc.SearchOrder(orc.MatchAllSymbols, j.Main), orc.NewSymbolLookupSet(names...), orc.SymbolStateResolved)
		if err != nil {
			s.dir.PublishFailed(ctx, j.opts.Publish, err.Error())
			s.published <- err
			return
		}
		syms := make(map[string]shared.ExecutorAddr, len(m))
		for n, d := range m {
			syms[n.String()] = d.Addr
		}
		s.published <- s.dir.Publish(ctx, j.opts.Publish, publisherLabel(), syms)
	}()
}

// publishedNames returns the symbols to publish: those the main dylib's
// objects define and export, except the initializer symbols. j.mu held.
func (j *JIT) publishedNamesLocked() []orc.SymbolName {
	var out []orc.SymbolName
	for _, si := range j.Main.Symbols() {
		if si.Failed || !si.Def.Flags.IsExported() || slices.Contains(j.inits, si.Name) {
			continue
		}
		out = append(out, si.Name)
	}
	return out
}

// finishSharing runs after a LinkAll: on success it reports Emitted and
// waits until everything this controller's code depends on, in every
// process, is Ready; on failure it fails the publication, so that other
// controllers waiting for it learn at once.
func (j *JIT) finishSharing(ctx context.Context, linkErr error) error {
	s := j.share
	if s == nil {
		return linkErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if linkErr != nil {
		if j.opts.Publish != "" && !s.emitted {
			s.dir.PublishFailed(ctx, j.opts.Publish, linkErr.Error())
		}
		return linkErr
	}
	if s.ready {
		return nil
	}
	var deps []string
	deps = append(deps, j.opts.LinkShared...)
	if j.opts.Publish != "" && !s.emitted {
		var err error
		select {
		case err = <-s.published:
			s.published <- err // keep it for later calls
		case <-ctx.Done():
			return fmt.Errorf("jit: publishing %q: %w", j.opts.Publish, ctx.Err())
		}
		if err != nil {
			return fmt.Errorf("jit: publishing %q: %w", j.opts.Publish, err)
		}
	}
	wait := slices.Clone(deps)
	if j.opts.Publish != "" {
		wait = append(wait, j.opts.Publish)
	}
	var err error
	if ea, ok := s.dir.(epc.EmittedAwaiter); ok && j.opts.Publish != "" && !s.emitted {
		// Emitted and the wait in one round trip.
		err = ea.EmittedAwait(ctx, j.opts.Publish, deps, wait, s.timeout)
		if ee := (*epc.EmittedError)(nil); errors.As(err, &ee) {
			return fmt.Errorf("jit: %q emitted: %w", j.opts.Publish, err)
		}
		s.emitted = true
	} else {
		if j.opts.Publish != "" && !s.emitted {
			if err := s.dir.Emitted(ctx, j.opts.Publish, deps); err != nil {
				return fmt.Errorf("jit: %q emitted: %w", j.opts.Publish, err)
			}
		}
		s.emitted = true
		err = s.dir.SharedAwait(ctx, wait, s.timeout)
	}
	if err != nil {
		return fmt.Errorf("jit: waiting for the shared dylibs this code depends on to be Ready: %w", err)
	}
	s.ready = true
	return nil
}

// undefinedWhere adds to an undefined-symbols error where the names were
// looked for, when shared dylibs were among the places.
func (j *JIT) undefinedWhere(err error) error {
	if j.share == nil || j.share.gen == nil {
		return err
	}
	return &SharedUndefinedError{Err: err, Where: j.share.gen.Where()}
}

// SharedUndefinedError is an undefined-symbols error of a JIT linking
// against shared dylibs: it says where the names were looked for.
type SharedUndefinedError struct {
	Err   error  // the undefined symbols, with the objects that referenced them
	Where string // the shared dylibs searched
}

func (e *SharedUndefinedError) Error() string {
	return fmt.Sprintf("%v\n  (looked up in this controller's inputs, then %s in the shared executor, then the executor process)", e.Err, e.Where)
}

func (e *SharedUndefinedError) Unwrap() error { return e.Err }

// runShared runs p in a shared executor, which must not exit: the
// initializers, main, then the finalizers, each as a call.
func (j *JIT) runShared(ctx context.Context, p epc.Program) (int, error) {
	if len(p.Inits) > 0 {
		call, err := epc.RunInitializersCall(j.EPC, p.Inits, nil)
		if err != nil {
			return 0, err
		}
		if _, err := j.EPC.CallWrapper(ctx, call); err != nil {
			return 0, fmt.Errorf("jit: initializers: %w", err)
		}
	}
	st, err := j.EPC.RunAsMain(ctx, p.Main, p.Args)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, f := range p.Finis {
		if err := j.EPC.RunVoid(ctx, f); err != nil {
			errs = append(errs, fmt.Errorf("jit: finalizer %v: %w", f, err))
		}
	}
	return st, errors.Join(errs...)
}

func (j *JIT) shareReady() bool {
	j.share.mu.Lock()
	defer j.share.mu.Unlock()
	return j.share.ready
}
