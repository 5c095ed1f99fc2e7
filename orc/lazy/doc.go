// Package lazy is gorc's lazy-compilation machinery, modelled on LLVM ORC's
// IndirectStubsManager, TrampolinePool, LazyCallThroughManager and
// lazyReexports (seeds 001 and 003):
//
//   - IndirectStubsManager: per function a pointer slot and a stub that
//     jumps through it, in executor memory; UpdatePointer repoints a stub
//     with one aligned pointer-sized store, so a running program sees the
//     old or the new target, never a torn address.
//   - TrampolinePool: trampolines that enter the executor's re-entry point
//     (epc.ReentryName), allocated in blocks that are added on demand.
//   - CallThroughManager: turns a trampoline hit into a session lookup of
//     the function's body (which materializes it once, however many
//     threads hit it), repoints the stub and returns the landing address.
//     Its HandleReentry is installed with epc.Reentry.SetReentryHandler.
//   - LazyReexports: a MaterializationUnit defining each alias at its stub,
//     so the alias is Ready at once and its body is looked up in a source
//     dylib on first call.
//
// The package holds no machine code: the stub and trampoline shapes come
// from the architecture (jitlink.Arch), and the graphs that carry them are
// linked by the generic JIT linker into memory from a jitlink.MemoryManager.
package lazy
