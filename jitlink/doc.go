// Package jitlink is gorc's JIT linker: it turns relocatable objects into
// link graphs (sections, blocks, symbols and edges), runs a pipeline of
// passes over them, lays them out into executor memory obtained from a
// MemoryManager, applies fixups and finalizes.
//
// It never imports the session (package orc); the adapter in
// orc/objlayer joins the two, as LLVM's ObjectLinkingLayer does.
package jitlink
