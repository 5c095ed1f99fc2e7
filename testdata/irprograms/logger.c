/* A printf-style logger: levels, a prefix, vsnprintf into a buffer sized
   with a first vsnprintf over a va_copy, and a ring of recent messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum level { DEBUG, INFO, WARN, ERROR };
static const char *names[] = {"debug", "info", "warn", "error"};
static enum level threshold = INFO;
static char *ring[4];
static int ring_pos, dropped;

static char *vformat(const char *fmt, va_list ap) {
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *buf = malloc(n + 1);
	vsnprintf(buf, n + 1, fmt, ap);
	return buf;
}

static void logf_(enum level lv, const char *where, const char *fmt, ...) {
	if (lv < threshold) {
		dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = vformat(fmt, ap);
	va_end(ap);
	printf("[%-5s] %s: %s\n", names[lv], where, msg);
	free(ring[ring_pos]);
	ring[ring_pos] = msg;
	ring_pos = (ring_pos + 1) % 4;
}

static int fail_count(const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int main(void) {
	logf_(INFO, "main", "starting %s v%d.%d", "logger", 1, 2);
	logf_(DEBUG, "main", "not shown %d", 42);
	for (int i = 0; i < 6; i++)
		logf_(i % 2 ? WARN : INFO, "loop", "i=%d sq=%ld half=%.3f hex=%#x str=%.*s", i, (long)i * i, i / 2.0, i * 255, i, "abcdefgh");
	logf_(ERROR, "end", "%s %c %5.1e %lu %hd", "mixed", 'z', 12345.678, 18446744073709551615UL, (short)-7);
	threshold = DEBUG;
	logf_(DEBUG, "end", "now shown; dropped=%d", dropped);
	int n = fail_count("%d+%d=%d\n", 2, 3, 5);
	printf("wrote %d\n", n);
	for (int i = 0; i < 4; i++)
		printf("ring[%d] = %s\n", i, ring[(ring_pos + i) % 4]);
	return dropped;
}
