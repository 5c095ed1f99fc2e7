#include <stdexcept>
struct ParseError : std::runtime_error {
	int line;
	ParseError(const std::string &m, int l) : std::runtime_error(m), line(l) {}
};
int thrower(int kind);
void rethrower();
