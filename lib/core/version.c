/* Library version string, from the build (CMake project version). */
#include "c2chain/c2chain.h"

const char *
c2c_version(void)
{
	return C2C_VERSION;
}
