// Package orc is gorc's execution-session core, modelled on LLVM's ORC v2
// (LLVM 19) in idiomatic Go.
//
// An ExecutionSession owns a pool of interned symbol names, a set of
// JITDylibs (symbol tables with a link order) and a Dispatcher that runs
// materializers. Definitions are added to a JITDylib as
// MaterializationUnits: lazy producers of symbols that run the first time a
// lookup needs one of their symbols. A running unit is handed a
// MaterializationResponsibility through which it reports addresses
// (NotifyResolved), completion together with the symbols its code depends
// on (NotifyEmitted), or failure (FailMaterialization).
//
// Symbols move through the states
//
//	NeverSearched -> Materializing -> Resolved -> Emitted -> Ready
//
// and may fail at any point before Ready. A symbol is Ready when it and
// everything it transitively depends on has been emitted; dependency cycles
// (also across JITDylibs) become Ready together. Lookups name the state they
// need: Resolved (addresses only, as for cross-process address exchange) or
// Ready (safe to run).
//
// The session is safe for concurrent use. All bookkeeping runs under one
// session lock; materializers, definition generators, resource managers and
// lookup callbacks never run under it.
//
// See docs/ORC.md for a guide to the API and the state machine.
package orc
