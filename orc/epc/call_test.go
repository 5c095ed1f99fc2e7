//go:build cgo

package epc

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gorc-jit/gorc/executor"
	"github.com/gorc-jit/gorc/shared"
)

// hideDirect hides InProcess's direct path, so calls go through the
// CallName service as with a remote executor.
type hideDirect struct{ ExecutorProcessControl }

func TestCaller(t *testing.T) {
	if CallName != executor.CallName || CallIntRegs != executor.CallIntRegs || CallFloatRegs != executor.CallFloatRegs || CallMaxStack != executor.CallMaxStack {
		t.Fatal("epc's typed-call contract differs from the executor's")
	}
	ctx := context.Background()
	e := newInProcess(t)
	addrs, err := e.LookupSymbols(ctx, 0, []string{"labs", "ldexp"})
	if err != nil || addrs[0] == 0 || addrs[1] == 0 {
		t.Fatalf("libc symbols: %v %v", addrs, err)
	}
	for _, tc := range []struct {
		name string
		e    ExecutorProcessControl
	}{{"direct", e}, {"service", hideDirect{e}}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewCaller(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Call(ctx, addrs[0], CallArgs{Ints: [6]uint64{uint64(math.MaxUint64 - 41)}, NInt: 1}) // labs(-42)
			if err != nil || r.Int != 42 {
				t.Errorf("labs(-42) = %d, %v", r.Int, err)
			}
			r, err = c.Call(ctx, addrs[1], CallArgs{Ints: [6]uint64{3}, NInt: 1, Floats: [8]uint64{math.Float64bits(1.5)}, NFloat: 1}) // ldexp(1.5, 3)
			if err != nil || math.Float64frombits(r.Float) != 12 {
				t.Errorf("ldexp(1.5, 3) = %v, %v", math.Float64frombits(r.Float), err)
			}
			if _, err := c.Call(ctx, addrs[0], CallArgs{NFloat: 9}); err == nil || !strings.Contains(err.Error(), "9 float") {
				t.Errorf("9 float registers: %v", err)
			}
		})
	}
}

func TestCallEncoding(t *testing.T) {
	b := EncodeCall(0x1000, CallArgs{Ints: [6]uint64{1}, NInt: 1, Floats: [8]uint64{2, 3}, NFloat: 2, Stack: []uint64{4}})
	want := []uint64{0x1000, 1, 2, 1, 1, 2, 3, 4}
	if !bytes.Equal(b, EncodeArgs(want...)) {
		t.Errorf("EncodeCall = %x", b)
	}
	if _, err := DecodeCallResult(make([]byte, 15)); err == nil || !strings.Contains(err.Error(), "15 bytes, want 16") {
		t.Errorf("short result: %v", err)
	}
	r, err := DecodeCallResult(EncodeArgs(7, 9))
	if err != nil || r != (CallResult{Int: 7, Float: 9}) {
		t.Errorf("DecodeCallResult = %+v, %v", r, err)
	}
}

func TestNewCallerOldExecutor(t *testing.T) {
	e := newInProcess(t)
	_, err := NewCaller(noCallService{e})
	if err == nil || !strings.Contains(err.Error(), "no service __gorc_call") {
		t.Errorf("NewCaller on an executor without the service: %v", err)
	}
}

// noCallService is an executor without the typed-call service.
type noCallService struct{ ExecutorProcessControl }

func (n noCallService) BootstrapSymbols() map[string]shared.ExecutorAddr {
	m := n.ExecutorProcessControl.BootstrapSymbols()
	delete(m, CallName)
	return m
}

// TestCallerRemote: typed calls in a child executor, including one that
// blocks while others go on (the executor's reader runs a call itself and
// hands reading to a fresh reader when the call lasts).
func TestCallerRemote(t *testing.T) {
	ctx := context.Background()
	e := spawn(t, nil)
	c, err := NewCaller(e)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := e.LookupSymbols(ctx, 0, []string{"labs", "usleep"})
	if err != nil || addrs[0] == 0 || addrs[1] == 0 {
		t.Fatalf("libc symbols: %v %v", addrs, err)
	}
	r, err := c.Call(ctx, addrs[0], CallArgs{Ints: [6]uint64{uint64(math.MaxUint64 - 6)}, NInt: 1})
	if err != nil || r.Int != 7 {
		t.Fatalf("labs(-7) = %d, %v", r.Int, err)
	}
	// The 10 quick calls must all return before the sleeping one does.
	// Asserted by order, not by a time limit: on a loaded CI machine
	// under -race, 10 round trips took 322ms here (GOMAXPROCS=1, two
	// busy loops), which a 200ms limit called "waited for it".
	const sleep = 2 * time.Second
	type result struct {
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		_, err := c.Call(ctx, addrs[1], CallArgs{Ints: [6]uint64{uint64(sleep / time.Microsecond)}, NInt: 1})
		done <- result{err, time.Now()}
	}()
	time.Sleep(50 * time.Millisecond) // the sleeping call is running
	t0 := time.Now()
	for i := range uint64(10) {
		r, err := c.Call(ctx, addrs[0], CallArgs{Ints: [6]uint64{i}, NInt: 1})
		if err != nil || r.Int != i {
			t.Fatalf("labs(%d) = %d, %v", i, r.Int, err)
		}
	}
	quick := time.Now()
	slow := <-done
	if slow.err != nil {
		t.Fatal(slow.err)
	}
	if !quick.Before(slow.at) {
		t.Errorf("10 calls beside a blocked one took %v and returned after it: they waited for it", quick.Sub(t0))
	}
}
