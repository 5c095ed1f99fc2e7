package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers shared by the command's tests (no cgo needed to build them).

var (
	gorcBinOnce sync.Once
	gorcBinPath string
	gorcBinErr  error
)

// gorcBinary builds the gorc command once per test process.
func gorcBinary(t testing.TB) string {
	t.Helper()
	gorcBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gorc-bin-")
		if err != nil {
			gorcBinErr = err
			return
		}
		gorcBinPath = filepath.Join(dir, "gorc")
		out, err := exec.Command("go", "build", "-o", gorcBinPath, ".").CombinedOutput()
		if err != nil {
			gorcBinErr = fmt.Errorf("go build ./cmd/gorc: %v\n%s", err, out)
		}
	})
	if gorcBinErr != nil {
		t.Fatal(gorcBinErr)
	}
	return gorcBinPath
}

// execMode is one way gorc run executes a program (-exec, -shm).
type execMode struct {
	name   string   // subtest name; "" for the single mode the environment chose
	flags  []string // gorc run flags
	tcp    bool     // -exec tcp:// an executor from the test's pool
	remote bool     // code runs in another process than gorc run
	peer   bool     // GORC_CORPUS_PEER: not gorc at all
}

// label is the report's mode column for compile mode m.
func (em execMode) label(m string) string {
	if em.name == "" || em.name == "local" {
		return m
	}
	return m + "@" + em.name
}

// acquire returns the flags for one run and a function to call after it
// (a TCP executor serves one controller at a time).
func (em execMode) acquire(t testing.TB) (release func(), flags []string) {
	if !em.tcp {
		return func() {}, em.flags
	}
	pool := tcpExecutors(t)
	addr := <-pool
	return func() { pool <- addr }, append(append([]string{}, em.flags...), "-exec", "tcp://"+addr)
}

// execModes returns the modes every corpus case and driver runs in:
// local, child, child -shm and tcp (an executor on a loopback port),
// unless GORC_EXEC (one mode) or GORC_CORPUS_PEER says otherwise.
func execModes(t testing.TB) []execMode {
	if os.Getenv("GORC_CORPUS_PEER") != "" {
		return []execMode{{peer: true}}
	}
	if e := os.Getenv("GORC_EXEC"); e != "" {
		fs := strings.Fields(e)
		return []execMode{{flags: append([]string{"-exec", fs[0]}, fs[1:]...), remote: fs[0] != "local"}}
	}
	return []execMode{
		{name: "local", flags: []string{"-exec", "local"}},
		{name: "child", flags: []string{"-exec", "child"}, remote: true},
		{name: "child-shm", flags: []string{"-exec", "child", "-shm"}, remote: true},
		{name: "tcp", tcp: true, remote: true},
	}
}

// forEachMode runs f in every mode, as subtests named after the modes
// (directly when the environment chose a single mode).
func forEachMode(t *testing.T, modes []execMode, f func(t *testing.T, em execMode)) {
	if len(modes) == 1 && modes[0].name == "" {
		f(t, modes[0])
		return
	}
	for _, em := range modes {
		t.Run(em.name, func(t *testing.T) { f(t, em) })
	}
}

// tcpPoolSize is the number of TCP executors the tests start: as many as
// cases run at once.
const tcpPoolSize = 4

var (
	tcpOnce  sync.Once
	tcpPool  chan string
	tcpProcs []*exec.Cmd
	tcpErr   error
)

// tcpExecutors starts (once) tcpPoolSize `gorc executor -listen
// 127.0.0.1:0` processes and returns the pool of their addresses.
func tcpExecutors(t testing.TB) chan string {
	t.Helper()
	bin := gorcBinary(t)
	tcpOnce.Do(func() {
		tcpPool = make(chan string, tcpPoolSize)
		for range tcpPoolSize {
			addr, cmd, err := startTCPExecutor(bin)
			if err != nil {
				tcpErr = err
				return
			}
			tcpProcs = append(tcpProcs, cmd)
			tcpPool <- addr
		}
	})
	if tcpErr != nil {
		t.Fatalf("starting a TCP executor: %v", tcpErr)
	}
	return tcpPool
}

// startTCPExecutor starts `gorc executor -listen 127.0.0.1:0 EXTRA...` and
// reads the address it listens on from its first line of stderr.
func startTCPExecutor(bin string, extra ...string) (string, *exec.Cmd, error) {
	cmd := exec.Command(bin, append([]string{"executor", "-listen", "127.0.0.1:0"}, extra...)...)
	se, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(se)
		l, _ := br.ReadString('\n')
		line <- l
		io.Copy(io.Discard, br) // session logs
	}()
	select {
	case l := <-line:
		const marker = "listening on "
		i := strings.Index(l, marker)
		if i < 0 {
			cmd.Process.Kill()
			cmd.Wait()
			return "", nil, fmt.Errorf("%s executor -listen: unexpected first line %q", bin, l)
		}
		return strings.TrimSpace(l[i+len(marker):]), cmd, nil
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return "", nil, fmt.Errorf("%s executor -listen: no address announced within 10s", bin)
	}
}

// TestMain stops the TCP executors after the tests. The persistent code
// cache's default directory is a temporary one, so that tests neither
// write into nor read from the user's cache.
func TestMain(m *testing.M) {
	xdg, err := os.MkdirTemp("", "gorc-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Go's own build cache defaults to $XDG_CACHE_HOME/go-build: keep it
	// where it was, or gorcBinary's build starts from an empty cache (a
	// minute or more at load) inside the first test's time limit.
	if os.Getenv("GOCACHE") == "" {
		if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
			if d := strings.TrimSpace(string(out)); d != "" && d != "off" {
				os.Setenv("GOCACHE", d)
			}
		}
	}
	os.Setenv("XDG_CACHE_HOME", xdg)
	code := m.Run()
	os.RemoveAll(xdg)
	for _, c := range tcpProcs {
		c.Process.Kill()
		c.Wait()
	}
	os.Exit(code)
}
