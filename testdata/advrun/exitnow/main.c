#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <locale.h>
#include <wchar.h>
int fp_cmp(const void *, const void *);
int helper(int);
extern int (*const fp_table[2])(const void *, const void *);
extern int (*fp_helper)(int);
static int ctor_argc = -1; static char **ctor_argv; static int saw_env;
__attribute__((constructor)) static void init_args(int argc, char **argv, char **envp) {
  ctor_argc = argc; ctor_argv = argv; saw_env = envp && envp[0] != 0;
}
static jmp_buf out;
static int calls;
static int bail_cmp(const void *a, const void *b) { if (++calls == 5) longjmp(out, 1); return *(const int *)a - *(const int *)b; }
static void nested_noexec(void) {}
int main(int argc, char **argv, char **envp) {
  printf("ctor argc=%d same-argv=%d env=%d main-env=%d\n", ctor_argc, ctor_argv == argv, saw_env, envp && envp[0] != 0);
  printf("fp identity: table=%d helper=%d direct=%d\n", fp_table[0] == fp_cmp, fp_helper == helper, fp_table[1] == (int (*)(const void *, const void *))0);
  int v[64]; for (int i = 0; i < 64; i++) v[i] = 64 - i;
  if (!setjmp(out)) { qsort(v, 64, sizeof v[0], bail_cmp); printf("not reached\n"); }
  else printf("longjmp out of qsort after %d calls\n", calls);
  qsort(v, 64, sizeof v[0], fp_table[0]); printf("sorted %d..%d\n", v[0], v[63]);
  setlocale(LC_ALL, "C.UTF-8");
  wchar_t w[16]; size_t n = mbstowcs(w, "h\xc3\xa9llo", 16); printf("wide n=%zu w1=%x\n", n, (unsigned)w[1]);
  char *line = 0; size_t cap = 0; ssize_t got; int lines = 0; long bytes = 0;
  while ((got = getline(&line, &cap, stdin)) > 0) { lines++; bytes += got; }
  free(line);
  printf("stdin %d lines %ld bytes\n", lines, bytes);
  int cnt = 0; printf("abc%n|\n", &cnt); printf("n=%d\n", cnt);
  nested_noexec();
  fflush(stdout);
  fprintf(stderr, "to stderr\n");
  _Exit(helper(2));   /* no atexit, no flush */
}
