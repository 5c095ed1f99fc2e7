// cpp_globals: C++ global objects with constructors and destructors in two
// objects, function-local statics (guards, __cxa_atexit with __dso_handle),
// destruction in reverse order of construction.
#include <cstdio>
#include <string>

struct Tracer {
	std::string name;
	explicit Tracer(const char *n) : name(n) { std::printf("construct %s\n", name.c_str()); }
	~Tracer() { std::printf("destroy %s\n", name.c_str()); }
};

Tracer g1("main-global-1");
static Tracer g2("main-global-2");
extern Tracer &other_global();
const std::string &registry_name();

Tracer &lazy() {
	static Tracer t("function-local-static");
	return t;
}

int main() {
	std::printf("main starts, other=%s\n", other_global().name.c_str());
	std::printf("lazy=%s\n", lazy().name.c_str());
	std::printf("registry=%s\n", registry_name().c_str());
	return 0;
}
