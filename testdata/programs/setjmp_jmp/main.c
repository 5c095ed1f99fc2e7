// setjmp_jmp: setjmp/longjmp across JIT'd frames and objects, nested
// handlers, volatile locals.
#include <setjmp.h>
#include <stdio.h>

extern jmp_buf env;
int descend(int depth, int fail_at);

jmp_buf env;

int main(void) {
	for (int fail = 0; fail < 4; fail++) {
		volatile int tries = fail;
		int r = setjmp(env);
		if (r == 0)
			printf("descend ok: %d\n", descend(5, fail ? fail : 99));
		else
			printf("longjmp back with %d (tries=%d)\n", r, tries);
	}
	return 0;
}
