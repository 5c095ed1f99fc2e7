// crash_abort: JIT'd code that calls abort(). The native program dies of
// SIGABRT (status 134); gorc must do the same, and with a child or remote
// executor name the JIT'd caller of abort (abort_here) on stderr: the
// faulting pc is in libc, so the name comes from the crashing thread's
// stack.
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) void abort_here(int x) {
	fprintf(stderr, "abort_here(%d): giving up\n", x);
	if (x > 0)
		abort();
}

int main(int argc, char **argv) {
	(void)argv;
	printf("before abort\n");
	fflush(stdout);
	abort_here(argc);
	printf("not reached\n");
	return 0;
}
