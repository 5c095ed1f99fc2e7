// except_cold: at -O2 and above gcc moves catch blocks and unlikely paths to
// .text.unlikely (main.cold); the unwinder must find them. Built with -O2 in
// every mode.
#include <cstdio>
#include <stdexcept>

__attribute__((noinline)) int risky(int x) {
	if (__builtin_expect(x % 3 == 0, 0))
		throw std::runtime_error("multiple of three");
	return x * 2;
}

__attribute__((noinline)) int guarded(int x) {
	try {
		return risky(x);
	} catch (const std::exception &e) {
		std::printf("cold catch for %d: %s\n", x, e.what());
		return -1;
	}
}

int main() {
	int sum = 0;
	for (int i = 1; i <= 7; i++)
		sum += guarded(i);
	std::printf("sum=%d\n", sum);
	return 0;
}
