#include "csupport.h"
int cair2_csupport_version(void) { return 1; }
