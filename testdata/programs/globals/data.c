struct entry {
	const char *name;
	int *value;
	int (*get)(void);
};

int bump(void);
static int a = 10, b = 20;
int c = 30;
static int get_a(void) { return a * 2; }
static int get_b(void) { return b * 2; }

struct entry entries[] = {
	{"a", &a, get_a},
	{"b", &b, get_b},
	{"c", &c, bump},
};
int nentries = sizeof entries / sizeof entries[0];
int *shared_ptr = &c;
char message[] = "mutable message";
