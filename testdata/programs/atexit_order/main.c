// atexit_order: atexit handlers registered from several objects and from
// inside other atexit handlers, interleaved with destructors, ending with
// exit() called deep in the program.
#include <stdio.h>
#include <stdlib.h>

void register_more(void);
static void h1(void) { printf("handler 1\n"); }
static void h3(void) { printf("handler 3 (registered by handler 2's object)\n"); }
static void h2(void) {
	printf("handler 2\n");
}
__attribute__((destructor)) static void dtor(void) { printf("destructor (main.c)\n"); }

static void leave(int depth) {
	if (depth == 0) {
		printf("calling exit(5)\n");
		exit(5);
	}
	leave(depth - 1);
}

int main(void) {
	atexit(h1);
	register_more();
	atexit(h2);
	atexit(h3);
	printf("main registered handlers\n");
	leave(3);
	return 0;
}
