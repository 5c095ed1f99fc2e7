#include <stdio.h>
#include <stdlib.h>
static void nested(void) { printf("nested handler (registered during exit)\n"); }
static void outer(void) {
	printf("outer handler, registering nested\n");
	atexit(nested);
}
void register_more(void) { atexit(outer); }
