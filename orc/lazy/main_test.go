//go:build cgo

package lazy_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/jit"
	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// TestMain turns the test binary into an executor when it is spawned as
// one (epc.SpawnChild sets GORC_EXECUTOR_FDS).
func TestMain(m *testing.M) {
	if os.Getenv(executor.FDsEnv) != "" {
		if err := executor.ServeInheritedFDs(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "executor:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cc compiles C source to an object in dir and returns its bytes.
func cc(t testing.TB, dir, name, src string) []byte {
	t.Helper()
	c := filepath.Join(dir, name+".c")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-c", "-O1", "-fPIC", "-o", o, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	data, err := os.ReadFile(o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// execModes are the executors the lazy tests run in.
var execModes = []struct {
	name string
	opts func() jit.Options
}{
	{"local", func() jit.Options { return jit.Options{} }},
	{"child", func() jit.Options { return jit.Options{Exec: "child", ExecutorCommand: []string{os.Args[0]}} }},
	{"child-shm", func() jit.Options {
		return jit.Options{Exec: "child", SHM: true, ExecutorCommand: []string{os.Args[0]}}
	}},
}

// linkCounter is an objlayer plugin counting the links of each object,
// optionally slowing them down so that concurrent first calls overlap.
type linkCounter struct {
	delay time.Duration
	mu    sync.Mutex
	n     map[string]int
}

func (c *linkCounter) ModifyPassConfig(*orc.MaterializationResponsibility, *jitlink.LinkGraph, *jitlink.PassConfiguration) error {
	return nil
}

func (c *linkCounter) NotifyEmitted(_ *orc.MaterializationResponsibility, g *jitlink.LinkGraph) error {
	time.Sleep(c.delay)
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[g.Name]++
	c.mu.Unlock()
	return nil
}

func (c *linkCounter) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// jitAddr converts a raw address for the EPC.
func jitAddr(a uint64) shared.ExecutorAddr { return shared.ExecutorAddr(a) }
