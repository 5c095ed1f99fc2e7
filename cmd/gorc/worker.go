package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorc-jit/gorc/shared"
	"github.com/gorc-jit/gorc/worker"
)

// gorc worker, and the controller's side of compile workers: the flags
// -workers N, -worker tcp://HOST:PORT|tls://HOST:PORT and -worker-timeout
// of gorc kaleido and gorc run (see docs/WORKERS.md).

func init() {
	register("worker", "serve compile requests (IR in, ELF object out) for a controller's -workers/-worker", runWorker)
}

const workerUsage = `usage: gorc worker [-listen ADDR [-tls-cert F -tls-key F -tls-client-ca F]]

Serves compile requests: a controller (gorc kaleido or gorc run with
-workers N or -worker ADDR) sends LLVM IR text with the functions to
compile, the target triple and the optimisation level; the worker answers
with an ELF relocatable object, or an error naming the function and the
reason. Without -listen it serves the controller that spawned it over
stdin and stdout (what -workers N does). With -listen ADDR it accepts
controllers on TCP (port 20001 when ADDR has none); an address other than
loopback requires mutual TLS (-tls-cert, -tls-key, -tls-client-ca). It
prints "listening on ADDR" on stderr once ready and runs until killed.

Flags:
`

func runWorker(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("worker")
	listen := fs.String("listen", "", "serve controllers on this TCP `address` (e.g. 127.0.0.1:20001)")
	cert := fs.String("tls-cert", "", "server certificate (PEM) for -listen with mutual TLS")
	key := fs.String("tls-key", "", "server private key (PEM)")
	clientCA := fs.String("tls-client-ca", "", "CA (PEM) that signs accepted client certificates")
	maxConns := fs.Int("max-conns", 64, "with -listen: controllers' connections served at once; more are closed")
	c := cmdLine{cmd: "worker", fs: fs}
	files, rest, status := c.parseCommandLine(args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, workerUsage)
		printFlags(w, fs)
	})
	if status >= 0 {
		return status
	}
	if len(files)+len(rest) > 0 {
		fmt.Fprintln(stderr, usagef("worker", "unexpected arguments %q", append(files, rest...)))
		return 2
	}
	// A compile allocates many small objects that die with the request:
	// collect when the heap reaches 512 MiB (a soft limit) rather than
	// every time it doubles, unless GOGC or GOMEMLIMIT say otherwise.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
		debug.SetGCPercent(-1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if *listen == "" {
		if err := worker.Serve(ctx, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(stderr, "gorc worker: %v\n", err)
			return 1
		}
		return 0
	}
	addr := *listen
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "20001")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "gorc worker: %v\n", err)
		return 1
	}
	if *cert != "" || *key != "" || *clientCA != "" {
		cfg, err := shared.ServerMutualTLS(*cert, *key, *clientCA)
		if err != nil {
			ln.Close()
			fmt.Fprintln(stderr, usagef("worker", "%v", err))
			return 2
		}
		ln = tls.NewListener(ln, cfg)
	} else if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		fmt.Fprintf(stderr, "gorc worker: refusing to listen on %s without mutual TLS: the IR it is sent and the code it returns would cross the network in clear text, from anyone (give -tls-cert, -tls-key and -tls-client-ca, or a loopback address)\n", addr)
		return 2
	}
	fmt.Fprintf(stderr, "gorc worker: listening on %s\n", ln.Addr())
	var logMu sync.Mutex
	err = worker.ServeListener(ctx, ln, worker.ServeConfig{MaxConns: *maxConns, Logf: func(format string, a ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, format+"\n", a...)
	}})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "gorc worker: %v\n", err)
		return 1
	}
	return 0
}

// defaultWorkerTimeout bounds one job on one worker unless -worker-timeout
// says otherwise: far beyond any part's compile time, short enough that a
// stuck worker does not look like a hang.
const defaultWorkerTimeout = time.Minute

// workerFlags are a controller's -workers N, -worker ADDR (repeatable)
// and -worker-timeout.
type workerFlags struct {
	local   int
	remote  []string
	timeout time.Duration
}

func (w *workerFlags) register(fs *flag.FlagSet) {
	fs.Var(funcValue(func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 256 {
			return fmt.Errorf("want a number of workers from 0 to 256, not %q", v)
		}
		w.local = n
		return nil
	}), "workers", "compile in `N` local worker processes (gorc worker), linking their objects in this session; 0: compile here")
	fs.Var(funcValue(func(v string) error {
		if !strings.HasPrefix(v, "tcp://") && !strings.HasPrefix(v, "tls://") {
			return fmt.Errorf("-worker %q: want tcp://HOST:PORT or tls://HOST:PORT", v)
		}
		w.remote = append(w.remote, v)
		return nil
	}), "worker", "also compile in the gorc worker -listen at `tcp://HOST:PORT` or tls://HOST:PORT (repeatable; tls:// uses -tls-cert, -tls-key, -tls-ca)")
	fs.DurationVar(&w.timeout, "worker-timeout", 0, "a job a worker has not answered in this `time` (default 1m) is compiled elsewhere")
}

// enabled reports whether any worker was asked for.
func (w workerFlags) enabled() bool { return w.local > 0 || len(w.remote) > 0 }

// tlsWanted reports whether a -worker is tls://.
func (w workerFlags) tlsWanted() bool {
	for _, r := range w.remote {
		if strings.HasPrefix(r, "tls://") {
			return true
		}
	}
	return false
}

// open starts the local workers and connects to the remote ones, all at
// once. A worker that cannot be started or reached is reported on stderr
// and left out: its jobs go to the others, or are compiled here.
func (w workerFlags) open(ctx context.Context, cmd string, tlsCfg *tls.Config, stderr io.Writer) *worker.Pool {
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	var mu sync.Mutex
	logf := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, format+"\n", a...)
	}
	pool := worker.NewPool()
	pool.Timeout = w.timeout
	if pool.Timeout <= 0 {
		pool.Timeout = defaultWorkerTimeout
	}
	pool.Logf = logf
	var wg sync.WaitGroup
	for i := range w.local {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := worker.Spawn(ctx, fmt.Sprintf("local worker %d", i+1), []string{self, "worker"}, os.Stderr)
			if err != nil {
				logf("gorc %s: %v (compiling without it)", cmd, err)
				return
			}
			pool.Add(c)
		}()
	}
	for _, r := range w.remote {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cfg *tls.Config
			addr, isTLS := strings.CutPrefix(r, "tls://")
			if isTLS {
				cfg = tlsCfg
			} else {
				addr = strings.TrimPrefix(r, "tcp://")
			}
			c, err := worker.Dial(ctx, addr, cfg, 10*time.Second)
			if err != nil {
				logf("gorc %s: %v (compiling without it)", cmd, err)
				return
			}
			pool.Add(c)
		}()
	}
	wg.Wait()
	return pool
}

// execAndWorkerTLS builds the client TLS configurations of -exec and of
// the -worker addresses from -tls-cert, -tls-key and -tls-ca: the
// executor's when -exec is tls://, the workers' when a -worker is
// tls:// (both use the same client certificate).
func execAndWorkerTLS(exec string, w workerFlags, cert, key, ca string) (execCfg, workerCfg *tls.Config, err error) {
	if !w.tlsWanted() {
		execCfg, err = clientTLS(exec, cert, key, ca)
		return execCfg, nil, err
	}
	if cert == "" || key == "" || ca == "" {
		return nil, nil, errors.New("-worker tls://HOST:PORT needs -tls-cert, -tls-key and -tls-ca (mutual TLS)")
	}
	if workerCfg, err = clientTLS("tls://", cert, key, ca); err != nil {
		return nil, nil, err
	}
	if strings.HasPrefix(exec, "tls://") {
		execCfg = workerCfg.Clone()
	}
	return execCfg, workerCfg, nil
}
