package elfw

import (
	"debug/elf"
	"strings"
	"testing"
	"time"
)

// TestSizeAndAlignmentLimits checks the writer's arithmetic on hostile
// API input: an alignment near 2^63 is an error rather than an attempt to
// pad to it, and a symbol whose size was set past the end of its section
// (wrapping value+size around 2^64) is an error from Bytes (issue 14,
// item 7).
func TestSizeAndAlignmentLimits(t *testing.T) {
	t.Run("AddSection alignment", func(t *testing.T) {
		w := New()
		if _, err := w.AddSection(".big", elf.SHT_PROGBITS, elf.SHF_ALLOC, 1<<63); err == nil || !strings.Contains(err.Error(), "elfw: AddSection .big: alignment 9223372036854775808 is not a power of two up to 65536") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("AlignTo", func(t *testing.T) {
		w := New()
		sec := w.Data()
		sec.Append([]byte{1})
		start := time.Now()
		if n := sec.AlignTo(1<<62, 0); n != 1 {
			t.Errorf("AlignTo padded to %d", n)
		}
		if time.Since(start) > 10*time.Second { // padding toward 2^62 bytes: a hang
			t.Errorf("AlignTo took %v", time.Since(start))
		}
		if _, err := w.Bytes(); err == nil || !strings.Contains(err.Error(), "elfw: section .data: AlignTo(4611686018427387904): not a power of two up to 65536") {
			t.Fatalf("Bytes: error %v", err)
		}
	})
	t.Run("symbol size wraps", func(t *testing.T) {
		w := New()
		sec := w.Data()
		sec.Append(make([]byte, 16))
		id, err := w.AddSymbol(Symbol{Name: "g", Section: sec, Value: 8, Size: 8, Bind: BindGlobal, Type: TypeObject})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.SetSymbolSize(id, 1<<64-4); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Bytes(); err == nil || !strings.Contains(err.Error(), `elfw: symbol "g": value 0x8 size 0xfffffffffffffffc exceeds section .data (size 0x10)`) {
			t.Fatalf("Bytes: error %v", err)
		}
	})
}
