package elf_test

import (
	"fmt"
	"os"
	"sort"

	"github.com/gorc-jit/gorc/jitlink"
	jelf "github.com/gorc-jit/gorc/jitlink/elf"

	_ "github.com/gorc-jit/gorc/target" // registers the architectures with the ELF reader
)

// Parse an object into a link graph and print its exported symbols and
// the symbols it needs from elsewhere.
func ExampleParse() {
	data, err := os.ReadFile("testdata/small-pie.o")
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := jelf.Parse("small-pie.o", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	var defs []string
	for _, s := range g.Symbols {
		if s.Name != "" && s.Scope != jitlink.ScopeLocal {
			defs = append(defs, fmt.Sprintf("%s %s %s callable=%v tls=%v", s.Name, s.Linkage, s.Block.Section.Name, s.Callable, s.TLS))
		}
	}
	sort.Strings(defs)
	for _, d := range defs {
		fmt.Println("defines", d)
	}
	var ext []string
	for name := range g.Externals {
		ext = append(ext, name)
	}
	sort.Strings(ext)
	fmt.Println("needs", ext)
	// Output:
	// defines counter strong .bss callable=false tls=false
	// defines f strong .text callable=true tls=false
	// defines tl strong .tdata callable=false tls=true
	// defines wk weak .text callable=true tls=false
	// needs [_GLOBAL_OFFSET_TABLE_ ext printf]
}
