#include <setjmp.h>
#include <stdio.h>
extern jmp_buf env;
int descend(int depth, int fail_at) {
	if (depth == fail_at)
		longjmp(env, depth * 10);
	if (depth == 0)
		return 1;
	return descend(depth - 1, fail_at) + depth;
}
