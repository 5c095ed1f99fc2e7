struct reg_entry {
	const char *name;
	int order;
	int (*fn)(void);
};
#define REGISTER(n, o)                                                      \
	static int n##_fn(void) { return o * 11; }                          \
	__attribute__((section("gorc_reg"), used, aligned(8))) static const \
	    struct reg_entry n##_entry = {#n, o, n##_fn};
