package epc

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// executorFDsEnv is executor.FDsEnv: SpawnChild names the protocol
// descriptors in it; a serving executor unsets it.
const executorFDsEnv = "GORC_EXECUTOR_FDS"

// OpenOptions configures Open.
type OpenOptions struct {
	// ExecutorCommand is the argv of a child executor (mode "child"),
	// e.g. {"/path/to/gorc", "executor"}. Default: this program with the
	// argument "executor".
	ExecutorCommand []string
	// Stdio is the program's stdin, stdout and stderr (see Stdio for how
	// each executor kind delivers them). The zero value means this
	// process's.
	Stdio Stdio
	// TLS is the client configuration (certificate and CA) for "tls://".
	TLS *tls.Config
	// Env holds extra KEY=VALUE environment entries for a child executor
	// (mode "child"), added to this process's environment (replacing an
	// entry with the same key): for example the GLIBC_TUNABLES setting
	// that gorc's executor would otherwise re-execute itself to get
	// (executor.StaticTLSEnv).
	Env []string
	// Early, for a child executor (mode "child"), makes Open return as
	// soon as the child is spawned, before its hello (SpawnChildEarly):
	// the first call waits for it. Other modes ignore it.
	Early *EarlyHello
}

// Open returns the executor control for a `-exec MODE` setting: "local"
// (or ""): this process; "child": a spawned executor process;
// "tcp://HOST:PORT": a listening executor; "tls://HOST:PORT": the same
// over mutual TLS (opts.TLS).
func Open(ctx context.Context, mode string, opts OpenOptions) (ExecutorProcessControl, error) {
	switch {
	case mode == "" || mode == "local":
		return NewInProcess()
	case mode == "child":
		if v := os.Getenv(executorFDsEnv); v != "" {
			// This process was spawned as an executor and did not serve:
			// spawning again would recurse without end.
			return nil, fmt.Errorf("epc: -exec child: this process was itself started as a gorc executor (%s=%s) but did not serve; "+
				"a program that is its own child executor must call jit.ServeExecutorIfChild() (or executor.ServeInheritedFDs) first in main", executorFDsEnv, v)
		}
		argv := opts.ExecutorCommand
		if len(argv) == 0 {
			self, err := os.Executable()
			if err != nil {
				return nil, fmt.Errorf("epc: -exec child: finding this program: %w", err)
			}
			argv = []string{self, "executor"}
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		if len(opts.Env) > 0 {
			// exec.Cmd keeps the last of duplicate keys.
			cmd.Env = append(os.Environ(), opts.Env...)
		}
		s := opts.Stdio
		if !s.inheritable() {
			// Forwarded over the protocol pipes; the child's own
			// descriptors carry only the executor's messages.
			cmd.Stderr = os.Stderr
			if opts.Early != nil {
				return SpawnChildEarly(cmd, &s, opts.Early)
			}
			return SpawnChildStdio(ctx, cmd, s)
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s.stdin(), s.stdout(), s.stderr()
		if s.Stdin == NoStdin {
			cmd.Stdin = nil // exec gives the child /dev/null
		}
		if opts.Early != nil {
			return SpawnChildEarly(cmd, nil, opts.Early)
		}
		return SpawnChild(ctx, cmd)
	case strings.HasPrefix(mode, "tcp://"):
		return DialStdio(ctx, mode, nil, opts.Stdio)
	case strings.HasPrefix(mode, "tls://"):
		if opts.TLS == nil {
			return nil, fmt.Errorf("epc: -exec %s: needs a client certificate and CA (TLS configuration)", mode)
		}
		return DialStdio(ctx, mode, opts.TLS, opts.Stdio)
	}
	return nil, fmt.Errorf("epc: unknown executor %q: want local, child, tcp://HOST:PORT or tls://HOST:PORT", mode)
}
