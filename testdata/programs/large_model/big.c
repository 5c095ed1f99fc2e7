int big_table[100];
extern int counter;
long sum_big(int n) {
	long s = 0;
	for (int i = 0; i < n; i++) {
		big_table[i] = i * i + counter;
		s += big_table[i];
	}
	return s;
}
