//go:build cgo

package executor

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

// reentryProgram builds: target(a, b, c, x) = a + b + c + int(x); a
// trampoline that enters __gorc_reentry; main calling the trampoline
// with (10, 20, 5, 7.0). It returns main, the trampoline's return address
// inside it, and target.
func reentryProgram(t *testing.T) (mainFn, trampRet, target shared.ExecutorAddr) {
	r, err := Reserve(PageSize(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Release(r) })
	var code []byte
	at := func(b []byte) shared.ExecutorAddr {
		a := r.Start.Add(uint64(len(code)))
		code = append(code, b...)
		for len(code)%16 != 0 {
			code = append(code, 0xcc)
		}
		return a
	}
	// lea eax,[rdi+rsi]; cvttsd2si ecx,xmm0; add eax,ecx; add eax,edx; ret
	target = at([]byte{0x8d, 0x04, 0x37, 0xf2, 0x0f, 0x2c, 0xc8, 0x01, 0xc8, 0x01, 0xd0, 0xc3})
	// movabs r11, __gorc_reentry; call r11; ud2
	tr := binary.LittleEndian.AppendUint64([]byte{0x49, 0xbb}, uint64(BootstrapSymbols()[ReentryName]))
	tramp := at(append(tr, 0x41, 0xff, 0xd3, 0x0f, 0x0b))
	trampRet = tramp + 13
	m := []byte{0xbf, 10, 0, 0, 0, 0xbe, 20, 0, 0, 0, 0xba, 5, 0, 0, 0, 0x48, 0xb8}
	m = binary.LittleEndian.AppendUint64(m, math.Float64bits(7.0))
	m = append(m, 0x66, 0x48, 0x0f, 0x6e, 0xc0, 0x48, 0x83, 0xec, 0x08, 0xe8) // movq xmm0,rax; sub rsp,8; call
	mainStart := r.Start.Add(uint64(len(code)))
	rel := int64(tramp) - int64(mainStart+shared.ExecutorAddr(len(m)+4))
	m = binary.LittleEndian.AppendUint32(m, uint32(int32(rel)))
	m = append(m, 0x48, 0x83, 0xc4, 0x08, 0xc3) // add rsp,8; ret
	mainFn = at(m)
	Protect(r, shared.ProtRead|shared.ProtWrite)
	Write(r.Start, code)
	Protect(r, shared.ProtRead|shared.ProtExec)
	return mainFn, trampRet, target
}

func TestReentry(t *testing.T) {
	mainFn, trampRet, target := reentryProgram(t)
	calls := 0
	SetReentryHandler(func(ret shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		calls++
		if ret != trampRet {
			return 0, fmt.Errorf("re-entry from %v, want %v", ret, trampRet)
		}
		return target, nil
	})
	defer SetReentryHandler(nil)
	for i := 0; i < 3; i++ {
		got, err := RunAsMain(mainFn, nil)
		if err != nil || got != 42 {
			t.Fatalf("run %d: %d, %v; want 42 (arguments preserved through re-entry)", i, got, err)
		}
	}
	if calls != 3 {
		t.Fatalf("handler called %d times, want 3", calls)
	}
}

// TestReentryHandlerError: a handler error ends the run (RunAsMain,
// RunVoid) with the error instead of landing anywhere; this process goes
// on and the next run works.
func TestReentryHandlerError(t *testing.T) {
	mainFn, _, target := reentryProgram(t)
	defer SetReentryHandler(nil)
	SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) {
		return 0, fmt.Errorf("function f: unknown variable y")
	})
	for i := 0; i < 2; i++ {
		if _, err := RunAsMain(mainFn, nil); err == nil || !strings.Contains(err.Error(), "lazy compilation failed") || !strings.Contains(err.Error(), "unknown variable y") {
			t.Fatalf("RunAsMain with a failing handler: %v", err)
		}
		if err := RunVoid(mainFn); err == nil || !strings.Contains(err.Error(), "unknown variable y") {
			t.Fatalf("RunVoid with a failing handler: %v", err)
		}
	}
	SetReentryHandler(func(shared.ExecutorAddr) (shared.ExecutorAddr, error) { return target, nil })
	if got, err := RunAsMain(mainFn, nil); err != nil || got != 42 {
		t.Fatalf("run after failed re-entries: %d, %v", got, err)
	}
}
