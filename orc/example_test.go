package orc_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gorc-jit/gorc/orc"
	"github.com/gorc-jit/gorc/shared"
)

// The basic flow: a session, a dylib, an absolute definition, a lookup.
func Example() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())

	main, _ := es.CreateJITDylib("main")
	puts := es.Intern("puts")
	main.Define(orc.AbsoluteSymbols(orc.SymbolMap{
		puts: {Addr: 0x7f0000001000, Flags: orc.Exported | orc.Callable},
	}), nil)

	def, err := es.LookupSymbol(context.Background(), main, "puts")
	fmt.Println(def.Addr, def.Flags, err)
	// Output: 0x7f0000001000 exported|callable <nil>
}

// A custom unit: it resolves its symbol, then emits it with a dependency on
// a symbol of another dylib; it becomes Ready once that one is.
func ExampleMaterializationResponsibility() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	libc, _ := es.CreateJITDylib("libc")
	app, _ := es.CreateJITDylib("app")
	app.AddToLinkOrder(libc, orc.MatchExportedSymbolsOnly)

	printf, mainSym := es.Intern("printf"), es.Intern("main")
	libc.Define(orc.AbsoluteSymbols(orc.SymbolMap{printf: {Addr: 0x5000, Flags: orc.Exported | orc.Callable}}), nil)

	app.Define(&orc.SimpleMaterializationUnit{
		UnitName: "main.o",
		Syms:     orc.SymbolFlagsMap{mainSym: orc.Exported | orc.Callable},
		MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
			// A linker would allocate memory here and look up externals.
			r.NotifyResolved(orc.SymbolMap{mainSym: {Addr: 0x1000}})
			es.LookupAsync(ctx, orc.LookupKindStatic, app.LinkOrder(), orc.NewSymbolLookupSet(printf), orc.SymbolStateResolved,
				func(m orc.SymbolMap, err error) {
					if err != nil {
						r.FailMaterialization(err)
						return
					}
					fmt.Printf("fixing up call to printf at %v\n", m[printf].Addr)
					r.NotifyEmitted([]orc.SymbolDependenceGroup{{
						Symbols:      []orc.SymbolName{mainSym},
						Dependencies: map[*orc.JITDylib][]orc.SymbolName{libc: {printf}},
					}})
				}, nil)
		},
	}, nil)

	def, err := es.LookupSymbol(context.Background(), app, "main")
	fmt.Println(def.Addr, err)
	// Output:
	// fixing up call to printf at 0x5000
	// 0x1000 <nil>
}

// Lookups can ask for the Resolved state (addresses only) and mark names
// weakly referenced: missing ones are left out instead of failing.
func ExampleExecutionSession_Lookup() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	f, missing := es.Intern("f"), es.Intern("maybe_missing")
	jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{f: {Addr: 0x42, Flags: orc.Exported}}), nil)

	set := orc.NewSymbolLookupSet(f).Add(missing, orc.WeaklyReferencedSymbol)
	m, err := es.Lookup(context.Background(), orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd), set, orc.SymbolStateResolved)
	fmt.Println(len(m), m[f].Addr, err)

	_, err = es.Lookup(context.Background(), orc.SearchOrder(orc.MatchExportedSymbolsOnly, jd), orc.NewSymbolLookupSet(missing), orc.SymbolStateReady)
	fmt.Println(err)
	// Output:
	// 1 0x42 <nil>
	// symbols not found: [maybe_missing]
}

// Reexports make one dylib's symbols visible under other names in another.
func ExampleReExports() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	impl, _ := es.CreateJITDylib("impl")
	api, _ := es.CreateJITDylib("api")
	impl.Define(orc.AbsoluteSymbols(orc.SymbolMap{es.Intern("sqlite3_open_impl"): {Addr: 0x9000, Flags: orc.Exported}}), nil)
	api.Define(orc.ReExports(impl, orc.SymbolAliasMap{
		es.Intern("sqlite3_open"): {Aliasee: es.Intern("sqlite3_open_impl"), Flags: orc.Exported | orc.Callable},
	}, orc.MatchExportedSymbolsOnly), nil)

	def, _ := es.LookupSymbol(context.Background(), api, "sqlite3_open")
	fmt.Println(def.Addr)
	// Output: 0x9000
}

// Resource trackers remove a group of definitions so they can be replaced.
func ExampleResourceTracker() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	rt, _ := jd.CreateResourceTracker()
	f := es.Intern("f")
	jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{f: {Addr: 0x100, Flags: orc.Exported}}), rt)
	v1, _ := es.LookupSymbol(context.Background(), jd, "f")

	rt.Remove(context.Background())
	jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{f: {Addr: 0x200, Flags: orc.Exported}}), nil)
	v2, _ := es.LookupSymbol(context.Background(), jd, "f")
	fmt.Println(v1.Addr, v2.Addr)
	// Output: 0x100 0x200
}

// Dump prints a dylib's symbol table.
func ExampleJITDylib_Dump() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	jd.Define(orc.AbsoluteSymbols(orc.SymbolMap{es.Intern("answer"): {Addr: shared.ExecutorAddr(0x2a), Flags: orc.Exported}}), nil)
	es.LookupSymbol(context.Background(), jd, "answer")
	jd.Dump(os.Stdout)
	// Output:
	// JITDylib "main" (1 symbols)
	//   link order: main(MatchAllSymbols)
	//   answer                           0x000000000000002a Ready         exported                 unit "absolute symbols {answer}"
}

// A pool dispatcher runs materializations on a bounded set of goroutines.
func ExampleNewPoolDispatcher() {
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(4)))
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	x := es.Intern("x")
	jd.Define(&orc.SimpleMaterializationUnit{
		UnitName: "x.o",
		Syms:     orc.SymbolFlagsMap{x: orc.Exported},
		MaterializeFunc: func(_ context.Context, r *orc.MaterializationResponsibility) {
			r.NotifyResolved(orc.SymbolMap{x: {Addr: 0x77}})
			r.NotifyEmitted(nil)
		},
	}, nil)
	def, err := es.LookupSymbol(context.Background(), jd, "x")
	fmt.Println(def.Addr, err)
	// Output: 0x77 <nil>
}

// A lookup that would only wait for a materialization can run it itself:
// with WithInPlaceMaterialization the unit below is compiled on the
// looking-up goroutine, not handed to the pool's workers and back (what
// lazy call-through re-entries do on a first call).
func ExampleWithInPlaceMaterialization() {
	es := orc.NewExecutionSession(orc.WithDispatcher(orc.NewPoolDispatcher(2)))
	defer es.EndSession(context.Background())
	jd, _ := es.CreateJITDylib("main")
	f := es.Intern("f")
	ran := make(chan string, 1)
	jd.Define(&orc.SimpleMaterializationUnit{
		UnitName: "f.o",
		Syms:     orc.SymbolFlagsMap{f: orc.Exported | orc.Callable},
		MaterializeFunc: func(ctx context.Context, r *orc.MaterializationResponsibility) {
			ran <- "materializing f"
			r.NotifyResolved(orc.SymbolMap{f: {Addr: 0x1000, Flags: orc.Exported | orc.Callable}})
			r.NotifyEmitted(nil)
		},
	}, nil)

	ctx := orc.WithInPlaceMaterialization(context.Background())
	def, err := es.LookupSymbol(ctx, jd, "f")
	fmt.Println(<-ran)
	fmt.Println(def.Addr, err)
	// Output:
	// materializing f
	// 0x1000 <nil>
}

// A generator standing for definitions of the dylib's own (declared only
// when something looks them up) goes before the dylib's other generators,
// so that it wins over a library's symbol of the same name as a defined
// symbol would.
func ExampleJITDylib_AddGeneratorFirst() {
	es := orc.NewExecutionSession()
	defer es.EndSession(context.Background())
	main, _ := es.CreateJITDylib("main")
	absolute := func(addr shared.ExecutorAddr, only map[string]bool) orc.DefinitionGenerator {
		return orc.DefinitionGeneratorFunc(func(_ context.Context, _ orc.LookupKind, jd *orc.JITDylib, _ orc.JITDylibLookupFlags, set orc.SymbolLookupSet) error {
			m := orc.SymbolMap{}
			for _, e := range set {
				if only == nil || only[e.Name.String()] {
					m[e.Name] = orc.ExecutorSymbolDef{Addr: addr, Flags: orc.Exported | orc.Callable}
				}
			}
			if len(m) == 0 {
				return nil
			}
			return jd.Define(orc.AbsoluteSymbols(m), nil)
		})
	}
	main.AddGenerator(absolute(0x1000, nil))                               // the C library: every name
	main.AddGeneratorFirst(absolute(0x2000, map[string]bool{"sin": true})) // the program's own sin
	for _, name := range []string{"sin", "cos"} {
		def, _ := es.LookupSymbol(context.Background(), main, name)
		fmt.Println(name, def.Addr)
	}
	// Output:
	// sin 0x2000
	// cos 0x1000
}
