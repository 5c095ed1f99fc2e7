long fib(int n);
int gcd(int a, int b);
int is_even(int n);
int is_odd(int n);
long sum_table(void);
extern int table[8];
