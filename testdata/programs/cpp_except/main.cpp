// cpp_except: exceptions thrown in one object and caught in another,
// class hierarchies, rethrow, catch(...), RAII unwinding across frames.
#include <cstdio>
#include <stdexcept>
#include <string>
#include "errs.h"

struct Guard {
	const char *n;
	explicit Guard(const char *n) : n(n) {}
	~Guard() { std::printf("unwind %s\n", n); }
};

int main() {
	for (int i = 0; i < 5; i++) {
		try {
			Guard g("loop");
			std::printf("result %d\n", thrower(i));
		} catch (const ParseError &e) {
			std::printf("caught ParseError line=%d what=%s\n", e.line, e.what());
		} catch (const std::runtime_error &e) {
			std::printf("caught runtime_error: %s\n", e.what());
		} catch (int v) {
			std::printf("caught int %d\n", v);
		} catch (...) {
			std::printf("caught something else\n");
		}
	}
	try {
		rethrower();
	} catch (const std::exception &e) {
		std::printf("rethrown: %s\n", e.what());
	}
	return 0;
}
