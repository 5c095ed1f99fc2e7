package epc

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// OpenOptions configures Open.
type OpenOptions struct {
	// ExecutorCommand is the argv of a child executor (mode "child"),
	// e.g. {"/path/to/gorc", "executor"}. Default: this program with the
	// argument "executor".
	ExecutorCommand []string
	// Stdin, Stdout and Stderr of a child executor: the program's stdio.
	// Default: this process's.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// TLS is the client configuration (certificate and CA) for "tls://".
	TLS *tls.Config
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
		argv := opts.ExecutorCommand
		if len(argv) == 0 {
			self, err := os.Executable()
			if err != nil {
				return nil, fmt.Errorf("epc: -exec child: finding this program: %w", err)
			}
			argv = []string{self, "executor"}
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
		if cmd.Stdin == nil {
			cmd.Stdin = os.Stdin
		}
		if cmd.Stdout == nil {
			cmd.Stdout = os.Stdout
		}
		if cmd.Stderr == nil {
			cmd.Stderr = os.Stderr
		}
		return SpawnChild(ctx, cmd)
	case strings.HasPrefix(mode, "tcp://"):
		return Dial(ctx, mode)
	case strings.HasPrefix(mode, "tls://"):
		if opts.TLS == nil {
			return nil, fmt.Errorf("epc: -exec %s: needs a client certificate and CA (TLS configuration)", mode)
		}
		return DialTLS(ctx, mode, opts.TLS)
	}
	return nil, fmt.Errorf("epc: unknown executor %q: want local, child, tcp://HOST:PORT or tls://HOST:PORT", mode)
}
