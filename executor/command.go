//go:build cgo

package executor

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/gorc-jit/gorc/shared"
)

// Command implements `gorc executor [flags]`; args are the arguments after
// the subcommand name, and the result is the exit status.
//
//   - With GORC_EXECUTOR_FDS set (a controller spawned it with
//     epc.SpawnChild), it serves that controller on those descriptors.
//   - Without -listen, it serves a parent on stdin/stdout: the protocol
//     takes over descriptors 0 and 1, and the program run in it gets
//     /dev/null as stdin and stderr as stdout.
//   - With -listen ADDR (default port 20000 on 127.0.0.1), it accepts
//     controllers concurrently (-max-sessions at once, -max-unauthenticated
//     in their handshake, each given -handshake-timeout to complete the TLS
//     handshake and send its hello), each served by a fresh executor
//     process (self, argv[0] with FDsEnv) spawned only once authenticated. A non-loopback address requires -tls-cert,
//     -tls-key and -tls-client-ca (mutual TLS).
//   - With -listen ADDR -shared, it supervises one shared executor
//     process that serves every controller on the listening socket, and
//     starts a new one whenever it ends (a fault in JIT'd code).
func Command(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("gorc executor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	run := CommandFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), CommandUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0 // help asked for and printed
		}
		return 2
	}
	return run(ctx, stderr)
}

// CommandFlags defines the flags of `gorc executor` on fs and returns the
// function that runs the command once fs has been parsed (by the caller's
// own command-line syntax; Command uses package flag's).
func CommandFlags(fs *flag.FlagSet) func(ctx context.Context, stderr io.Writer) int {
	c := &commandConfig{}
	fs.StringVar(&c.listen, "listen", "", "serve controllers on this TCP address (e.g. 127.0.0.1:20000)")
	fs.StringVar(&c.cert, "tls-cert", "", "server certificate (PEM) for -listen with mutual TLS")
	fs.StringVar(&c.key, "tls-key", "", "server private key (PEM)")
	fs.StringVar(&c.clientCA, "tls-client-ca", "", "CA (PEM) that signs accepted client certificates")
	fs.IntVar(&c.maxSessions, "max-sessions", DefaultMaxSessions, "with -listen: controllers served at once; more are refused")
	fs.IntVar(&c.maxUnauth, "max-unauthenticated", DefaultMaxUnauthenticated, "with -listen: connections in their handshake at once; more are closed")
	fs.DurationVar(&c.handshake, "handshake-timeout", DefaultHandshakeTimeout, "with -listen: time from accept to the controller's hello (TLS handshake included)")
	fs.DurationVar(&c.writeTimeout, "write-timeout", DefaultWriteTimeout, "with -listen -shared: drop a controller that takes no byte of its answers for this long (it stopped reading)")
	fs.BoolVar(&c.shared, "shared", false, "with -listen: serve every controller in this one process, which can publish dylibs to the others and link against theirs (docs/SHARING.md)")
	return func(ctx context.Context, stderr io.Writer) int { return c.serve(ctx, stderr) }
}

// commandConfig is the command line of `gorc executor`.
type commandConfig struct {
	listen, cert, key, clientCA string
	maxSessions, maxUnauth      int
	handshake, writeTimeout     time.Duration
	shared                      bool
}

// serve is `gorc executor` once its flags are parsed.
func (c *commandConfig) serve(ctx context.Context, stderr io.Writer) int {
	listen, cert, key, clientCA := c.listen, c.cert, c.key, c.clientCA
	maxSessions, maxUnauth, handshake := c.maxSessions, c.maxUnauth, c.handshake
	if maxSessions < 1 || maxUnauth < 1 || handshake <= 0 || c.writeTimeout <= 0 {
		fmt.Fprintf(stderr, "gorc executor: -max-sessions (%d) and -max-unauthenticated (%d) must be at least 1, -handshake-timeout (%v) and -write-timeout (%v) positive\n", maxSessions, maxUnauth, handshake, c.writeTimeout)
		return 2
	}
	if os.Getenv(FDsEnv) != "" {
		if err := ServeInheritedFDs(ctx); err != nil {
			fmt.Fprintln(stderr, "gorc executor:", err)
			return 1
		}
		return 0
	}
	if c.shared && listen == "" {
		fmt.Fprintln(stderr, "gorc executor: -shared needs -listen ADDR (the controllers connect to the one shared executor over TCP)")
		return 2
	}
	if listen == "" {
		if err := serveStdio(ctx); err != nil {
			fmt.Fprintln(stderr, "gorc executor:", err)
			return 1
		}
		return 0
	}
	addr := listen
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "20000")
	}
	// A supervised shared executor (below) accepts on the listening
	// socket its supervisor handed it.
	child := c.shared && os.Getenv(sharedListenerEnv) != ""
	var ln net.Listener
	var err error
	if child {
		os.Unsetenv(sharedListenerEnv)
		f := os.NewFile(3, "gorc-shared-listener")
		ln, err = net.FileListener(f)
		f.Close()
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gorc executor:", err)
		return 1
	}
	raw := ln
	useTLS := cert != "" || key != "" || clientCA != ""
	if useTLS {
		cfg, err := shared.ServerMutualTLS(cert, key, clientCA)
		if err != nil {
			ln.Close()
			fmt.Fprintln(stderr, "gorc executor:", err)
			return 2
		}
		ln = tls.NewListener(ln, cfg)
	} else if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		fmt.Fprintf(stderr, "gorc executor: refusing to listen on %s without mutual TLS: an executor runs whatever it is sent (give -tls-cert, -tls-key and -tls-client-ca, or a loopback address)\n", addr)
		return 2
	}
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	var logMu sync.Mutex
	logf := func(format string, a ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, format+"\n", a...)
	}
	switch {
	case child:
		fmt.Fprintf(stderr, "gorc executor: shared executor (pid %d) serving %s\n", os.Getpid(), ln.Addr())
	case c.shared:
		fmt.Fprintf(stderr, "gorc executor: shared executor (supervisor pid %d) listening on %s\n", os.Getpid(), ln.Addr())
		return c.supervise(ctx, raw.(*net.TCPListener), self, stderr, logf)
	default:
		fmt.Fprintf(stderr, "gorc executor: listening on %s\n", ln.Addr())
	}
	err = ServeListenerConfig(ctx, ln, []string{self, "executor"}, ListenerConfig{
		MaxSessions:        maxSessions,
		MaxUnauthenticated: maxUnauth,
		HandshakeTimeout:   handshake,
		Shared:             c.shared,
		WriteTimeout:       c.writeTimeout,
		Logf:               logf,
	})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "gorc executor:", err)
		return 1
	}
	return 0
}

// sharedListenerEnv, set to "3" in the environment of the shared executor
// process a supervisor starts, says that descriptor 3 is the listening
// socket to accept controllers on.
const sharedListenerEnv = "GORC_SHARED_LISTENER_FD"

// supervise is `gorc executor -listen ADDR -shared`: it keeps one shared
// executor process (self, with sharedListenerEnv and the same flags)
// accepting controllers on ln, and starts a new one whenever it ends — a
// fault in code one controller runs kills the process that serves them
// all (it is one address space, which the fault may have corrupted, so
// it is not recovered in place). Controllers that connect meanwhile wait
// in the listen backlog. A process that ends within a second of starting
// is restarted after a growing delay (up to 10 s), so one that cannot
// start does not spin (the first such end is restarted at once).
func (c *commandConfig) supervise(ctx context.Context, ln *net.TCPListener, self string, stderr io.Writer, logf func(string, ...any)) int {
	f, err := ln.File()
	ln.Close() // (f is a duplicate of the socket)
	if err != nil {
		fmt.Fprintln(stderr, "gorc executor:", err)
		return 1
	}
	defer f.Close()
	args := []string{"executor", "-listen", c.listen, "-shared",
		"-max-sessions", fmt.Sprint(c.maxSessions), "-max-unauthenticated", fmt.Sprint(c.maxUnauth),
		"-handshake-timeout", c.handshake.String(), "-write-timeout", c.writeTimeout.String()}
	for _, kv := range [][2]string{{"-tls-cert", c.cert}, {"-tls-key", c.key}, {"-tls-client-ca", c.clientCA}} {
		if kv[1] != "" {
			args = append(args, kv[0], kv[1])
		}
	}
	// The child is killed if this process dies (Pdeathsig), which is
	// tied to the thread that started it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var backoff time.Duration
	quick := 0 // children in a row that ended within a second of starting
	for {
		cmd := exec.Command(self, args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, stderr
		cmd.ExtraFiles = []*os.File{f}
		cmd.Env = append(os.Environ(), sharedListenerEnv+"=3")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(stderr, "gorc executor: starting the shared executor: %v\n", err)
			return 1
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-ctx.Done():
			cmd.Process.Kill()
			<-done
			return 0
		case err = <-done:
		}
		// One quick end (a crash right after a controller connected) is
		// restarted at once; a child that keeps ending at once is not
		// restarted in a tight loop.
		if time.Since(started) < time.Second {
			quick++
			if quick > 1 {
				backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
			}
		} else {
			quick, backoff = 0, 0
		}
		logf("gorc executor: the shared executor (pid %d) ended (%v); every controller it served lost it; starting a new one on %s in %v (controllers connecting meanwhile wait)", cmd.Process.Pid, endedHow(cmd, err), ln.Addr(), backoff)
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(backoff):
		}
	}
}

// endedHow says how a process ended.
func endedHow(cmd *exec.Cmd, err error) string {
	if st := cmd.ProcessState; st != nil {
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + sigName(ws.Signal())
		}
		return fmt.Sprintf("exit status %d", st.ExitCode())
	}
	return err.Error()
}

// CommandUsage describes `gorc executor` (its flags follow it in the help).
const CommandUsage = `usage: gorc executor [-listen ADDR [flags]]

Serves as an executor process: the process in which a controller (gorc
run -exec child|tcp://|tls://, gorc kaleido -exec ..., or a Go program using
package jit) maps JIT'd code and runs it, like LLVM's llvm-jitlink-executor
or the Kaleidoscope tutorial's toy-server.

Without -listen it serves the controller that spawned it, over inherited
descriptors or stdin/stdout (gorc run -exec child starts it so). With
-listen ADDR it accepts controllers on TCP (port 20000 when ADDR has none)
and serves each in a fresh executor process; an address other than
loopback requires mutual TLS (-tls-cert, -tls-key, -tls-client-ca), as an
executor runs whatever code it is sent. With -shared, one process serves
every controller: each works on its own memory, and they can publish
dylibs to one another and link against them (gorc run -publish NAME,
-link-shared NAME; docs/SHARING.md); that process is restarted on the
same address if it dies (a fault in JIT'd code, after telling every
controller whose code faulted and where), and a controller that stops
reading its answers is dropped after -write-timeout. It prints
"listening on ADDR" on stderr once ready, and runs until killed.

Flags:
`

// serveStdio serves a parent over stdin/stdout, keeping the protocol off
// the program's stdio: descriptors 0 and 1 are duplicated for the
// protocol, then 0 becomes /dev/null and 1 a copy of stderr.
func serveStdio(ctx context.Context) error {
	in, err := syscall.Dup(0)
	if err != nil {
		return err
	}
	out, err := syscall.Dup(1)
	if err != nil {
		return err
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	if err := syscall.Dup2(int(null.Fd()), 0); err != nil {
		return err
	}
	null.Close()
	if err := syscall.Dup2(2, 1); err != nil {
		return err
	}
	syscall.CloseOnExec(in)
	syscall.CloseOnExec(out)
	privateFD(in, true)
	privateFD(out, true)
	defer privateFD(in, false)
	defer privateFD(out, false)
	r := os.NewFile(uintptr(in), "gorc-executor-in")
	w := os.NewFile(uintptr(out), "gorc-executor-out")
	defer r.Close()
	defer w.Close()
	setCrashFD(out)
	return Serve(ctx, r, w)
}
