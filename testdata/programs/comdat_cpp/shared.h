#include <string>
#include <vector>

inline int counter_bump() {
	static int n = 0;
	return ++n;
}

inline int global_inline_var = 0;

template <typename T> T twice(T x) { return x + x; }

struct Shape {
	virtual ~Shape() {}
	virtual std::string name() const { return "shape"; }
	virtual double area() const { return 0; }
};

struct Square : Shape {
	double s;
	explicit Square(double s) : s(s) {}
	std::string name() const override { return "square"; }
	double area() const override { return s * s; }
};

Shape *make_a(int which);
Shape *make_b(int which);
int bump_from_a();
int bump_from_b();
std::vector<std::string> names_b();
