package ir

import (
	"sync"
	"testing"
)

// TestParseBodyWaitsForParse: goroutines asking for the same body at once
// all return once it is whole (those that did not parse it wait for the
// one that does), and it is parsed once: the module prints as Parse's.
// (Before, a second caller returned at once, while the first was still
// building the body: the race detector saw it read half a function.)
func TestParseBodyWaitsForParse(t *testing.T) {
	src := benchModuleIR(40)
	want, err := Parse("m.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	m, lb, err := ParseLazy("m.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arena := new(InstrArena)
			for i, f := range m.Funcs {
				if err := lb.ParseBodyInto(f, arena); err != nil {
					t.Error(err)
					return
				}
				// (Read only: VerifyFunction renumbers.)
				if got, w := f.NumInstrs(), want.Funcs[i].NumInstrs(); got != w {
					t.Errorf("@%s right after ParseBodyInto: %d instructions, want %d", f.Name, got, w)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, w := m.String(), want.String(); got != w {
		t.Errorf("module parsed by 8 goroutines differs from Parse's")
	}
}

// TestParseAhead: ParseAhead parses a body no one has started (once:
// false the second time, and for a body ParseBodyInto parsed), and first
// calls running beside it (8 goroutines) find every body whole, parsed
// once.
func TestParseAhead(t *testing.T) {
	src := benchModuleIR(200)
	want, err := Parse("m.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	m, lb, err := ParseLazy("m.ll", src)
	if err != nil {
		t.Fatal(err)
	}
	f0, f1 := m.Funcs[1], m.Funcs[2]
	if !lb.ParseAhead(f0, new(InstrArena)) {
		t.Fatal("ParseAhead of a pending body did not parse it")
	}
	if lb.Pending(f0) || len(f0.Blocks) == 0 {
		t.Fatal("body still pending after ParseAhead")
	}
	if lb.ParseAhead(f0, new(InstrArena)) {
		t.Error("ParseAhead parsed a body twice")
	}
	if err := lb.ParseBody(f1); err != nil {
		t.Fatal(err)
	}
	if lb.ParseAhead(f1, new(InstrArena)) {
		t.Error("ParseAhead parsed a body ParseBody had parsed")
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	ahead := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		arena := new(InstrArena)
		n := 0
		for _, f := range m.Funcs {
			if lb.ParseAhead(f, arena) {
				n++
			}
		}
		mu.Lock()
		ahead = n
		mu.Unlock()
	}()
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			arena := new(InstrArena)
			for i := len(m.Funcs) - 1 - g; i > 0; i -= 8 {
				f := m.Funcs[i]
				if err := lb.ParseBodyInto(f, arena); err != nil {
					t.Error(err)
					return
				}
				if got, w := f.NumInstrs(), want.Funcs[i].NumInstrs(); got != w {
					t.Errorf("@%s: %d instructions, want %d", f.Name, got, w)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, w := m.String(), want.String(); got != w {
		t.Errorf("module parsed ahead and on demand differs from Parse's")
	}
	t.Logf("%d of %d bodies parsed ahead", ahead, len(m.Funcs)-3)
}
