// crash_segv: JIT'd code that dereferences a null pointer. The native
// program dies of SIGSEGV (status 139) after its flushed stdout line and
// its stderr line; gorc must do the same, and with a child or remote
// executor name the faulting function (crash_here) on stderr.
#include <stdio.h>

int *volatile null_ptr;

__attribute__((noinline)) int crash_here(int x) {
	fprintf(stderr, "crash_here(%d): about to dereference a null pointer\n", x);
	return *null_ptr + x;
}

int main(int argc, char **argv) {
	(void)argv;
	printf("before the crash\n");
	fflush(stdout);
	int r = crash_here(argc);
	printf("not reached %d\n", r);
	return 0;
}
