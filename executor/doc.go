// Package executor is gorc's executor runtime: the code that runs in the
// process where JIT'd code executes. It is the only cgo package of gorc and
// imports nothing controller-side (only github.com/gorc-jit/gorc/shared and the standard
// library).
//
// It provides:
//
//   - memory: reserve a large PROT_NONE region (optionally below 2 GiB),
//     change protections under W^X, write, read, decommit and release;
//   - dynamic loading: dlopen by path or -lNAME search (linker scripts
//     such as Debian's libm.so are followed), dlsym in a library or in the
//     whole process;
//   - running code on fresh pthreads with a large stack: main(argc, argv),
//     void functions, and RunProgram, which runs initializers, main, then
//     exit(status) exactly as a C program ends;
//   - runtime helper symbols that a static link takes from
//     libc_nonshared.a (atexit, at_quick_exit, __dso_handle,
//     pthread_atfork, __stack_chk_fail_local);
//   - typed calls: [Call] loads the C argument registers and stack slots
//     and calls a function on the calling thread (System V x86-64,
//     call_amd64.S); the [CallName] service does the same for a remote
//     controller;
//   - services reached as wrapper functions (see [shared.WrapperCall]):
//     EH-frame registration with libgcc's unwinder, initializer and
//     finalizer lists, TLS image installation, and the debugger and
//     profiler services: the GDB JIT interface (__jit_debug_descriptor,
//     __jit_debug_register_code) and the perf map (/tmp/perf-PID.map),
//     see docs/DEBUGGING.md;
//   - a static-TLS manager that gives JIT'd code a thread-local block in
//     glibc's static TLS surplus (see [AllocateTLS]).
//
// Controller-side code reaches this package through github.com/gorc-jit/gorc/orc/epc; only
// the in-process executor control imports it directly.
package executor
