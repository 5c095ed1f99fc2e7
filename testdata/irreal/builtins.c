#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
/* GCC/clang builtins and the llvm.* intrinsics clang-19 emits for them at
   -O0, -O2 and -O3 (prefetch, expect, assume, trap, debugtrap,
   return/frame address, bitreverse, rotates, *_overflow of several widths
   and signs, object_size, constant_p, clear_cache, memcpy/memset_inline,
   launder, annotate, bit counts, bswap, fabs/copysign/isnan). The output
   is compared with the native build's. */
__attribute__((noinline)) int arr(int n) { int a[64]; for (int i = 0; i < n; i++) a[i] = i*i; int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) int fill(int n) { char p[64]; memset(p, 1, n); int s=0; for (int i=0;i<n;i++) s+=p[i]; return s; }
__attribute__((noinline)) int looparr(int n) { int s=0; for (int k=1;k<n;k++){ int a[64]; for(int i=0;i<k;i++) a[i]=i; s+=a[k-1]; } return s; }
__attribute__((noinline)) size_t osz(char *p) { return __builtin_object_size(p, 0); }
int main(int argc, char **argv) {
  volatile int x = argc + 41;
  int a[16]; for (int i=0;i<16;i++) a[i]=i;
  __builtin_prefetch(a, 0, 3); __builtin_prefetch(a+8, 1, 0);
  if (__builtin_expect(x == 42, 1)) printf("expect ok\n");
  __builtin_assume(x > 0);
  printf("arr %d fill %d looparr %d\n", arr(x), fill(x), looparr(x));
  unsigned u = x; unsigned long ul = x; unsigned char uc = x; unsigned short us = x;
  printf("bitrev %x %lx %x %x\n", __builtin_bitreverse32(u), __builtin_bitreverse64(ul), __builtin_bitreverse8(uc), __builtin_bitreverse16(us));
  printf("rot %x %lx %x %x\n", __builtin_rotateleft32(u, 5), __builtin_rotateright64(ul, 7), __builtin_rotateleft8(uc, 3), __builtin_rotateright16(us, 3));
  int r; long lr; unsigned ur; unsigned long ulr; short sr; unsigned char ucr; long long llr;
  printf("ovf %d %d\n", __builtin_sadd_overflow(x, 2147483647, &r), r);
  printf("ovf %d %d\n", __builtin_ssub_overflow(-x, 2147483647, &r), r);
  printf("ovf %d %d\n", __builtin_smul_overflow(x, 100000000, &r), r);
  printf("ovf %d %u\n", __builtin_uadd_overflow(u, 4294967295u, &ur), ur);
  printf("ovf %d %u\n", __builtin_usub_overflow(u, 100u, &ur), ur);
  printf("ovf %d %u\n", __builtin_umul_overflow(u, 200000000u, &ur), ur);
  printf("ovf %d %ld\n", __builtin_saddl_overflow(ul, 9223372036854775807L, &lr), lr);
  printf("ovf %d %ld\n", __builtin_smull_overflow(ul, 922337203685477580L, &lr), lr);
  printf("ovf %d %lu\n", __builtin_umull_overflow(ul, 922337203685477580UL, &ulr), ulr);
  printf("ovf %d %lu\n", __builtin_usubl_overflow(ul, 100UL, &ulr), ulr);
  printf("ovf %d %d\n", __builtin_add_overflow((short)x, (short)32767, &sr), sr);
  printf("ovf %d %d\n", __builtin_mul_overflow((unsigned char)x, (unsigned char)7, &ucr), ucr);
  printf("ovf %d %lld\n", __builtin_mul_overflow((long long)x, 300000000000000000LL, &llr), llr);
  printf("ovf %d %d\n", __builtin_sub_overflow(uc, 100, &sr), sr);
  char buf[10];
  printf("osz %zu %zu\n", osz(buf), __builtin_object_size(buf, 0));
  printf("isconst %d %d\n", __builtin_constant_p(3) , __builtin_constant_p(x));
  char code[16] = {0}; __builtin___clear_cache(code, code + 16);
  __builtin_memcpy_inline(buf, "abcdefghi", 10); printf("%s\n", buf);
  __builtin_memset_inline(buf, 'z', 9); printf("%s\n", buf);
  
  int *pl = __builtin_launder(a); printf("launder %d\n", pl[3]);
  printf("ra %d fa %d\n", __builtin_return_address(0) != 0, __builtin_frame_address(0) != 0);
  int annot __attribute__((annotate("hello"))) = x; printf("annot %d\n", annot);
  printf("ctz %d clz %d pop %d par %d ffs %d clrsb %d\n", __builtin_ctz(u), __builtin_clzl(ul), __builtin_popcountll(ul), __builtin_parity(u), __builtin_ffs(u), __builtin_clrsb(u));
  printf("bswap %x %lx %x\n", __builtin_bswap32(u), __builtin_bswap64(ul), __builtin_bswap16(us));
  printf("fabs %g %g %d %d\n", __builtin_fabs(-x*1.5), __builtin_copysign(2.0, -x), __builtin_isnan(x*1.0), __builtin_signbit(-x*1.0));
  if (x == 1000) __builtin_trap();
  if (x == 1001) __builtin_unreachable();
  if (x == 1002) __builtin_debugtrap();
  if (x == 1003) abort();
  printf("done\n");
  return 0;
}
