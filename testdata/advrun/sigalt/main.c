#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char stk[1 << 16];
static void h(int s, siginfo_t *si, void *uc) { static const char m[] = "handler on alt stack\n"; write(1, m, sizeof m - 1); _exit(si->si_signo == SIGSEGV ? 17 : 1); }
static int rec(int n) { volatile char pad[4096]; pad[0] = n; return rec(n + 1) + pad[0]; }
int main(void) { stack_t ss = {.ss_sp = stk, .ss_size = sizeof stk}; sigaltstack(&ss, 0); struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO | SA_ONSTACK; sigaction(SIGSEGV, &sa, 0); printf("overflowing\n"); fflush(stdout); return rec(0); }
