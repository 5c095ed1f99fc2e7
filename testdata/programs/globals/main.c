// globals: initialized and zero data, static data, pointers to data and
// functions stored in data (absolute 64-bit relocations), across objects.
#include <stdio.h>

struct entry {
	const char *name;
	int *value;
	int (*get)(void);
};

extern struct entry entries[];
extern int nentries;
extern int *shared_ptr;
extern char message[];
static int local_counter = 5;
static int zeroed[1000];
int *self_ref = &local_counter;

int bump(void) { return ++local_counter; }

int main(void) {
	for (int i = 0; i < nentries; i++)
		printf("%s value=%d get=%d\n", entries[i].name, *entries[i].value, entries[i].get());
	*shared_ptr += 100;
	printf("shared=%d self=%d\n", *shared_ptr, *self_ref);
	zeroed[999] = 7;
	int s = 0;
	for (int i = 0; i < 1000; i++)
		s += zeroed[i];
	printf("zeroed sum=%d message=%s\n", s, message);
	message[0] = 'J';
	printf("message=%s\n", message);
	return 0;
}
