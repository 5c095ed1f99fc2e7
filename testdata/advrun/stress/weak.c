#include "st.h"
__attribute__((weak)) int weakfn(int x) { return x + 1000; }
