/* Bit-field structs: packed headers, signed fields, fields crossing
   bytes, structs of 3, 5, 6 and 7 bytes passed and returned by value. */
#include <stdio.h>

struct hdr { unsigned version : 4, ihl : 4, tos : 8, len : 16; unsigned id : 16, flags : 3, frag : 13; };
struct sf { int a : 5; int b : 11; int c : 7; unsigned d : 9; };
struct rgb { unsigned char r, g, b; };
struct five { char c[5]; };
struct six { short a, b, c; };
struct seven { char a; short b; char c[4]; } __attribute__((packed));
struct wide { unsigned long long lo : 40, hi : 24; };
struct odd { unsigned a : 20; unsigned b : 20; unsigned c : 24; };

static struct rgb mix(struct rgb x, struct rgb y) { return (struct rgb){(x.r + y.r) / 2, (x.g + y.g) / 2, (x.b + y.b) / 2}; }
static struct five rot(struct five f) {
  struct five o;
  for (int i = 0; i < 5; i++) o.c[i] = f.c[(i + 1) % 5];
  return o;
}
static struct six sum6(struct six a, struct six b) { return (struct six){a.a + b.a, a.b + b.b, a.c + b.c}; }
static struct seven mk7(char a, short b) { return (struct seven){a, b, {a, a + 1, a + 2, a + 3}}; }

__attribute__((noinline)) static unsigned checksum(const struct hdr *h) { return h->version + h->ihl + h->tos + h->len + h->id + h->flags + h->frag; }

int main(void) {
  struct hdr h = {4, 5, 0x10, 1500, 0xBEEF, 2, 1234};
  printf("%u %u %u %u %u %u %u sum %u size %zu\n", h.version, h.ihl, h.tos, h.len, h.id, h.flags, h.frag, checksum(&h), sizeof h);
  h.frag += 8000;
  h.flags = 7;
  printf("%u %u\n", h.frag, h.flags);
  struct sf s = {-3, -1000, 63, 500};
  for (int i = 0; i < 4; i++) {
    s.a += 7;
    s.b -= 300;
    s.c ^= 0x55;
    s.d = s.d * 3 + 1;
    printf("%d %d %d %u\n", s.a, s.b, s.c, s.d);
  }
  struct rgb c = mix((struct rgb){200, 100, 50}, (struct rgb){100, 50, 251});
  printf("%d %d %d\n", c.r, c.g, c.b);
  struct five f = rot((struct five){{'h', 'e', 'l', 'l', 'o'}});
  printf("%.5s\n", f.c);
  struct six x = sum6((struct six){1, -2, 300}, (struct six){10000, 20000, -30000});
  printf("%d %d %d\n", x.a, x.b, x.c);
  struct seven v = mk7('p', -12345);
  printf("%c %d %.4s %zu\n", v.a, v.b, v.c, sizeof v);
  struct wide w = {0xFFFFFFFFFFull, 0xABCDEF};
  w.lo += 1;
  w.hi = w.hi * 2 + 1;
  printf("%llx %llx\n", (unsigned long long)w.lo, (unsigned long long)w.hi);
  struct odd o = {0xFFFFF, 12345, 0xFFFFFF};
  o.a += 2;
  o.b = o.b * 100;
  o.c >>= 3;
  printf("%u %u %u %zu\n", o.a, o.b, o.c, sizeof o);
  return 0;
}
