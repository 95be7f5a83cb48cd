/* The library version string. */
#include <structfit/structfit.h>

const char *sf_version(void)
{
	return STRUCTFIT_VERSION;
}
