#include "st.h"
static int cnt;
__attribute__((constructor(150))) static void arch_ctor(void) { cnt = 40; }
int arch_only(int x) { return x * 7 + cnt; }
