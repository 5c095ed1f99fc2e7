// qsort_cb: libc calling back into JIT'd code (qsort, bsearch) with
// comparators from another object.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmp_int(const void *, const void *);
int cmp_str(const void *, const void *);

int main(void) {
	int xs[64];
	unsigned s = 12345;
	for (int i = 0; i < 64; i++) {
		s = s * 1103515245u + 12345u;
		xs[i] = (int)(s >> 16) % 1000;
	}
	qsort(xs, 64, sizeof xs[0], cmp_int);
	for (int i = 0; i < 64; i += 8)
		printf("%d ", xs[i]);
	printf("\n");
	int key = xs[17];
	int *hit = bsearch(&key, xs, 64, sizeof xs[0], cmp_int);
	printf("found %d at %ld\n", key, hit ? (long)(hit - xs) >= 0 : -1);
	const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date"};
	qsort(words, 6, sizeof words[0], cmp_str);
	for (int i = 0; i < 6; i++)
		printf("%s%c", words[i], i == 5 ? '\n' : ' ');
	return 0;
}
