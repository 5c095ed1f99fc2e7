#include "st.h"
#include <signal.h>
#include <errno.h>
#include <unistd.h>
static sigjmp_buf sjb; static volatile sig_atomic_t got;
static void on_usr1(int s) { got = s; }
static void on_segv(int s) { siglongjmp(sjb, s); }
static jmp_buf jb;
static int depth3(int n) { if (n > 2) longjmp(jb, n * 10); return depth3(n + 1) + 1; }
static int depth1(int n) { return depth3(n) + 100; }
void sig_tests(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_usr1; sigaction(SIGUSR1, &sa, 0);
  raise(SIGUSR1); printf("got signal %d\n", (int)got);
  signal(SIGSEGV, on_segv);
  int r = sigsetjmp(sjb, 1);
  if (r == 0) { volatile int *np = (volatile int *)(long)(got - got); *np = 1; printf("not reached\n"); }
  else printf("recovered from signal %d\n", r);
  signal(SIGSEGV, SIG_DFL);
  errno = 0; FILE *f = fopen("/nonexistent/advrun", "r");
  printf("fopen=%p errno=%d (%s)\n", (void *)f, errno, strerror(errno));
  errno = 0; long x = strtol("99999999999999999999999", 0, 10); printf("strtol=%ld erange=%d\n", x, errno == ERANGE);
}
void jmp_tests(void) {
  int r = setjmp(jb);
  if (r == 0) { depth1(0); printf("not reached\n"); }
  else printf("longjmp back with %d\n", r);
}
