/* bench/sharing.sh: is_odd with its own copy of is_even, for the
 * two-controllers-without-sharing floor (same calls, nothing shared). */
__attribute__((noipa)) static int even_self(int n);
__attribute__((noipa)) int is_odd(int n) { return n == 0 ? 0 : even_self(n - 1); }
__attribute__((noipa)) static int even_self(int n) { return n == 0 ? 1 : is_odd(n - 1); }
