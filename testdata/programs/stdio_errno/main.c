// stdio_errno: libc data objects (stdout, stderr, errno) referenced from
// JIT'd code, stderr output, and exit() from a nested call with a status.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void finish(int code) {
	fflush(stdout);
	fprintf(stderr, "finishing with %d\n", code);
	exit(code);
}

int main(void) {
	fprintf(stdout, "to stdout\n");
	fputs("to stderr\n", stderr);
	FILE *f = fopen("/nonexistent/dir/file", "r");
	int e = errno;
	printf("fopen null=%d errno=%d (%s)\n", f == NULL, e, strerror(e));
	errno = 0;
	long v = strtol("99999999999999999999999", NULL, 10);
	printf("strtol=%ld erange=%d\n", v, errno == ERANGE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "stdout is %s\n", stdout == stderr ? "stderr" : "distinct");
	finish(7);
	return 0;
}
