// large_model: -mcmodel=large -fPIC code: GOTPC64 for the GOT base,
// GOTOFF64 for local data, PLTOFF64 for calls, GOT64 for external data.
#include <stdio.h>
#include <string.h>

extern int big_table[];
long sum_big(int n);
static char local_buf[64] = "local buffer";
int counter = 1;

static long helper(long x) { return x * 3 + counter; }

int main(void) {
	long s = sum_big(100);
	printf("sum_big=%ld helper=%ld\n", s, helper(s));
	strcat(local_buf, " + appended");
	printf("%s (%zu)\n", local_buf, strlen(local_buf));
	printf("big_table[99]=%d stdout-ok=%d\n", big_table[99], fputs("", stdout) >= 0);
	return 0;
}
