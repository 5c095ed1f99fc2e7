#include <stdio.h>
static int state;
__attribute__((constructor(120))) static void c120(void) {
	state = 120;
	printf("ctor 120 (other.c)\n");
}
__attribute__((constructor(200))) static void c200(void) { printf("ctor 200 (other.c)\n"); }
__attribute__((destructor(200))) static void d200(void) { printf("dtor 200 (other.c)\n"); }
__attribute__((destructor(150))) static void d150(void) { printf("dtor 150 (other.c)\n"); }
void other_report(void) { printf("other state=%d\n", state); }
