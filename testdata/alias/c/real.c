// Aliases of functions and variables (__attribute__((alias))), used by
// main.c, another module: external, weak, and of a static function.
int real_f(int x) { return 3 * x + 1; }
int alias_f(int) __attribute__((alias("real_f")));
int weak_f(int) __attribute__((weak, alias("real_f")));

static int hidden(int x) { return x - 100; }
int pub_hidden(int) __attribute__((alias("hidden")));

int real_v = 42;
extern int alias_v __attribute__((alias("real_v")));

static int local_counter = 7;
extern int counter_alias __attribute__((alias("local_counter")));
int bump(void) { return ++local_counter; }
