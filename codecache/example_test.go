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
