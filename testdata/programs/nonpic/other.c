int other_table[] = {3, 8, 13, 21, 34, 55};
int other_sum(void) {
	int s = 0;
	for (int i = 0; i < 6; i++)
		s += other_table[i];
	return s;
}
