/* Names of ELF machines for messages, from the ABI table's architecture names. */
#include "elf/elf_image.h"

#include "model/target.h"

#include <stdio.h>

void sf__elf_machine_name(uint16_t machine, unsigned address_size, bool big_endian,
			  char *buf, size_t size)
{
	const sf_target *target = sf__target_lookup(machine, address_size, big_endian);

	if (sf__target_is_known(target))
		snprintf(buf, size, "%s", target->arch);
	else
		snprintf(buf, size, "machine %u", (unsigned)machine);
}
