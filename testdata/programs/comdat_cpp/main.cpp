// comdat_cpp: inline functions with static locals, inline variables,
// templates and vtables/typeinfo instantiated in several objects (COMDAT
// groups): one copy must win everywhere.
#include <cstdio>
#include <typeinfo>
#include "shared.h"

int main() {
	counter_bump();
	bump_from_a();
	bump_from_b();
	std::printf("counter after 3 bumps: %d\n", counter_bump() - 1);
	global_inline_var += 10;
	std::printf("inline var: %d %d\n", global_inline_var, bump_from_a());
	std::printf("twice: %d %.1f %s\n", twice(21), twice(1.25), twice(std::string("ab")).c_str());
	Shape *a = make_a(1), *b = make_b(1);
	std::printf("%s %.1f / %s %.1f\n", a->name().c_str(), a->area(), b->name().c_str(), b->area());
	std::printf("same typeinfo: %d, dynamic_cast ok: %d\n", typeid(*a) == typeid(*b), dynamic_cast<Square *>(b) != nullptr);
	delete a;
	delete b;
	for (auto &n : names_b())
		std::printf("name %s\n", n.c_str());
	return 0;
}
