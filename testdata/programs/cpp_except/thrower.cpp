#include <cstdio>
#include <string>
#include "errs.h"

struct Local {
	int k;
	~Local() { std::printf("unwind thrower local %d\n", k); }
};

static int deep(int kind, int depth) {
	Local l{depth};
	if (depth > 0)
		return deep(kind, depth - 1) + 1;
	switch (kind) {
	case 1: throw ParseError("bad token", 42);
	case 2: throw std::runtime_error("plain runtime error");
	case 3: throw 7;
	case 4: throw 2.5;
	}
	return 100;
}

int thrower(int kind) { return deep(kind, 2); }

void rethrower() {
	try {
		throw std::logic_error("inner logic error");
	} catch (...) {
		std::printf("rethrower caught, rethrowing\n");
		throw;
	}
}
