package mutate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/ir"
	"github.com/gorc-jit/gorc/ir/passes"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/jitlink/archive"
	"github.com/gorc-jit/gorc/jitlink/elf"
	"github.com/gorc-jit/gorc/jitlink/jitlinktest"
	"github.com/gorc-jit/gorc/kaleidoscope"
	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/target"
)

// TestMutation is the mutation harness (issue 14, "keep finding them"):
// every corpus input — gcc/g++ objects, an archive, .ll and .k files —
// is mutated (deterministically: GORC_MUTATE_SEED, default 1) and each
// mutant is run through the in-process parse/compile/link path. A mutant
// passes if it gives a result or a clean error: no panic (including a
// panic recovered into an "internal error" message), no hang (a
// per-mutant timeout fails the test), and no error line longer than
// maxErrLine bytes.
//
// By default it makes a few mutants per input (a few seconds, part of
// `make test`); GORC_MUTATE=N makes N per input (`make mutate` runs the
// long version). GORC_MUTATE_OUT=DIR saves failing mutants there.
func TestMutation(t *testing.T) {
	perInput := 25
	if testing.Short() {
		perInput = 5
	}
	if s := os.Getenv("GORC_MUTATE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			t.Fatalf("GORC_MUTATE=%q: want a count of mutants per input", s)
		}
		perInput = n
	}
	seed := uint64(1)
	if s := os.Getenv("GORC_MUTATE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GORC_MUTATE_SEED=%q: %v", s, err)
		}
		seed = n
	}
	timeout := 20 * time.Second
	inputs := corpus(t)
	if os.Getenv("GORC_MUTATE") != "" {
		// The long run adds Debian's static libraries (scripts/deps.sh
		// installs them): real gcc objects beyond the small corpus.
		for _, lib := range []string{"/usr/lib/x86_64-linux-gnu/libz.a", "/usr/lib/x86_64-linux-gnu/liblua5.4.a"} {
			if data, err := os.ReadFile(lib); err == nil {
				inputs = append(inputs, input{name: lib, kind: Archive, data: data, run: linkArchive})
			}
		}
	}
	var total, okRuns, cleanErrs int
	for ii, in := range inputs {
		r := rand.New(rand.NewPCG(seed, uint64(ii)))
		for k := range perInput {
			mutant, what := Mutate(r, in.kind, in.data)
			total++
			err := runWithTimeout(in.run, in.name, mutant, timeout)
			var bug *bugError
			switch {
			case err == nil:
				okRuns++
				continue
			case !errors.As(err, &bug):
				cleanErrs++
				continue
			}
			name := fmt.Sprintf("%s.mutant%d", filepath.Base(in.name), k)
			if dir := os.Getenv("GORC_MUTATE_OUT"); dir != "" {
				p := filepath.Join(dir, name)
				if werr := os.WriteFile(p, mutant, 0o644); werr == nil {
					name = p
				}
			}
			t.Errorf("%s (seed %d, input %d, mutant %d: %s): %v", in.name, seed, ii, k, what, err)
			if bug.hang {
				t.FailNow() // the hung goroutine still runs; stop here
			}
		}
	}
	t.Logf("%d inputs, %d mutants: %d ran to a result, %d clean errors", len(inputs), total, okRuns, cleanErrs)
}

// maxErrLine bounds one line of an error message (diagnostics quote at
// most 64 bytes of user text, internal/diag).
const maxErrLine = 4096

// bugError is a mutant's outcome that is a bug: a panic, a hang, a
// recovered internal error, or an unbounded message.
type bugError struct {
	msg  string
	hang bool
}

func (e *bugError) Error() string { return e.msg }

type input struct {
	name string
	kind Kind
	data []byte
	run  func(ctx context.Context, name string, data []byte) error
}

func corpus(t *testing.T) []input {
	t.Helper()
	root := "../.."
	var ins []input
	add := func(pattern string, kind Kind, run func(context.Context, string, []byte) error) {
		files, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil || len(files) == 0 {
			t.Fatalf("no corpus files %s", pattern)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, input{name: f, kind: kind, data: data, run: run})
		}
	}
	add("jitlink/elf/testdata/*.o", ELF, linkObject)
	add("jitlink/archive/testdata/*.a", Archive, linkArchive)
	add("ir/testdata/*.ll", Text, compileIR)
	add("ir/passes/testdata/*.ll", Text, compileIR)
	add("backend/amd64/testdata/*.ll", Text, compileIR)
	add("kaleidoscope/testdata/*.k", Text, compileKaleido)
	add("kaleidoscope/testdata/bench/*.k", Text, compileKaleido)
	return ins
}

// runWithTimeout runs run on the mutant in a goroutine, turning a panic
// into a bugError and giving up with one after timeout.
func runWithTimeout(run func(context.Context, string, []byte) error, name string, data []byte, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- &bugError{msg: fmt.Sprintf("panic: %v\n%s", r, debug.Stack())}
			}
		}()
		done <- check(run(ctx, name, data))
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout + 5*time.Second):
		return &bugError{msg: fmt.Sprintf("no result after %v (hang)", timeout), hang: true}
	}
}

// check classifies an error as clean or as a bug.
func check(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		return &bugError{msg: "timed out: " + clip(msg), hang: true}
	}
	for _, s := range []string{"internal error", "internal parser error", "internal code generation error", "malformed function (", "(is the IR valid?)"} {
		if strings.Contains(msg, s) {
			return &bugError{msg: "recovered panic: " + clip(msg)}
		}
	}
	for _, line := range strings.Split(msg, "\n") {
		if len(line) > maxErrLine {
			return &bugError{msg: fmt.Sprintf("error line of %d bytes: %s", len(line), clip(line))}
		}
	}
	if strings.TrimSpace(msg) == "" {
		return &bugError{msg: "empty error message"}
	}
	return err
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// anyExternals is a link context that resolves every external symbol to
// a made-up address, so that mutated objects get past symbol lookup to
// layout and fixups. Nothing is run.
type anyExternals struct{ *jitlinktest.Context }

func (c anyExternals) LookupExternals(ctx context.Context, syms map[string]jitlink.SymbolLookupFlags) (map[string]jitlink.ExternalDef, error) {
	res := make(map[string]jitlink.ExternalDef, len(syms))
	i := 0
	for n := range syms {
		res[n] = jitlink.ExternalDef{Addr: shared.ExecutorAddr(0x40000000 + 16*i)}
		i++
	}
	return res, nil
}

func linkObject(ctx context.Context, name string, data []byte) error {
	g, err := elf.Parse(name, data)
	if err != nil {
		return err
	}
	lc := anyExternals{&jitlinktest.Context{
		MM:  jitlinktest.NewMemoryManager(0x10000000),
		TLS: &jitlink.TLSLayout{Static: true, TPOffset: -4096, Module: 1, GetAddr: 0x40000000},
	}}
	return jitlink.Link(ctx, g, lc)
}

func linkArchive(ctx context.Context, name string, data []byte) error {
	a, err := archive.Parse(name, data)
	if err != nil {
		return err
	}
	var errs []error
	for i, m := range a.Members {
		if i >= 8 {
			break
		}
		if elf.IsELFObject(m.Data) {
			errs = append(errs, linkObject(ctx, name+"("+m.Name+")", m.Data))
		}
	}
	return errors.Join(errs...)
}

// compileModule optimizes, compiles and links a verified module.
func compileModule(ctx context.Context, name string, m *ir.Module) error {
	if err := passes.ForLevel(2).Run(ctx, m); err != nil {
		return err
	}
	if err := ir.Verify(m); err != nil {
		return &bugError{msg: fmt.Sprintf("optimized IR does not verify: %v", clip(err.Error()))}
	}
	tg, err := target.Host()
	if err != nil {
		return err
	}
	res, err := tg.Backend.Compile(ctx, m, target.Options{})
	if err != nil {
		return err
	}
	if err := linkObject(ctx, name+".o", res.Object); err != nil {
		return &bugError{msg: fmt.Sprintf("the backend's object does not link: %v", clip(err.Error()))}
	}
	return nil
}

func compileIR(ctx context.Context, name string, data []byte) error {
	m, err := ir.Parse(name, data)
	if err != nil {
		return err
	}
	if err := ir.Verify(m); err != nil {
		return err
	}
	return compileModule(ctx, name, m)
}

func compileKaleido(ctx context.Context, name string, data []byte) error {
	m, diags, err := kaleidoscope.Compile(ctx, name, []string{name}, [][]byte{data})
	if err != nil {
		return err
	}
	for _, d := range diags {
		if err := check(d); err != nil {
			var bug *bugError
			if errors.As(err, &bug) {
				return err
			}
		}
	}
	if err := ir.Verify(m); err != nil {
		return &bugError{msg: fmt.Sprintf("generated IR does not verify: %v", clip(err.Error()))}
	}
	return compileModule(ctx, name, m)
}

// TestMutateIsDeterministic checks that a seed names its mutants, so that
// a failure reported by seed, input and mutant number can be rebuilt.
func TestMutateIsDeterministic(t *testing.T) {
	data, err := os.ReadFile("../../jitlink/elf/testdata/small.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []Kind{Binary, ELF, Text, Archive} {
		r1, r2 := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
		for i := range 200 {
			a, wa := Mutate(r1, kind, data)
			b, wb := Mutate(r2, kind, data)
			if wa != wb || string(a) != string(b) {
				t.Fatalf("kind %d, mutant %d differs: %s / %s", kind, i, wa, wb)
			}
		}
	}
	if string(data) != mustRead(t, "../../jitlink/elf/testdata/small.c") {
		t.Error("Mutate changed its input")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestELFSectionFieldsNear2to64 sets the size, offset and alignment of
// every section of a gcc object (with .tbss and .bss) to values near
// 2^63 and 2^64: each is an error naming the section, or a link (issue 14,
// item 7: the ELF reader and layout check their arithmetic).
func TestELFSectionFieldsNear2to64(t *testing.T) {
	data := []byte(mustRead(t, "../../jitlink/elf/testdata/small-pic.o"))
	shoff := binary.LittleEndian.Uint64(data[40:])
	shnum := int(binary.LittleEndian.Uint16(data[60:]))
	fields := []struct {
		name string
		off  uint64
	}{{"sh_offset", 24}, {"sh_size", 32}, {"sh_addralign", 48}}
	n := 0
	for i := 1; i < shnum; i++ {
		for _, f := range fields {
			for _, v := range []uint64{1<<64 - 16, 1<<64 - 1, 1 << 63, 1<<63 - 1, 1 << 41} {
				d := bytes.Clone(data)
				binary.LittleEndian.PutUint64(d[shoff+64*uint64(i)+f.off:], v)
				err := runWithTimeout(linkObject, "x.o", d, 20*time.Second)
				var bug *bugError
				if errors.As(err, &bug) {
					t.Errorf("section %d %s = %#x: %v", i, f.name, v, err)
				}
				n++
			}
		}
	}
	t.Logf("%d patched objects", n)
}

// raceEnabled is set under the race detector (race_test.go).
var raceEnabled bool
