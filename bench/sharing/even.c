/* bench/sharing.sh: is_even calls is_odd, which another controller links. */
int is_odd(int);
int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
