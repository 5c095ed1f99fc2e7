#include "shared.h"
Shape *make_a(int which) { return which ? static_cast<Shape *>(new Square(twice(1.5))) : new Shape; }
int bump_from_a() { global_inline_var += 1; return counter_bump(); }
