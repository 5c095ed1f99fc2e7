//go:build cgo

package executor

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/gorc-jit/gorc/shared"
)

func moduleArgs(vals ...uint64) []byte {
	b := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// TestModuleServices checks the module registry the atexit family consults
// and the errors of the module services on bad arguments.
func TestModuleServices(t *testing.T) {
	syms := BootstrapSymbols()
	own := syms["__dso_handle"]
	const dso, start, end = 0x7000_0000_1000, 0x7000_0000_2000, 0x7000_0000_4000
	if got := DSOHandleOf(start); got != own {
		t.Fatalf("before registration: handle %v, want the executor's %v", got, own)
	}
	if _, err := CallWrapper(syms[ModuleRegisterName], moduleArgs(dso, start, end)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		addr shared.ExecutorAddr
		want shared.ExecutorAddr
	}{{start, dso}, {end - 1, dso}, {end, own}, {start - 1, own}} {
		if got := DSOHandleOf(c.addr); got != c.want {
			t.Errorf("DSOHandleOf(%v) = %v, want %v", c.addr, got, c.want)
		}
	}
	bad := []struct {
		name, svc string
		arg       []byte
		want      string
	}{
		{"short register", ModuleRegisterName, moduleArgs(dso, start), "want 24 argument bytes"},
		{"empty range", ModuleRegisterName, moduleArgs(dso, end, start), "bad module"},
		{"overlap", ModuleRegisterName, moduleArgs(dso+1, start+0x1000, end+0x1000), "overlaps"},
		{"unknown range", ModuleDeregisterName, moduleArgs(dso, start, end+0x1000), "was not registered"},
		{"short init", ModuleInitName, moduleArgs(dso, 1), "module-init: bad argument"},
		{"init without handle", ModuleInitName, moduleArgs(0, 0, 0), "non-zero DSO handle"},
		{"null initializer", ModuleInitName, moduleArgs(dso, 1, 0, 0), "null function address"},
		{"finalize the executor", ModuleFinalizeName, moduleArgs(uint64(own)), "the executor's own DSO handle"},
		{"finalize nothing", ModuleFinalizeName, nil, "want 8 argument bytes"},
	}
	for _, c := range bad {
		_, err := CallWrapper(syms[c.svc], c.arg)
		var we *WrapperError
		if !errors.As(err, &we) || !strings.Contains(we.Msg, c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// A module with nothing registered finalizes without error.
	if _, err := CallWrapper(syms[ModuleFinalizeName], moduleArgs(dso)); err != nil {
		t.Error(err)
	}
	if _, err := CallWrapper(syms[ModuleDeregisterName], moduleArgs(dso, start, end)); err != nil {
		t.Fatal(err)
	}
	if got := DSOHandleOf(start); got != own {
		t.Errorf("after deregistration: handle %v, want the executor's %v", got, own)
	}
}
