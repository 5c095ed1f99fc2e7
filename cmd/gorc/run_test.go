//go:build cgo

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ccObj compiles C source into dir/name.o.
func ccObj(t *testing.T, dir, name, src string) string {
	t.Helper()
	toolPath(t, "gcc")
	c := filepath.Join(dir, name+".c")
	o := filepath.Join(dir, name+".o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-c", "-O1", "-o", o, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return o
}

func gorcRun(t *testing.T, dir string, args ...string) runResult {
	t.Helper()
	bin := gorcBinary(t) // built (once) before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := runProcess(ctx, dir, append([]string{bin, "run"}, args...), "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRunUndefinedSymbolsNothingRuns(t *testing.T) {
	dir := t.TempDir()
	a := ccObj(t, dir, "a", `#include <stdio.h>
__attribute__((constructor)) static void c(void) { puts("constructor ran"); }
int missing_in_a(void); int helper(void);
int main(void) { puts("main ran"); return missing_in_a() + helper(); }`)
	b := ccObj(t, dir, "b", `extern int missing_data_in_b; int helper(void) { return missing_data_in_b; }`)
	r := gorcRun(t, dir, a, b)
	if r.status != 1 {
		t.Errorf("status %d, want 1\n%v", r.status, r)
	}
	if r.stdout != "" {
		t.Errorf("something ran: stdout %q", r.stdout)
	}
	// Every object's names, sorted, whichever link failed first (session
	// 25: once in five CI runs only b.o's; objlayer's
	// TestUndefinedListsObjectsNotYetStarted forces that interleaving).
	want := "undefined symbols (2):\n  missing_data_in_b (referenced by " + b + ")\n  missing_in_a (referenced by " + a + ")\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not list %q:\n%s", want, r.stderr)
	}
}

func TestRunFlags(t *testing.T) {
	dir := t.TempDir()
	o := ccObj(t, dir, "p", `#include <stdio.h>
int other_entry(int argc, char **argv) { printf("other %d %s\n", argc, argv[argc - 1]); return 5; }
int main(void) { puts("main"); return 0; }`)
	if r := gorcRun(t, dir, "-entry", "other_entry", o, "--", "x", "last"); r.status != 5 || r.stdout != "other 3 last\n" {
		t.Errorf("-entry: %v", r)
	}
	if r := gorcRun(t, dir, "-noexec", o); r.status != 0 || r.stdout != "" {
		t.Errorf("-noexec: %v", r)
	}
	r := gorcRun(t, dir, "-noexec", "-show-symbols", "-show-times", o)
	if !strings.Contains(r.stdout, "other_entry") || !strings.Contains(r.stdout, "main") || !strings.Contains(r.stdout, "Ready") {
		t.Errorf("-show-symbols: %v", r)
	}
	if !strings.Contains(r.stderr, "load ") || !strings.Contains(r.stderr, "link ") {
		t.Errorf("-show-times: %v", r)
	}
	if r := gorcRun(t, dir, "-entry", "no_such_symbol", o); r.status != 1 || !strings.Contains(r.stderr, "no_such_symbol") {
		t.Errorf("missing entry: %v", r)
	}
	if r := gorcRun(t, dir); r.status != 2 || !strings.Contains(r.stderr, "no input") {
		t.Errorf("no inputs: %v", r)
	}
	if r := gorcRun(t, dir, "-bogus", o); r.status != 2 || !strings.Contains(r.stderr, "unknown flag -bogus") {
		t.Errorf("bad flag: %v", r)
	}
	if r := gorcRun(t, dir, filepath.Join(dir, "p.c")); r.status != 1 || !strings.Contains(r.stderr, "not an ELF relocatable object") {
		t.Errorf("source as input: %v", r)
	}
	if r := gorcRun(t, dir, o, "-lno_such_library_xyz"); r.status != 1 || !strings.Contains(r.stderr, "no_such_library_xyz") {
		t.Errorf("missing library: %v", r)
	}
}

func TestRunSharedLibraries(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libgorcdemo.so")
	libSrc := filepath.Join(dir, "lib.c")
	if err := os.WriteFile(libSrc, []byte(`int gorc_demo_value = 30; int gorc_demo_twice(int x) { return 2 * x; }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("gcc", "-shared", "-fPIC", "-o", lib, libSrc).CombinedOutput(); err != nil {
		t.Fatalf("gcc -shared: %v\n%s", err, out)
	}
	o := ccObj(t, dir, "main", `#include <stdio.h>
extern int gorc_demo_value; int gorc_demo_twice(int);
int main(void) { printf("%d\n", gorc_demo_twice(6) + gorc_demo_value); return 0; }`)
	for _, args := range [][]string{{o, "-L", dir, "-lgorcdemo"}, {"-L" + dir, o, "-lgorcdemo"}, {o, lib}} {
		if r := gorcRun(t, dir, args...); r.status != 0 || r.stdout != "42\n" {
			t.Errorf("gorc run %v: %v", args, r)
		}
	}
	if r := gorcRun(t, dir, o); r.status != 1 || !strings.Contains(r.stderr, "gorc_demo_twice") || !strings.Contains(r.stderr, "gorc_demo_value") {
		t.Errorf("without the library: %v", r)
	}
}

// TestRunInterleavedOutput: with stdout and stderr on one pipe (as a
// terminal or 2>&1 gives), a program that alternates between them and
// also reads stdin shows exactly the native interleaving in every
// execution mode — for tcp the executor then gives the program one pipe
// for both (FlagMergeOutput).
func TestRunInterleavedOutput(t *testing.T) {
	dir := t.TempDir()
	obj := ccObj(t, dir, "mix", `#include <stdio.h>
int main(void) {
	char line[128];
	int i = 0;
	while (fgets(line, sizeof line, stdin)) {
		printf("out %d: %s", i, line);
		fflush(stdout);
		fprintf(stderr, "err %d\n", i);
		i++;
	}
	printf("done after %d lines\n", i);
	return i;
}`)
	exe := filepath.Join(dir, "mix")
	if out, err := exec.Command("gcc", "-o", exe, obj).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	var in strings.Builder
	for i := range 40 {
		fmt.Fprintf(&in, "input line %d\n", i)
	}
	run := func(argv []string) (string, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(in.String())
		var both bytes.Buffer
		cmd.Stdout, cmd.Stderr = &both, &both // one pipe for both
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("%s: %v", strings.Join(argv, " "), err)
		}
		return both.String(), cmd.ProcessState.ExitCode()
	}
	want, wantSt := run([]string{exe})
	if wantSt != 40 || !strings.Contains(want, "err 39\ndone after 40 lines\n") {
		t.Fatalf("native run: status %d\n%s", wantSt, want)
	}
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		if em.peer {
			t.Skip("not a gorc mode")
		}
		release, flags := em.acquire(t)
		defer release()
		argv := append([]string{gorcBinary(t), "run"}, flags...)
		got, st := run(append(argv, obj))
		if got != want || st != wantSt {
			t.Errorf("status %d (want %d), output:\n%s\nwant:\n%s", st, wantSt, got, want)
		}
	})
}

// writePKI writes a CA, a server certificate for 127.0.0.1 and a client
// certificate (PEM, ECDSA P-256) into dir and returns their paths.
func writePKI(t *testing.T, dir string) (caCrt, srvCrt, srvKey, cliCrt, cliKey string) {
	t.Helper()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caKey := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gorc test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		k := newKey()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".crt", "CERTIFICATE", der), write(name+".key", "EC PRIVATE KEY", kder)
	}
	srvCrt, srvKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	cliCrt, cliKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return write("ca.crt", "CERTIFICATE", caDER), srvCrt, srvKey, cliCrt, cliKey
}

// TestRunMutualTLS: `gorc run -exec tls://` with a client certificate runs
// the program in a `gorc executor -listen … -tls-*` with its stdio
// forwarded; without the certificate flags it is a usage error, and a
// certificate the executor's CA did not sign is refused.
func TestRunMutualTLS(t *testing.T) {
	dir := t.TempDir()
	obj := ccObj(t, dir, "tlsprog", `#include <stdio.h>
int main(int argc, char **argv) {
	char line[64];
	if (!fgets(line, sizeof line, stdin)) return 9;
	printf("%s got %s", argv[1], line);
	fprintf(stderr, "on stderr\n");
	return 5;
}`)
	ca, srvCrt, srvKey, cliCrt, cliKey := writePKI(t, dir)
	addr, cmd, err := startTCPExecutor(gorcBinary(t), "-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-client-ca", ca)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	stdin := filepath.Join(dir, "in.txt")
	if err := os.WriteFile(stdin, []byte("a secret line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := gorcBinary(t) // built (once) before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := func(flags ...string) runResult {
		argv := append([]string{bin, "run", "-exec", "tls://" + addr}, flags...)
		r, err := runProcess(ctx, dir, append(argv, obj, "--", "tls"), stdin)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run("-tls-cert", cliCrt, "-tls-key", cliKey, "-tls-ca", ca)
	if r.status != 5 || r.stdout != "tls got a secret line\n" || r.stderr != "on stderr\n" {
		t.Errorf("over mutual TLS:\n%v", r)
	}
	if r := run(); r.status != 2 || !strings.Contains(r.stderr, "needs -tls-cert, -tls-key and -tls-ca") {
		t.Errorf("without certificates:\n%v", r)
	}
	// The server's own key pair is not a client certificate signed for
	// client use: refused during the handshake.
	if r := run("-tls-cert", srvCrt, "-tls-key", srvKey, "-tls-ca", ca); r.status != 1 || r.stdout != "" {
		t.Errorf("with a server certificate as client certificate:\n%v", r)
	}
	// gorc kaleido takes the same flags: a Kaleidoscope program over TLS.
	k := filepath.Join(dir, "p.k")
	if err := os.WriteFile(k, []byte("extern putchard(c);\ndef sq(x) x*x;\nputchard(72); putchard(10);\nsq(12);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = runProcess(ctx, dir, []string{gorcBinary(t), "kaleido", "-exec", "tls://" + addr, "-tls-cert", cliCrt, "-tls-key", cliKey, "-tls-ca", ca, k}, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "HEvaluated to 0.000000\n\nEvaluated to 0.000000\nEvaluated to 144.000000\n"; r.status != 0 || r.stdout != want {
		t.Errorf("gorc kaleido over mutual TLS: want stdout %q, status 0\n%v", want, r)
	}
	r, err = runProcess(ctx, dir, []string{gorcBinary(t), "kaleido", "-exec", "tls://" + addr, k}, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 2 || !strings.Contains(r.stderr, "needs -tls-cert, -tls-key and -tls-ca") {
		t.Errorf("gorc kaleido without certificates:\n%v", r)
	}
}

// TestRunExitFlushesFiles: a program that leaves a large buffered stream
// unflushed (fopen without fclose) has all of it in the file by the time
// gorc run has exited, in every executor mode. A child or remote
// executor reports the status from exit() after flushing every stream
// (fcloseall), and gorc run exits on that report without waiting for the
// executor's teardown: without the flush, the file would still be short.
func TestRunExitFlushesFiles(t *testing.T) {
	dir := t.TempDir()
	const size = 32<<20 - 64 // fills the buffer, never overflows it
	forEachMode(t, execModes(t), func(t *testing.T, em execMode) {
		if em.peer {
			t.Skip("not a gorc mode")
		}
		out := filepath.Join(dir, "out-"+strings.ReplaceAll(em.name, " ", "-"))
		obj := ccObj(t, dir, "bigbuf", fmt.Sprintf(`#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
	FILE *f = fopen(%q, "w");
	char *buf = malloc(32 << 20), line[64];
	if (!f || !buf) return 1;
	setvbuf(f, buf, _IOFBF, 32 << 20);
	memset(line, 'x', 63);
	line[63] = '\n';
	for (int i = 0; i < %d / 64; i++) fwrite(line, 1, 64, f);
	return 7; /* exit flushes f */
}`, out, size))
		release, flags := em.acquire(t)
		defer release()
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer devnull.Close()
		bin := gorcBinary(t) // built (once) before the clock starts
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(append([]string{"run", "-no-cache"}, flags...), obj)...)
		cmd.Stdout, cmd.Stderr = devnull, os.Stderr // files: Wait does not wait for the executor to close them
		err = cmd.Run()
		fi, serr := os.Stat(out) // at once: the status is out, so must the data be
		if st := cmd.ProcessState.ExitCode(); st != 7 {
			t.Fatalf("status %d (%v), want 7", st, err)
		}
		if serr != nil || fi.Size() != size {
			t.Errorf("%s right after gorc run exited: %v, %d bytes; want %d", out, serr, fi.Size(), size)
		}
	})
}

// A child executor starts beside the reading of the inputs: when an
// input is bad, gorc run ends before the executor's hello, and the
// executor, finding its controller gone, ends quietly; the one error
// line is gorc run's.
func TestRunChildBadInputOneError(t *testing.T) {
	bin := gorcBinary(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.o")
	if err := os.WriteFile(bad, []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-exec", "child"}, {"-exec", "child", "-shm"}} {
		var stderr bytes.Buffer
		cmd := exec.Command(bin, append(append([]string{"run"}, args...), bad)...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("%v: %v, want exit status 1", args, err)
		}
		// The executor's stderr is gorc's: give an executor that were to
		// complain the time to do it.
		time.Sleep(300 * time.Millisecond)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "not an ELF relocatable object") {
			t.Errorf("%v: stderr %q, want one line naming the bad input", args, stderr.String())
		}
	}
}
