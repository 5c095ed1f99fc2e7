// vector_at: exceptions thrown from inside libstdc++ (vector::at, stoi,
// string::substr, new of a huge size) caught by JIT'd code.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>
#include <new>

int main() {
	std::vector<int> v{1, 2, 3};
	try {
		std::printf("v.at(1)=%d\n", v.at(1));
		std::printf("v.at(10)=%d\n", v.at(10));
	} catch (const std::out_of_range &e) {
		std::printf("caught out_of_range\n");
	}
	try {
		std::printf("%d\n", std::stoi("not a number"));
	} catch (const std::invalid_argument &e) {
		std::printf("caught invalid_argument\n");
	}
	try {
		std::string s = "short";
		std::printf("%s\n", s.substr(10).c_str());
	} catch (const std::out_of_range &) {
		std::printf("caught substr out_of_range\n");
	}
	try {
		std::vector<char> big;
		big.reserve(big.max_size() + 1);
	} catch (const std::length_error &) {
		std::printf("caught length_error\n");
	}
	return 0;
}
