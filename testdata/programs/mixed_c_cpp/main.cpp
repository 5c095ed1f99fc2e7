// mixed_c_cpp: C and C++ objects together: extern "C" interfaces, a C
// function calling back into C++, and a C++ exception thrown through C
// frames (gcc emits .eh_frame for C code on x86-64).
#include <cstdio>
#include <stdexcept>
#include <vector>

extern "C" int c_apply(int (*cb)(int), int n);
extern "C" int c_sum(const int *xs, int n);

static int cb(int x) {
	if (x == 4)
		throw std::domain_error("four is not allowed");
	return x * x;
}

extern "C" int cpp_square(int x) { return x * x; }

int main() {
	std::vector<int> v{1, 2, 3, 4, 5};
	std::printf("c_sum=%d\n", c_sum(v.data(), (int)v.size()));
	std::printf("c_apply(3)=%d\n", c_apply(cb, 3));
	try {
		std::printf("c_apply(6)=%d\n", c_apply(cb, 6));
	} catch (const std::exception &e) {
		std::printf("caught through C frames: %s\n", e.what());
	}
	return 0;
}
