//go:build cgo

package executor

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// TestProgramExitOrder runs a hand-assembled program through RunProgram in
// a subprocess (exit() ends the process) and checks the C exit sequence:
// initializers in order, main, then atexit handlers and __cxa_atexit
// destructors in reverse order of registration, then the finalizers in
// the order given, stdio flushed, and main's status as the exit status.
func TestProgramExitOrder(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestProgramExitOrderHelper$")
	cmd.Env = append(os.Environ(), "GORC_EXECUTOR_HELPER=program")
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("helper: %v (output %q)", err, out)
	}
	if ee.ExitCode() != 7 {
		t.Errorf("exit status %d, want 7 (stderr %q)", ee.ExitCode(), ee.Stderr)
	}
	want := "svcinit init1 init2 main atexitB dtorA fini2 fini1 svcfini exit-hook-7"
	if got := strings.Join(strings.Fields(string(out)), " "); got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestProgramExitOrderHelper(t *testing.T) {
	if os.Getenv("GORC_EXECUTOR_HELPER") != "program" {
		t.Skip("helper process for TestProgramExitOrder")
	}
	syms := BootstrapSymbols()
	puts := uint64(Dlsym(0, "puts"))
	cxa := uint64(Dlsym(0, "__cxa_atexit"))
	ps := PageSize()
	r, err := Reserve(2*ps, false)
	if err != nil {
		t.Fatal(err)
	}
	code := r.Start
	data := r.Start.Add(ps)
	// Strings.
	var strs []byte
	str := map[string]uint64{}
	for _, s := range []string{"svcinit", "svcfini", "init1", "init2", "main", "atexitB", "dtorA", "fini1", "fini2"} {
		str[s] = uint64(data) + uint64(len(strs))
		strs = append(append(strs, s...), 0)
	}
	// Functions.
	var text []byte
	fn := map[string]uint64{}
	add := func(name string, b []byte) {
		fn[name] = uint64(code) + uint64(len(text))
		text = append(text, b...)
	}
	for _, s := range []string{"svcinit", "svcfini", "init2", "atexitB", "dtorA", "fini1", "fini2"} {
		add(s, new(asm).callC1(puts, str[s]).ret())
	}
	// init1: __cxa_atexit(dtorA, 0, &__dso_handle); puts("init1")
	add("init1", new(asm).pushRBX().movRDI(fn["dtorA"]).raw(0x31, 0xf6).
		raw(0x48, 0xba).imm64(uint64(syms["__dso_handle"])).movRAX(cxa).callRAX().popRBX().
		callC1(puts, str["init1"]).ret())
	// main: atexit(atexitB); puts("main"); return 7
	add("main", new(asm).callC1(uint64(syms["atexit"]), fn["atexitB"]).callC1(puts, str["main"]).movEAX(7).ret())

	for _, x := range []shared.ExecutorAddrRange{{Start: code, End: code.Add(ps)}, {Start: data, End: data.Add(ps)}} {
		if err := Protect(x, shared.ProtRead|shared.ProtWrite); err != nil {
			t.Fatal(err)
		}
	}
	Write(code, text)
	Write(data, strs)
	Protect(shared.ExecutorAddrRange{Start: code, End: code.Add(ps)}, shared.ProtRead|shared.ProtExec)
	Protect(shared.ExecutorAddrRange{Start: data, End: data.Add(ps)}, shared.ProtRead)

	// The initializer service: runs svcinit now, registers svcfini.
	arg := binary.LittleEndian.AppendUint64(nil, 1)
	arg = binary.LittleEndian.AppendUint64(arg, fn["svcinit"])
	arg = binary.LittleEndian.AppendUint64(arg, 1)
	arg = binary.LittleEndian.AppendUint64(arg, fn["svcfini"])
	if _, err := CallWrapper(syms[RunInitializersName], arg); err != nil {
		t.Fatal(err)
	}
	OnProgramExit(func(status int) { fmt.Printf("exit-hook-%d\n", status) })
	err = RunProgram(Program{
		Main:  shared.ExecutorAddr(fn["main"]),
		Args:  []string{"prog"},
		Inits: []shared.ExecutorAddr{shared.ExecutorAddr(fn["init1"]), shared.ExecutorAddr(fn["init2"])},
		Finis: []shared.ExecutorAddr{shared.ExecutorAddr(fn["fini2"]), shared.ExecutorAddr(fn["fini1"])}, // run order
	})
	t.Fatalf("RunProgram returned: %v", err)
}

func TestRunInitializersBadArgs(t *testing.T) {
	svc := BootstrapSymbols()[RunInitializersName]
	le := binary.LittleEndian
	cases := [][]byte{
		nil,
		{1, 2, 3},
		le.AppendUint64(nil, 5), // claims 5 inits, has none
		le.AppendUint64(le.AppendUint64(nil, 0), 1),                     // claims 1 fini, has none
		le.AppendUint64(le.AppendUint64(nil, 1<<62), 0),                 // absurd count
		le.AppendUint64(le.AppendUint64(le.AppendUint64(nil, 1), 0), 0), // null init
	}
	for i, c := range cases {
		if _, err := CallWrapper(svc, c); err == nil {
			t.Errorf("case %d (%d bytes): no error", i, len(c))
		}
	}
}

// TestCrashStatus runs JIT'd code that faults or aborts in a subprocess
// and checks that the process dies by the signal, as a native program
// would, rather than with Go's exit status 2.
func TestCrashStatus(t *testing.T) {
	tests := []struct {
		mode string
		sig  syscall.Signal
		msg  string
	}{
		{"segv", syscall.SIGSEGV, ""},
		{"abort", syscall.SIGABRT, ""},
		{"ud2", syscall.SIGILL, ""},
		{"gopanic", 0, ""},                                  // a nil dereference in Go code stays a Go panic
		{"reentry", syscall.SIGABRT, "no re-entry handler"}, // abort with a message
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
			cmd.Env = append(os.Environ(), "GORC_EXECUTOR_HELPER=crash-"+tc.mode)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("helper: %v (output %q)", err, out)
			}
			ws := ee.Sys().(syscall.WaitStatus)
			if tc.sig == 0 {
				if ws.Signaled() || ws.ExitStatus() != 2 || !strings.Contains(string(out), "nil pointer") {
					t.Fatalf("Go panic: status %v, output %q", ws, out)
				}
				return
			}
			if !ws.Signaled() || ws.Signal() != tc.sig {
				t.Fatalf("want death by %v, got %v (output %q)", tc.sig, ws, out)
			}
			if !strings.Contains(string(out), tc.msg) {
				t.Fatalf("output %q does not say %q", out, tc.msg)
			}
		})
	}
}

var sink *int

func TestCrashHelper(t *testing.T) {
	mode, ok := strings.CutPrefix(os.Getenv("GORC_EXECUTOR_HELPER"), "crash-")
	if !ok {
		t.Skip("helper process for TestCrashStatus")
	}
	if err := InstallCrashHandlers(); err != nil {
		t.Fatal(err)
	}
	var code []byte
	switch mode {
	case "segv": // mov eax, [0]
		code = []byte{0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xc3}
	case "abort":
		code = new(asm).pushRBX().movRAX(uint64(Dlsym(0, "abort"))).callRAX().popRBX().ret()
	case "ud2":
		code = []byte{0x0f, 0x0b}
	case "gopanic":
		fmt.Println(*sink)
	case "reentry":
		fn, _, _ := reentryProgram(t)
		RunAsMain(fn, nil)
	}
	fn, _ := loadCode(t, code, nil)
	RunAsMain(fn, nil)
	t.Fatal("survived")
}
