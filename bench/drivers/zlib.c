// zlib driver: compresses and uncompresses a few MiB of generated data at
// several levels through Debian's libz.a, with crc32 and adler32, and a
// streaming deflate/inflate round trip.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(void) {
	const size_t n = 3 << 20;
	unsigned char *src = malloc(n);
	unsigned s = 7;
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		// Compressible: words from a small alphabet with runs.
		src[i] = (s >> 24) < 64 ? (unsigned char)('a' + (s >> 16) % 8) : (unsigned char)(i % 251 < 200 ? ' ' + (i / 97) % 64 : 'z');
	}
	printf("zlib %s\n", strcmp(zlibVersion(), ZLIB_VERSION) == 0 ? "version matches header" : "version mismatch");
	printf("crc32=%08lx adler32=%08lx\n", crc32(0, src, n), adler32(1, src, n));
	uLongf bound = compressBound(n);
	unsigned char *comp = malloc(bound), *back = malloc(n);
	for (int level = 1; level <= 9; level += 5) {
		uLongf clen = bound, blen = n;
		if (compress2(comp, &clen, src, n, level) != Z_OK || uncompress(back, &blen, comp, clen) != Z_OK) {
			fprintf(stderr, "level %d failed\n", level);
			return 1;
		}
		printf("level %d: %zu -> %lu bytes, crc32 of compressed %08lx, round trip %s\n", level, n, clen,
		       crc32(0, comp, clen), blen == n && memcmp(src, back, n) == 0 ? "ok" : "MISMATCH");
	}
	z_stream zs = {0};
	deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY); // gzip wrapper
	size_t out = 0;
	zs.next_in = src;
	zs.avail_in = n;
	do {
		zs.next_out = comp + out;
		zs.avail_out = 65536 < bound - out ? 65536 : bound - out;
		deflate(&zs, Z_FINISH);
		out = zs.total_out;
	} while (zs.avail_out == 0);
	deflateEnd(&zs);
	z_stream is = {0};
	inflateInit2(&is, 31);
	is.next_in = comp;
	is.avail_in = out;
	is.next_out = back;
	is.avail_out = n;
	int rc = inflate(&is, Z_FINISH);
	inflateEnd(&is);
	printf("gzip stream: %zu bytes, inflate rc=%d, %lu bytes back, equal=%d\n", out, rc, is.total_out,
	       memcmp(src, back, n) == 0);
	free(src);
	free(comp);
	free(back);
	return 0;
}
