int cpp_square(int x);
int c_sum(const int *xs, int n) {
	int s = 0;
	for (int i = 0; i < n; i++)
		s += cpp_square(xs[i]);
	return s;
}
int c_apply(int (*cb)(int), int n) {
	int s = 0;
	for (int i = 1; i <= n; i++)
		s += cb(i);
	return s;
}
