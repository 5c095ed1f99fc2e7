package jit

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/gorc-jit/gorc/jitlink"
	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

func testImage() *image {
	return &image{
		Format: imageFormat, Arch: "x86-64", Base: 0x7f0000000000, Align: 4096, Linked: 2,
		Pieces:  []imagePiece{{0, 4096, shared.ProtRead | shared.ProtExec}, {4096, 8192, shared.ProtRead | shared.ProtWrite}},
		Content: make([]byte, 3*4096),
		Names:   []string{"printf", "weakfn"},
		Weak:    []bool{false, true},
		Fixups:  []imageFixup{{Off: 16, Kind: 17, Name: 0, Addend: -4}, {Off: 4100, Kind: 16, Name: -1, Target: 32}},
		EH:      []imageRange{{Off: 64, Size: 128}},
		Objects: []imageObject{{Name: "main.o", Syms: []imageSym{{Name: "main", Off: 16, Flags: orc.Exported | orc.Callable}}}},
		Inits:   []uint64{32},
		Finis:   []uint64{48},
		Code:    []imageCode{{Start: 16, End: 64, Section: ".text", Obj: "main.o", Syms: []imageCodeSym{{"main", 16, 48}}}},
	}
}

// decodeWhole decodes an image and its code table (which a replay
// decodes only when it names an address).
func decodeWhole(data []byte) (*image, error) {
	img, err := decodeImage(data)
	if err != nil {
		return nil, err
	}
	if img.Code, err = decodeCode(string(img.codeEnc), uint64(len(img.Content))); err != nil {
		return nil, err
	}
	img.codeEnc = nil
	return img, nil
}

// TestImageEncoding: an image survives encoding, and every truncation
// or trailing byte of its encoding is an error, never a panic.
func TestImageEncoding(t *testing.T) {
	img := testImage()
	data := img.encode()
	got, err := decodeWhole(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, img) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, img)
	}
	if err := got.check(); err != nil {
		t.Fatalf("check: %v", err)
	}
	for n := range len(data) {
		if _, err := decodeImage(data[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(data))
		}
	}
	if _, err := decodeImage(append(data, 0)); err == nil {
		t.Fatal("trailing byte: no error")
	}
}

// TestImageCheck: decoded images whose parts do not fit together are
// rejected before anything is allocated.
func TestImageCheck(t *testing.T) {
	cases := map[string]func(*image){
		"gap between pieces":     func(m *image) { m.Pieces[1].Off = 8192 },
		"piece past the end":     func(m *image) { m.Pieces[1].Size = 16384 },
		"W+X piece":              func(m *image) { m.Pieces[0].Prot = shared.ProtRead | shared.ProtWrite | shared.ProtExec },
		"fixup past the end":     func(m *image) { m.Fixups[0].Off = 3 * 4096 },
		"fixup names no symbol":  func(m *image) { m.Fixups[0].Name = 2 },
		"EH frame past the end":  func(m *image) { m.EH[0].Size = 1 << 20 },
		"initializer past end":   func(m *image) { m.Inits[0] = 1 << 20 },
		"odd alignment":          func(m *image) { m.Align = 12288 },
		"weak flags out of step": func(m *image) { m.Weak = m.Weak[:1] },
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			img := testImage()
			damage(img)
			if err := img.check(); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// FuzzDecodeImage: any payload decodes to an image that check accepts or
// rejects, or fails to decode; never a panic.
func FuzzDecodeImage(f *testing.F) {
	f.Add(testImage().encode())
	f.Add([]byte(imageFormat))
	f.Fuzz(func(t *testing.T, data []byte) {
		if img, err := decodeImage(data); err == nil {
			img.check()
			decodeCode(string(img.codeEnc), uint64(len(img.Content)))
		}
	})
}

// codeTableImage is testImage with a code table of n functions in 64
// blocks, as a linked program of n functions has.
func codeTableImage(n int) *image {
	img := testImage()
	img.Content = make([]byte, 64*4096)
	img.Pieces = []imagePiece{{0, uint64(len(img.Content)), shared.ProtRead | shared.ProtExec}}
	img.Code = nil
	for b := range 64 {
		c := imageCode{Start: uint64(b) * 4096, End: uint64(b+1) * 4096, Section: ".text", Obj: "/usr/lib/x86_64-linux-gnu/libexample.a(member.o)"}
		for i := range n / 64 {
			c.Syms = append(c.Syms, imageCodeSym{Name: fmt.Sprintf("example_function_%d_%d", b, i), Off: c.Start + uint64(i)*16, Size: 16})
		}
		img.Code = append(img.Code, c)
	}
	return img
}

// TestDecodeCodeTable: a large code table survives encoding (its strings
// are cut from one copy of the encoding).
func TestDecodeCodeTable(t *testing.T) {
	img := codeTableImage(2048)
	got, err := decodeWhole(img.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, img) {
		t.Fatal("decoded image differs")
	}
}

// TestDecodeCodeBad: a code table whose blocks lie outside the image, or
// that is cut short, is an error.
func TestDecodeCodeBad(t *testing.T) {
	img := testImage()
	img.Code[0].End = uint64(len(img.Content)) + 1
	got, err := decodeImage(img.encode())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeCode(string(got.codeEnc), uint64(len(got.Content))); err == nil {
		t.Error("a block past the image's end: no error")
	}
	raw := testImage()
	got, _ = decodeImage(raw.encode())
	for n := range len(got.codeEnc) {
		if _, err := decodeCode(string(got.codeEnc[:n]), uint64(len(got.Content))); err == nil {
			t.Fatalf("code table cut to %d of %d bytes: no error", n, len(got.codeEnc))
		}
	}
}

// BenchmarkDecodeCode decodes a code table naming 2,048 functions (what
// a replay's first crash report or SymbolAt decodes).
func BenchmarkDecodeCode(b *testing.B) {
	img := codeTableImage(2048)
	got, err := decodeImage(img.encode())
	if err != nil {
		b.Fatal(err)
	}
	raw := string(got.codeEnc)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeCode(raw, uint64(len(got.Content))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeImage decodes an image whose code table names 2,048
// functions (the replay of a 2,000-function program decodes one; its
// code table is decoded only when an address is named).
func BenchmarkDecodeImage(b *testing.B) {
	data := codeTableImage(2048).encode()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeImage(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCopyImageContent: the two-goroutine copy of a replayed image puts
// every piece's bytes in its segment, whatever the pieces' sizes and
// where the halves fall (inside a piece, on a boundary, one piece only).
func TestCopyImageContent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sizes []uint64 // pieces, in pages
	}{
		{"one piece", []uint64{3}},
		{"one page", []uint64{1}},
		{"split inside a piece", []uint64{1, 5, 1}},
		{"split on a boundary", []uint64{2, 2}},
		{"many", []uint64{1, 1, 1, 4, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := &image{}
			var off uint64
			for _, n := range tc.sizes {
				img.Pieces = append(img.Pieces, imagePiece{Off: off, Size: n * imagePage, Prot: shared.ProtRead})
				off += n * imagePage
			}
			img.Content = make([]byte, off)
			for i := range img.Content {
				img.Content[i] = byte(i*31 + i>>12)
			}
			segs := make([]jitlink.Segment, len(img.Pieces))
			for i, p := range img.Pieces {
				segs[i].Mem = make([]byte, p.Size)
			}
			copyImageContent(segs, img).Wait()
			for i, p := range img.Pieces {
				if !bytes.Equal(segs[i].Mem, img.Content[p.Off:p.Off+p.Size]) {
					t.Errorf("piece %d (%#x+%#x): content differs", i, p.Off, p.Size)
				}
			}
		})
	}
}
