#include "shared.h"
Shape *make_b(int which) { return which ? static_cast<Shape *>(new Square(2)) : new Shape; }
int bump_from_b() { global_inline_var += 100; return counter_bump(); }
std::vector<std::string> names_b() {
	std::vector<std::string> v;
	for (int i = 0; i < 3; i++)
		v.push_back(twice(std::string(1, char('a' + i))));
	return v;
}
