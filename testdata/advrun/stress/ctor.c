#include "st.h"
static int ctor_ran;
__attribute__((constructor)) static void late_ctor(void) { ctor_ran = 1; fprintf(stderr, "ctor.c constructor\n"); }
__attribute__((destructor)) static void late_dtor(void) { printf("ctor.c destructor\n"); }
int ctor_obj_state(void) { return ctor_ran; }
