// ctor_prio: constructor/destructor priorities across two objects, atexit
// handlers registered from constructors and from main; the exit order must
// be what a real linker and libc produce.
#include <stdio.h>
#include <stdlib.h>

void other_report(void);

static void bye_main(void) { printf("atexit handler from main\n"); }
static void bye_ctor(void) { printf("atexit handler from ctor 150\n"); }

__attribute__((constructor(101))) static void c101(void) { printf("ctor 101 (main.c)\n"); }
__attribute__((constructor(150))) static void c150(void) {
	printf("ctor 150 (main.c)\n");
	atexit(bye_ctor);
}
__attribute__((constructor)) static void cdefault(void) { printf("ctor default (main.c)\n"); }
__attribute__((destructor(101))) static void d101(void) { printf("dtor 101 (main.c)\n"); }
__attribute__((destructor)) static void ddefault(void) { printf("dtor default (main.c)\n"); }

int main(void) {
	printf("main\n");
	other_report();
	atexit(bye_main);
	return 3;
}
