// Package e2e holds end-to-end tests of the JIT linker: gcc-compiled
// programs are linked with jitlink into executor memory (memmgr's slab,
// placed near or far from libc) and run in-process through the executor,
// and their output is compared with the natively linked program. It has no
// non-test code.
package e2e
