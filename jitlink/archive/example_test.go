package archive_test

import (
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/jitlink/archive"
)

// Parse an archive and find the member that defines a symbol, as a linker
// resolving an undefined reference would.
func ExampleParse() {
	data, err := os.ReadFile("testdata/small.a")
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := archive.Parse("small.a", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range a.Members {
		fmt.Printf("member %s (%d bytes)\n", m.Name, len(m.Data))
	}
	if m, ok := a.MemberDefining("_Z1gi"); ok {
		fmt.Println("g(int) is defined by", m.Name)
	}
	// Output:
	// member a_member_with_a_long_name.o (2128 bytes)
	// member b.o (2888 bytes)
	// g(int) is defined by b.o
}
