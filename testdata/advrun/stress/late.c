/* only functions, called only at the end: linked lazily with -lazy; pulls
   arch_only from libst.a, whose member has a constructor */
#include "st.h"
int ctor_obj_state(void);
void late_tests(void) { printf("late ctor_obj=%d arch_only=%d\n", ctor_obj_state(), arch_only(6)); }
