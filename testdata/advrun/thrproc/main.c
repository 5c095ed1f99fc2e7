/* The thread and process patterns of session 30 (testdata/advrun/README):
 * processes first, then threads, which end main by pthread_exit. */
#include <stdio.h>
int procs_main(void);
int thr_main(void);
int main(void) {
	printf("procs: %d\n", procs_main());
	fflush(stdout);
	return thr_main();
}
