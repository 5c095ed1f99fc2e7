/* div(), ldiv() and lldiv() return structs by value from libc; a base
   converter and a calendar built on them. */
#include <stdio.h>
#include <stdlib.h>

static void to_base(long v, int base, char *out) {
	char tmp[72];
	int n = 0, neg = v < 0;
	do {
		ldiv_t q = ldiv(v, base);
		long d = q.rem < 0 ? -q.rem : q.rem;
		tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[d];
		v = q.quot;
	} while (v != 0);
	int k = 0;
	if (neg)
		out[k++] = '-';
	while (n > 0)
		out[k++] = tmp[--n];
	out[k] = 0;
}

static div_t hms(int seconds) {
	div_t m = div(seconds, 60);
	div_t h = div(m.quot, 60);
	printf("%d s = %dh %02dm %02ds\n", seconds, h.quot, h.rem, m.rem);
	return h;
}

int main(void) {
	char buf[80];
	long vals[] = {0, 255, -255, 123456789, -9223372036854775807L - 1, 35};
	int bases[] = {2, 16, 10, 36, 7, 36};
	for (int i = 0; i < 6; i++) {
		to_base(vals[i], bases[i], buf);
		printf("%ld in base %d = %s\n", vals[i], bases[i], buf);
	}
	int total = 0;
	int secs[] = {0, 59, 3600, 86399, 45296};
	for (int i = 0; i < 5; i++)
		total += hms(secs[i]).quot;
	lldiv_t big = lldiv(-1000000000000007LL, 1000);
	printf("lldiv %lld %lld\n", big.quot, big.rem);
	div_t neg = div(-7, 2);
	printf("div(-7,2) = %d %d\n", neg.quot, neg.rem);
	return total;
}
