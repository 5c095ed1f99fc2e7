#include <cstdio>
#include <string>

struct Tracer {
	std::string name;
	explicit Tracer(const char *n) : name(n) { std::printf("construct %s\n", name.c_str()); }
	~Tracer() { std::printf("destroy %s\n", name.c_str()); }
};

Tracer other("other-global");
static std::string reg = std::string("reg-") + "istry";
Tracer &other_global() { return other; }
const std::string &registry_name() { return reg; }
