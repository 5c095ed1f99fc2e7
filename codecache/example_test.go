package codecache_test

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/gorc-jit/gorc/codecache"
)

// parts is an encoding written from its pieces, never assembled.
type parts []string

func (p parts) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, s := range p {
		k, err := io.WriteString(w, s)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ExampleCache_PutFrom stores a payload streamed by an io.WriterTo and
// reads it back.
func ExampleCache_PutFrom() {
	dir, err := os.MkdirTemp("", "codecache-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := codecache.Open(dir, codecache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	k := codecache.NewKey("example").String("input", "hello.o").Sum()
	if err := c.PutFrom(k, parts{"header;", "fields;", "content"}); err != nil {
		log.Fatal(err)
	}
	payload, err := c.Get(k)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(payload))
	// Output: header;fields;content
}

// ExampleCache_Map maps a large entry: its payload is the file's pages,
// verified in place, and FileRange says where a part of it lies in the
// entry's file (for mapping that part again elsewhere, as gorc's image
// replay maps its code).
func ExampleCache_Map() {
	dir, err := os.MkdirTemp("", "codecache-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	c, err := codecache.Open(dir, codecache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	k := codecache.NewKey("example").String("input", "big.o").Sum()
	payload := make([]byte, 1<<20)
	copy(payload[8192:], "code")
	if err := c.Put(k, payload); err != nil {
		log.Fatal(err)
	}
	m, err := c.Map(k)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	_, off, ok := m.FileRange(m.Payload[8192:8196])
	fmt.Println(len(m.Payload), ok, off-codecache.PayloadOffset, string(m.Payload[8192:8196]))
	// Output: 1048576 true 8192 code
}
