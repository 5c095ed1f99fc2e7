package elfw

import (
	"bytes"
	"testing"
)

// fillSmall builds a small object in w: a function calling an external
// and reading a constant; with data, also a .data section and a symbol
// in it.
func fillSmall(t *testing.T, w *Writer, name string, code byte, data bool) {
	t.Helper()
	w.FileName = name + ".k"
	text := w.Text()
	cst := w.ROCst8()
	off := cst.Append([]byte{1, 2, 3, 4, 5, 6, 7, code})
	lc, err := w.AddSymbol(Symbol{Name: ".LCPI0", Section: cst, Value: off, Size: 8, Bind: BindLocal, Type: TypeObject})
	if err != nil {
		t.Fatal(err)
	}
	f := text.Append([]byte{0xf2, 0x0f, 0x10, 0x05, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, code, 0xc3})
	ext, err := w.AddSymbol(Symbol{Name: "ext_" + name, Bind: BindGlobal})
	if err != nil {
		t.Fatal(err)
	}
	if err := text.AddReloc(f+4, R_X86_64_PC32, lc, -4); err != nil {
		t.Fatal(err)
	}
	if err := text.AddReloc(f+9, R_X86_64_PLT32, ext, -4); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddSymbol(Symbol{Name: name, Section: text, Value: f, Size: 15, Bind: BindGlobal, Type: TypeFunc}); err != nil {
		t.Fatal(err)
	}
	if data {
		d := w.Data()
		o := d.Append([]byte{code, code})
		if _, err := w.AddSymbol(Symbol{Name: name + "_data", Section: d, Value: o, Size: 2, Bind: BindGlobal, Type: TypeObject}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestResetReuses: a writer Reset and filled again writes the object a
// new writer does (nothing of the first object is left: sections,
// symbols, names, relocations), and the contents of the first object's
// sections, which a link graph may alias, are not overwritten.
func TestResetReuses(t *testing.T) {
	w := New()
	fillSmall(t, w, "first", 0x90, true)
	var contents, saved [][]byte
	for _, s := range w.Sections() {
		contents = append(contents, s.Data)
		saved = append(saved, bytes.Clone(s.Data))
	}
	first, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		name string
		code byte
		data bool
	}{{"second", 0xcc, false}, {"third", 0x91, true}, {"first", 0x90, true}} {
		w.Reset()
		if len(w.Sections()) != 0 || len(w.Symbols()) != 0 {
			t.Fatalf("after Reset: %d sections, %d symbols", len(w.Sections()), len(w.Symbols()))
		}
		if _, ok := w.Lookup("first"); ok {
			t.Fatal("after Reset: a symbol of the object before is still found by name")
		}
		fillSmall(t, w, c.name, c.code, c.data)
		got, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		fresh := New()
		fillSmall(t, fresh, c.name, c.code, c.data)
		want, err := fresh.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("object %d (%s) after Reset differs from a new writer's", i, c.name)
		}
		for k := range contents {
			if !bytes.Equal(contents[k], saved[k]) {
				t.Fatalf("object %d overwrote the contents of the first object's section %d", i, k)
			}
		}
	}
	if again, _ := w.Bytes(); !bytes.Equal(again, first) {
		t.Error("the same object built after three Resets differs from the first")
	}
}
