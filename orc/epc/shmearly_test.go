//go:build cgo

package epc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/shared/wire"
)

func hostEarlyShm() *EarlyHello {
	x := hostEarly()
	x.SharedMemory = true
	return x
}

// fdFlags returns the flags (octal, as /proc/PID/fdinfo says them) of
// descriptor fd of process pid.
func fdFlags(t *testing.T, pid, fd int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "flags:"); ok {
			f, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no flags in fdinfo %d/%d", pid, fd)
	return 0
}

// slabFDs counts this process's descriptors on a gorc-slab memfd.
func slabFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range ents {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, d.Name())); err == nil && strings.HasPrefix(l, "/memfd:gorc-slab") {
			n++
		}
	}
	return n
}

// With SharedMemory, a shared reservation is placed, mapped here and
// written before the hello; the executor maps the same pages at the same
// address, through the memfd it inherited, close-on-exec.
func TestSpawnEarlyShm(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := slabFDs(t, os.Getpid())
	e := spawnEarly(t, nil, hostEarlyShm())
	if e.shmFD < 3 {
		t.Fatalf("no memfd handed to the child (descriptor %d)", e.shmFD)
	}
	ps := e.PageSize()
	r, mem, ok, err := e.ReserveSharedEarly(64*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skip("the hello was already in")
	}
	if r.Size() != 64*ps || uint64(len(mem)) != r.Size() {
		t.Fatalf("reserved %v, mapped %#x bytes", r, len(mem))
	}
	defer syscall.Munmap(mem)
	msg := []byte("written before the executor had started")
	copy(mem[5*ps:], msg)
	// Only one reservation takes the memfd.
	if _, _, ok, err := e.ReserveSharedEarly(ps, false); ok || err != nil {
		t.Fatalf("second early shared reservation: ok %v, %v", ok, err)
	}
	page := shared.ExecutorAddrRange{Start: r.Start.Add(5 * ps), End: r.Start.Add(6 * ps)}
	e.earlyMu.Lock()
	queued, early := len(e.pre), !e.helloDone
	e.earlyMu.Unlock()
	if err := e.Protect(ctx, page, shared.ProtRead); err != nil {
		t.Fatalf("protect in the shared reservation %v: %v", r, err)
	}
	// Before the hello the protection change is queued (-shm's code
	// blocks do not wait for the executor).
	e.earlyMu.Lock()
	if early && !e.helloDone && len(e.pre) != queued+1 {
		t.Errorf("protect before the hello: %d steps queued, want %d", len(e.pre), queued+1)
	}
	e.earlyMu.Unlock()
	got, err := e.Read(ctx, page.Start, uint64(len(msg)))
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("the executor reads %q, %v", got, err)
	}
	// The executor's descriptor: the memfd, close-on-exec.
	pid := e.PID()
	if l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, e.shmFD)); err != nil || !strings.HasPrefix(l, "/memfd:gorc-slab") {
		t.Fatalf("executor's descriptor %d: %q, %v", e.shmFD, l, err)
	}
	if f := fdFlags(t, pid, e.shmFD); f&syscall.O_CLOEXEC == 0 {
		t.Fatalf("executor's memfd flags %#o: not close-on-exec", f)
	}
	// The controller no longer holds a descriptor on it (its mapping
	// keeps the pages).
	if n := slabFDs(t, os.Getpid()); n != before {
		t.Fatalf("controller holds %d memfds, had %d", n, before)
	}
	// Written by the executor, seen here.
	if err := e.Protect(ctx, page, shared.ProtRead|shared.ProtWrite); err != nil {
		t.Fatal(err)
	}
	if err := e.Write(ctx, page.Start.Add(100), []byte("back")); err != nil {
		t.Fatal(err)
	}
	if string(mem[5*ps+100:5*ps+104]) != "back" {
		t.Fatalf("the controller's view reads %q", mem[5*ps+100:5*ps+104])
	}
	// Later reservations ask the executor.
	r2, path, err := e.ReserveShared(ctx, ps, false)
	if err != nil || !strings.HasPrefix(path, "/proc/") {
		t.Fatalf("reserve-shared after the hello: %v %q %v", r2, path, err)
	}
	if err := e.Release(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, e.shmFD)); err == nil {
		t.Fatal("the executor keeps the memfd after the release")
	}
}

// A memfd handed over but never reserved is close-on-exec in the executor
// from its start, and the controller's copy is closed after the hello.
func TestSpawnEarlyShmUnused(t *testing.T) {
	before := slabFDs(t, os.Getpid())
	e := spawnEarly(t, nil, hostEarlyShm())
	if err := e.Started(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f := fdFlags(t, e.PID(), e.shmFD); f&syscall.O_CLOEXEC == 0 {
		t.Fatalf("unused memfd flags %#o in the executor: not close-on-exec", f)
	}
	if n := slabFDs(t, os.Getpid()); n != before {
		t.Fatalf("controller holds %d memfds after the hello, had %d", n, before)
	}
	if _, _, ok, _ := e.ReserveSharedEarly(1<<20, false); ok {
		t.Fatal("early shared reservation after the hello")
	}
}

// Failures: the chosen address taken in the child, memfd_create failing,
// the executor dying before its hello — each a clear error, no hang, no
// process left.
func TestSpawnEarlyShmFailures(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("address taken", func(t *testing.T) {
		e := spawnEarly(t, nil, hostEarlyShm())
		taken, err := e.Reserve(ctx, 1<<20, false) // placed too
		if err != nil {
			t.Fatal(err)
		}
		r, mem, ok, err := e.ReserveSharedEarly(1<<20, false)
		if err != nil || !ok {
			t.Skipf("no early shared reservation: %v", err)
		}
		defer syscall.Munmap(mem)
		// Move the queued reserve-shared onto the other placed range.
		e.earlyMu.Lock()
		if e.helloDone {
			e.earlyMu.Unlock()
			t.Skip("the hello was already in")
		}
		st := &e.pre[len(e.pre)-1]
		st.payload = new(wire.Encoder).U64(r.Size()).U64(0).U64(uint64(taken.Start)).U64(uint64(e.shmFD)).Payload()
		e.earlyMu.Unlock()
		_, err = e.LookupSymbols(ctx, 0, []string{"malloc"})
		var es *EarlyStepError
		if !errors.As(err, &es) || !strings.Contains(err.Error(), "of shared memory at") || !errors.Is(err, syscall.EEXIST) && !strings.Contains(err.Error(), "file exists") {
			t.Fatalf("lookup: %v", err)
		}
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
			t.Fatal("executor still running")
		}
	})

	t.Run("memfd_create fails", func(t *testing.T) {
		old := memfdCreate
		defer func() { memfdCreate = old }()
		memfdCreate = func(string) (*os.File, error) { return nil, syscall.EMFILE }
		cmd := exec.Command(os.Args[0])
		_, err := SpawnChildEarly(cmd, nil, hostEarlyShm())
		if err == nil || !strings.Contains(err.Error(), "memfd_create") || !errors.Is(err, syscall.EMFILE) {
			t.Fatalf("spawn: %v", err)
		}
		if cmd.Process != nil {
			t.Fatal("the executor was started")
		}
	})

	t.Run("executor dies before its hello", func(t *testing.T) {
		cmd := exec.Command("/bin/sh", "-c", "sleep 0.2; exit 3")
		e, err := SpawnChildEarly(cmd, nil, hostEarlyShm())
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close(ctx)
		_, mem, ok, err := e.ReserveSharedEarly(1<<20, false)
		if err != nil || !ok {
			t.Fatalf("early shared reservation: %v, %v", ok, err)
		}
		defer syscall.Munmap(mem)
		_, err = e.LookupSymbols(ctx, 0, []string{"malloc"})
		if err == nil || !strings.Contains(err.Error(), "executor exited with status 3") {
			t.Fatalf("lookup: %v", err)
		}
		if ctx.Err() != nil {
			t.Fatal("waited for the test's deadline")
		}
	})
}

// A protection change queued before the hello that the executor refuses
// fails the handshake naming it; one outside every placed reservation is
// not queued.
func TestSpawnEarlyQueuedProtectFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := spawnEarly(t, nil, hostEarlyShm())
	r, mem, ok, err := e.ReserveSharedEarly(1<<20, false)
	if err != nil || !ok {
		t.Skipf("no early shared reservation: %v", err)
	}
	defer syscall.Munmap(mem)
	if e.queueEarlyIn(shared.ExecutorAddrRange{Start: r.End, End: r.End.Add(4096)}, wire.OpProtect, nil, "outside") {
		t.Fatal("a step outside the placed reservations was queued")
	}
	// Unaligned: refused by the executor.
	bad := shared.ExecutorAddrRange{Start: r.Start.Add(1), End: r.Start.Add(4096)}
	if err := e.Protect(ctx, bad, shared.ProtRead); err != nil {
		t.Fatal(err)
	}
	_, err = e.LookupSymbols(ctx, 0, []string{"malloc"})
	var es *EarlyStepError
	if !errors.As(err, &es) || !strings.Contains(es.What, "protect") {
		t.Fatalf("lookup: %v", err)
	}
}

// The executor refuses a reserve-shared naming a descriptor it was not
// handed.
func TestReserveSharedAtForeignFD(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e := spawnEarly(t, nil, hostEarly())
	if err := e.Started(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := e.call(ctx, wire.OpReserveShared, new(wire.Encoder).U64(1<<20).U64(0).U64(0x2345<<32).U64(1).Payload())
	if err == nil || !strings.Contains(err.Error(), "not a memfd the controller handed") {
		t.Fatalf("reserve-shared on descriptor 1: %v", err)
	}
}

// BenchmarkSpawnShmSlab: spawn a child, get a writable shared slab of 64
// MiB (the time reported as slab-µs/op), write a page, and make the first
// call that needs the executor (lookup): -shm before this session (the
// slab waits for the hello: reserve-shared, then open /proc/PID/fd/N)
// against the memfd handed over at the spawn.
func BenchmarkSpawnShmSlab(b *testing.B) {
	for _, early := range []bool{false, true} {
		name := "after-hello"
		if early {
			name = "at-spawn"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var slab time.Duration
			for b.Loop() {
				cmd := exec.Command(os.Args[0])
				cmd.Stderr = os.Stderr
				x := hostEarly()
				x.SharedMemory = early
				t0 := time.Now()
				e, err := SpawnChildEarly(cmd, nil, x)
				if err != nil {
					b.Fatal(err)
				}
				var mem []byte
				if early {
					_, mem, _, err = e.ReserveSharedEarly(64<<20, false)
				} else {
					var path string
					_, path, err = e.ReserveShared(ctx, 64<<20, false)
					if err == nil {
						var f *os.File
						if f, err = os.OpenFile(path, os.O_RDWR, 0); err == nil {
							mem, err = syscall.Mmap(int(f.Fd()), 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
							f.Close()
						}
					}
				}
				if err != nil || mem == nil {
					b.Fatalf("slab: %v", err)
				}
				mem[4096] = 1
				slab += time.Since(t0)
				if _, err := e.LookupSymbols(ctx, 0, []string{"malloc"}); err != nil {
					b.Fatal(err)
				}
				syscall.Munmap(mem)
				e.Close(ctx)
			}
			b.ReportMetric(float64(slab.Microseconds())/float64(b.N), "slab-µs/op")
		})
	}
}
