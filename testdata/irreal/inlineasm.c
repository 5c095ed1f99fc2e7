/* Inline assembly as C programs use it: compiler barriers, pause,
   rdtsc, cpuid (ebx a callee-saved output), bswap, lock cmpxchg, xchg,
   lea, bsr/bsf, add and shift in one template, ${1:k}, fences, a raw
   getpid syscall, a memory operand and a shift by %cl. The output is
   compared with the native build's. The <x86intrin.h> and <cpuid.h>
   functions (pause, fences, __rdtsc, __rdtscp, __builtin_readcyclecounter,
   clflush, __get_cpuid) are llvm.x86.* intrinsics or inline asm. */
#include <stdio.h>
#include <stdint.h>
#include <x86intrin.h>
#include <cpuid.h>
static inline void barrier(void) { __asm__ __volatile__("" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ __volatile__("pause"); }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
  __asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline uint32_t bswap32(uint32_t x) { __asm__("bswap %0" : "+r"(x)); return x; }
static inline uint64_t bswap64(uint64_t x) { __asm__("bswapq %0" : "+r"(x)); return x; }
static inline int cas(int *p, int old, int new) {
  int prev;
  __asm__ __volatile__("lock; cmpxchgl %2, %1" : "=a"(prev), "+m"(*p) : "r"(new), "0"(old) : "memory");
  return prev;
}
static inline int xchg(int *p, int v) { __asm__ __volatile__("xchgl %0, %1" : "+r"(v), "+m"(*p) :: "memory"); return v; }
static inline long lea3(long a, long b) { long r; __asm__("leaq (%1,%2,2), %0" : "=r"(r) : "r"(a), "r"(b)); return r; }
static inline int bsr(unsigned x) { int r; __asm__("bsrl %1, %0" : "=r"(r) : "rm"(x)); return r; }
static inline int bsf(unsigned long x) { long r; __asm__("bsfq %1, %0" : "=r"(r) : "r"(x)); return (int)r; }
static inline unsigned addsh(unsigned a, unsigned b) { __asm__("addl %1, %0\n\tshll $3, %0" : "+r"(a) : "ri"(b) : "cc"); return a; }
static inline unsigned long movk(unsigned long a) { unsigned r; __asm__("movl %k1, %0" : "=r"(r) : "r"(a)); return r; }
static inline void fences(void) { __asm__ __volatile__("mfence; lfence; sfence" ::: "memory"); }
static inline long sys_getpid(void) { long r; __asm__ __volatile__("syscall" : "=a"(r) : "0"(39L) : "rcx", "r11", "memory"); return r; }
static inline int incmem(int *p) { __asm__("incl %0" : "+m"(*p)); return *p; }
static inline int bt(unsigned long w, long bit) { _Bool r; __asm__("btq %2, %1" : "=@ccc"(r) : "r"(w), "r"(bit)); return r; }
static inline int dec_and_test(int *p) { _Bool z; __asm__ volatile("lock decl %0" : "+m"(*p), "=@ccz"(z) :: "memory"); return z; }
static inline unsigned rol(unsigned x, unsigned char n) { __asm__("roll %%cl, %0" : "+r"(x) : "c"(n)); return x; }
int main(void) {
  barrier(); cpu_relax();
  uint64_t t0 = rdtsc(), t1 = rdtsc(); printf("rdtsc %d\n", t1 >= t0);
  uint32_t a, b, c, d; cpuid(0, &a, &b, &c, &d);
  char vendor[13]; *(uint32_t *)vendor = b; *(uint32_t *)(vendor + 4) = d; *(uint32_t *)(vendor + 8) = c; vendor[12] = 0;
  printf("cpuid %d %s\n", a > 0, vendor);
  printf("bswap %x %lx\n", bswap32(0x11223344), bswap64(0x1122334455667788UL));
  int v = 5; printf("cas %d %d\n", cas(&v, 5, 7), v); printf("cas %d %d\n", cas(&v, 5, 9), v);
  printf("xchg %d %d\n", xchg(&v, 100), v);
  printf("lea %ld bsr %d bsf %d addsh %u movk %lx\n", lea3(10, 7), bsr(1000), bsf(96), addsh(3, 4), movk(0x1234567890UL));
  fences();
  printf("getpid %d\n", sys_getpid() > 0);
  printf("inc %d rol %x\n", incmem(&v), rol(0x80000001, 4));
  int cnt = 2;
  printf("flags %d %d %d %d\n", bt(5, 0), bt(5, 1), dec_and_test(&cnt), dec_and_test(&cnt));
  _mm_pause(); _mm_mfence(); _mm_lfence(); _mm_sfence();
  unsigned long long u0 = __rdtsc(), u1 = __builtin_readcyclecounter();
  unsigned aux; unsigned long long u2 = __rdtscp(&aux);
  printf("x86intrin tsc %d %d\n", u1 >= u0, u2 >= u1);
  char line[64] = "flushed"; _mm_clflush(line); printf("%s\n", line);
  unsigned ea, eb, ec, ed; printf("get_cpuid %d\n", __get_cpuid(1, &ea, &eb, &ec, &ed));
  return 0;
}
