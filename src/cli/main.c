/* structfit command-line entry point (placeholder until the CLI lands). */
#include <structfit/structfit.h>
#include <stdio.h>

int main(void)
{
	printf("structfit %s\n", sf_version());
	return 0;
}
