int remote_data[3] = {100, 200, 300};
static int scale = 3;
int step(int i) { return i * scale; }
int also_unused(void) { return scale; }
