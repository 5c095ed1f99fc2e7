#include <stdio.h>
int main(void) { __builtin_cpu_init(); printf("sse2=%d vendor-intel-or-amd=%d\n", !!__builtin_cpu_supports("sse2"), __builtin_cpu_is("intel") || __builtin_cpu_is("amd")); return 0; }
