/* The libdwarf object-access interface over sections we loaded ourselves,
 * so libdwarf never decompresses or relocates anything. */
#include "dwarf/elf_image.h"

#include "util/fail.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

struct sf__dwarf_handle {
	/* dwarf_finish() looks at the first byte of the object to pick a
	 * destructor ('E', 'F', 'M', 'P' are libdwarf's own readers).  We call
	 * dwarf_object_finish() instead, but keep a neutral tag here in case
	 * a caller ever passes our handle to dwarf_finish(). */
	char tag;
	const sf__elf_contents *contents;
	Dwarf_Obj_Access_Interface interface;
	Dwarf_Obj_Access_Methods methods;
	Dwarf_Debug dbg;
};

/* libdwarf skips index 0 (ELF's null section) by convention, so our
 * section i lives at index i + 1 and index 0 reports an unnamed empty one. */
static int get_section_info(void *object, Dwarf_Half index, Dwarf_Obj_Access_Section *out,
			    int *error)
{
	const sf__dwarf_handle *handle = object;
	const sf__dwarf_section *section;

	(void)error;
	memset(out, 0, sizeof(*out));
	if (index == 0) {
		out->name = "";
		return DW_DLV_OK;
	}
	if (index > handle->contents->section_count)
		return DW_DLV_NO_ENTRY;
	section = &handle->contents->sections[index - 1];
	out->type = SHT_PROGBITS;
	out->size = section->size;
	out->name = section->name;
	return DW_DLV_OK;
}

static Dwarf_Endianness get_byte_order(void *object)
{
	const sf__dwarf_handle *handle = object;

	return handle->contents->big_endian ? DW_OBJECT_MSB : DW_OBJECT_LSB;
}

/* Only a hint to libdwarf: each unit header says whether it is 64-bit DWARF. */
static Dwarf_Small get_length_size(void *object)
{
	(void)object;
	return 4;
}

static Dwarf_Small get_pointer_size(void *object)
{
	const sf__dwarf_handle *handle = object;

	return (Dwarf_Small)handle->contents->address_size;
}

static Dwarf_Unsigned get_section_count(void *object)
{
	const sf__dwarf_handle *handle = object;

	return handle->contents->section_count + 1;
}

static int load_section(void *object, Dwarf_Half index, Dwarf_Small **out, int *error)
{
	const sf__dwarf_handle *handle = object;

	(void)error;
	if (index == 0 || index > handle->contents->section_count)
		return DW_DLV_NO_ENTRY;
	/* libdwarf only writes into section bytes when it relocates, and we
	 * give it no relocation method. */
	*out = handle->contents->sections[index - 1].data;
	return DW_DLV_OK;
}

static void free_error(Dwarf_Debug dbg, Dwarf_Error error)
{
	if (error != NULL)
		dwarf_dealloc(dbg, error, DW_DLA_ERROR);
}

int sf__dwarf_handle_open(sf__dwarf_handle **out, const sf__elf_contents *contents,
			  const char *name)
{
	sf__dwarf_handle *handle;
	Dwarf_Error error = NULL;
	int res, code = 0;

	*out = NULL;
	handle = calloc(1, sizeof(*handle));
	if (handle == NULL)
		return sf__fail(SF_ENOMEM, "%s: out of memory", name);
	handle->tag = 'S';
	handle->contents = contents;
	handle->methods.get_section_info = get_section_info;
	handle->methods.get_byte_order = get_byte_order;
	handle->methods.get_length_size = get_length_size;
	handle->methods.get_pointer_size = get_pointer_size;
	handle->methods.get_section_count = get_section_count;
	handle->methods.load_section = load_section;
	handle->methods.relocate_a_section = NULL;
	handle->interface.object = handle;
	handle->interface.methods = &handle->methods;

	/* dwarf_set_de_alloc_flag(0) would speed libdwarf up, but it is
	 * process-wide state and makes dwarf_object_finish() leak whatever
	 * the visitor forgot to dealloc, so it is left alone. */
	res = dwarf_object_init_b(&handle->interface, NULL, NULL, DW_GROUPNUMBER_ANY,
				  &handle->dbg, &error);
	if (res == DW_DLV_NO_ENTRY) {
		code = sf__fail(SF_ENODEBUG,
				"%s: no DWARF debug info (stripped? install its -dbg/-dbgsym package or rebuild with -g)",
				name);
		goto done;
	}
	if (res == DW_DLV_ERROR) {
		code = sf__fail(SF_EINVALID, "%s: libdwarf rejects the DWARF sections: %s", name,
				error ? dwarf_errmsg(error) : "unknown error");
		/* The dbg died inside the failed init; libdwarf keeps such
		 * errors on its own list and accepts a NULL dbg here. */
		free_error(NULL, error);
		handle->dbg = NULL;
		goto done;
	}
	/* Images whose units are all split-DWARF skeletons are refused by the
	 * DIE loader, which reads unit headers without libdwarf's cost of
	 * loading every unit, location and range list up front. */
done:
	if (code) {
		sf__dwarf_handle_close(handle);
		return code;
	}
	*out = handle;
	return 0;
}

Dwarf_Debug sf__dwarf_handle_dbg(const sf__dwarf_handle *handle)
{
	return handle ? handle->dbg : NULL;
}

void sf__dwarf_handle_close(sf__dwarf_handle *handle)
{
	if (handle == NULL)
		return;
	if (handle->dbg != NULL) {
		Dwarf_Error error = NULL;

		if (dwarf_object_finish(handle->dbg, &error) == DW_DLV_ERROR)
			free_error(NULL, error);
	}
	free(handle);
}
