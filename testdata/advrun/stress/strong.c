#include "st.h"
int weakfn(int x) { return x * 2; }
