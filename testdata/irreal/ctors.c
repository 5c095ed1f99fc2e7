/* __attribute__((constructor)) and destructor with priorities. */
#include <stdio.h>
#include <stdlib.h>

static int order[8], n;
static char *buf;

__attribute__((constructor(200))) static void second(void) { order[n++] = 2; }
__attribute__((constructor(101))) static void first(void) {
  order[n++] = 1;
  buf = malloc(16);
}
__attribute__((constructor)) static void last(void) { order[n++] = 3; }
__attribute__((destructor)) static void bye(void) {
  printf("destructor: order");
  for (int i = 0; i < n; i++) printf(" %d", order[i]);
  printf("\n");
  fflush(stdout);
}
__attribute__((destructor(150))) static void bye_late(void) {
  printf("late destructor\n");
  fflush(stdout);
}

int main(void) {
  printf("main: %d constructors ran:", n);
  for (int i = 0; i < n; i++) printf(" %d", order[i]);
  printf(" buf %s\n", buf ? "set" : "null");
  order[n++] = 4;
  return 0;
}
