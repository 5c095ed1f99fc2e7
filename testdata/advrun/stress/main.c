#include "st.h"
#include <unistd.h>
static void ae1(void) { printf("atexit 1 (last registered first? no: runs third)\n"); }
static void ae2(void) { printf("atexit 2\n"); }
static void ae3(void) { printf("atexit 3\n"); fflush(stdout); }
int main(int argc, char **argv) {
  atexit(ae1); atexit(ae2); atexit(ae3);
  printf("argc=%d table[5]=%d names[2]=%s\n", argc, table[5], names[2]);
  common_counter += 3;
  printf("common=%d weakfn=%d hook=%s\n", common_counter, weakfn(4), weak_hook ? "set" : "null");
  sort_and_search();
  sig_tests();
  jmp_tests();
  misc_tests();
  late_tests();
  printf("unterminated line at exit: buffered");  /* flushed by exit */
  return argc > 1 ? atoi(argv[1]) : 7;
}
