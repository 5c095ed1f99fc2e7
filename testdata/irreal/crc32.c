/* CRC-32 (table and bitwise), Adler-32 and FNV-1a over a generated buffer. */
#include <stdint.h>
#include <stdio.h>

static uint32_t table[256];

static void init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc_table(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

static uint32_t crc_bitwise(const unsigned char *p, size_t n) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
  }
  return ~c;
}

static uint32_t adler32(const unsigned char *p, size_t n) {
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < n; i++) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static unsigned xsum(const unsigned char *p, size_t n) {
  unsigned s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return s;
}

int main(void) {
  static unsigned char buf[10000];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof buf; i++) {
    x = x * 1103515245 + 12345;
    buf[i] = x >> 16;
  }
  init();
  printf("crc %08x %08x\n", crc_table(buf, sizeof buf), crc_bitwise(buf, sizeof buf));
  printf("crc(\"123456789\") %08x\n", crc_table((const unsigned char *)"123456789", 9));
  printf("adler %08x fnv %016llx sum %u\n", adler32(buf, sizeof buf), (unsigned long long)fnv1a(buf, sizeof buf), xsum(buf, sizeof buf));
  return 0;
}
