// Classes with out-of-line constructors and destructors: clang++ emits
// the complete-object ones (C1, D1) as aliases of the base-object ones
// (C2, D2), which main.cpp, another module, calls.
#include <string>

struct Shape {
	std::string name;
	int id;
	Shape(const std::string &name, int id);
	virtual ~Shape();
	virtual int area() const;
	std::string describe() const;
	static int live;
};

struct Square : Shape {
	int side;
	explicit Square(int side);
	~Square() override;
	int area() const override;
};
