// sections: -ffunction-sections -fdata-sections in every mode: each
// function and variable in its own section, static ones included, some
// never referenced.
#include <stdio.h>

static int unused_static_fn(int x) __attribute__((used));
static int unused_static_fn(int x) { return x + 1; }
int never_called(void) { return 1234; }
static int counts[4] = {4, 3, 2, 1};
static int zero_area[256];
const char label[] = "sections";
int step(int i);
extern int remote_data[3];

int main(void) {
	int s = 0;
	for (int i = 0; i < 4; i++)
		s += step(counts[i]) + remote_data[i % 3];
	zero_area[255] = s;
	printf("%s: s=%d last=%d\n", label, s, zero_area[255]);
	return 0;
}
