package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/gorc-jit/gorc/ir"
)

// printError reports err from the command cmd ("gorc run") on stderr. An
// IR syntax error is printed as a compiler prints one: FILE:LINE:COL:
// error: MSG, then the source line and a caret under the column.
func printError(stderr io.Writer, cmd string, err error) {
	var pe *ir.Error
	if errors.As(err, &pe) && pe.Caret() != "" {
		if err == error(pe) {
			fmt.Fprintf(stderr, "%v\n%s", err, pe.Caret())
		} else {
			fmt.Fprintf(stderr, "%s: %v\n%s", cmd, err, pe.Caret())
		}
		return
	}
	fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
}

// clearTextWarning returns the warning for -exec MODE when MODE sends code
// and data unencrypted beyond this machine (tcp:// to an address that is
// not loopback), or "". Names other than localhost are not resolved: a
// name is taken as remote.
func clearTextWarning(exec string) string {
	addr, ok := strings.CutPrefix(exec, "tcp://")
	if !ok {
		return ""
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if local(host) {
		return ""
	}
	return fmt.Sprintf("warning: -exec %s sends code and data in clear text to %s, which is not a loopback address; use -exec tls://%s (mutual TLS) for an executor on another machine", exec, host, addr)
}

// local reports whether host names this machine over loopback: localhost,
// a loopback address, or the unspecified address (which Linux dials as
// loopback).
func local(host string) bool {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// warnClearText prints clearTextWarning's warning, if any, as cmd's.
func warnClearText(stderr io.Writer, cmd, exec string) {
	if w := clearTextWarning(exec); w != "" {
		fmt.Fprintf(stderr, "%s: %s\n", cmd, w)
	}
}
