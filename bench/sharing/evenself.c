/* bench/sharing.sh: is_even with its own copy of is_odd, for the
 * two-controllers-without-sharing floor (same calls, nothing shared). */
__attribute__((noipa)) static int odd_self(int n);
__attribute__((noipa)) int is_even(int n) { return n == 0 ? 1 : odd_self(n - 1); }
__attribute__((noipa)) static int odd_self(int n) { return n == 0 ? 0 : is_even(n - 1); }
