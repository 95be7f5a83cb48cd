/* Applying the relocations of relocatable objects (.o, .ko) to their DWARF
 * sections, for the handful of relocation kinds compilers put there. */
#include "elf/elf_image.h"

#include "util/checked.h"
#include "util/fail.h"

#include <string.h>

/* Newer than some <elf.h> copies. */
#ifndef R_RISCV_SET_ULEB128
#define R_RISCV_SET_ULEB128 60
#endif
#ifndef R_RISCV_SUB_ULEB128
#define R_RISCV_SUB_ULEB128 61
#endif
#ifndef R_AARCH64_TLS_DTPREL
#define R_AARCH64_TLS_DTPREL 1029
#endif

typedef enum reloc_kind {
	RELOC_UNKNOWN,
	RELOC_IGNORE,
	RELOC_ABS,       /* S + A, `width` bytes */
	RELOC_ADD,       /* location += S + A */
	RELOC_SUB,       /* location -= S + A */
	RELOC_SET6,      /* low 6 bits = S + A */
	RELOC_SUB6,      /* low 6 bits -= S + A */
	RELOC_SET_ULEB,  /* ULEB128 in place = S + A, keeping its length */
	RELOC_SUB_ULEB   /* ULEB128 in place -= S + A */
} reloc_kind;

typedef struct reloc_how {
	reloc_kind kind;
	unsigned width;
} reloc_how;

/* TLS offsets appear in .debug_info locations of thread-local variables;
 * their value is the symbol's offset in its section, like an absolute one
 * against a section at address 0. */
static reloc_how classify(uint16_t machine, bool is64, uint32_t type)
{
	switch (machine) {
	case EM_X86_64:
		switch (type) {
		case R_X86_64_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_X86_64_64:
		case R_X86_64_DTPOFF64: return (reloc_how){ RELOC_ABS, 8 };
		case R_X86_64_32:
		case R_X86_64_32S:
		case R_X86_64_DTPOFF32: return (reloc_how){ RELOC_ABS, 4 };
		}
		break;
	case EM_386:
		switch (type) {
		case R_386_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_386_32:
		case R_386_TLS_LDO_32: return (reloc_how){ RELOC_ABS, 4 };
		}
		break;
	case EM_ARM:
		switch (type) {
		case R_ARM_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_ARM_ABS32:
		case R_ARM_TLS_LDO32: return (reloc_how){ RELOC_ABS, 4 };
		}
		break;
	case EM_AARCH64:
		if (!is64)
			break;  /* ILP32 numbers its relocations differently */
		switch (type) {
		case R_AARCH64_NONE:
		case 256: return (reloc_how){ RELOC_IGNORE, 0 };  /* R_AARCH64_NONE (old) */
		case R_AARCH64_ABS64:
		case R_AARCH64_TLS_DTPREL: return (reloc_how){ RELOC_ABS, 8 };
		case R_AARCH64_ABS32: return (reloc_how){ RELOC_ABS, 4 };
		case R_AARCH64_ABS16: return (reloc_how){ RELOC_ABS, 2 };
		}
		break;
	case EM_S390:
		switch (type) {
		case R_390_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_390_64:
		case R_390_TLS_LDO64: return (reloc_how){ RELOC_ABS, 8 };
		case R_390_32:
		case R_390_TLS_LDO32: return (reloc_how){ RELOC_ABS, 4 };
		}
		break;
	case EM_PPC64:
		switch (type) {
		case R_PPC64_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_PPC64_ADDR64:
		case R_PPC64_UADDR64:
		case R_PPC64_DTPREL64: return (reloc_how){ RELOC_ABS, 8 };
		case R_PPC64_ADDR32:
		case R_PPC64_UADDR32: return (reloc_how){ RELOC_ABS, 4 };
		case R_PPC64_ADDR16:
		case R_PPC64_UADDR16: return (reloc_how){ RELOC_ABS, 2 };
		}
		break;
	case EM_PPC:
		switch (type) {
		case R_PPC_NONE: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_PPC_ADDR32:
		case R_PPC_UADDR32:
		case R_PPC_DTPREL32: return (reloc_how){ RELOC_ABS, 4 };
		case R_PPC_ADDR16:
		case R_PPC_UADDR16: return (reloc_how){ RELOC_ABS, 2 };
		}
		break;
	case EM_RISCV:
		switch (type) {
		case R_RISCV_NONE:
		case R_RISCV_RELAX: return (reloc_how){ RELOC_IGNORE, 0 };
		case R_RISCV_64:
		case R_RISCV_TLS_DTPREL64: return (reloc_how){ RELOC_ABS, 8 };
		case R_RISCV_32:
		case R_RISCV_TLS_DTPREL32: return (reloc_how){ RELOC_ABS, 4 };
		case R_RISCV_SET32: return (reloc_how){ RELOC_ABS, 4 };
		case R_RISCV_SET16: return (reloc_how){ RELOC_ABS, 2 };
		case R_RISCV_SET8: return (reloc_how){ RELOC_ABS, 1 };
		case R_RISCV_ADD64: return (reloc_how){ RELOC_ADD, 8 };
		case R_RISCV_ADD32: return (reloc_how){ RELOC_ADD, 4 };
		case R_RISCV_ADD16: return (reloc_how){ RELOC_ADD, 2 };
		case R_RISCV_ADD8: return (reloc_how){ RELOC_ADD, 1 };
		case R_RISCV_SUB64: return (reloc_how){ RELOC_SUB, 8 };
		case R_RISCV_SUB32: return (reloc_how){ RELOC_SUB, 4 };
		case R_RISCV_SUB16: return (reloc_how){ RELOC_SUB, 2 };
		case R_RISCV_SUB8: return (reloc_how){ RELOC_SUB, 1 };
		case R_RISCV_SET6: return (reloc_how){ RELOC_SET6, 1 };
		case R_RISCV_SUB6: return (reloc_how){ RELOC_SUB6, 1 };
		case R_RISCV_SET_ULEB128: return (reloc_how){ RELOC_SET_ULEB, 1 };
		case R_RISCV_SUB_ULEB128: return (reloc_how){ RELOC_SUB_ULEB, 1 };
		}
		break;
	}
	return (reloc_how){ RELOC_UNKNOWN, 0 };
}

static uint64_t get_uint(const unsigned char *p, unsigned width, bool big_endian)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < width; i++)
		value |= (uint64_t)p[big_endian ? width - 1 - i : i] << (8 * i);
	return value;
}

static void put_uint(unsigned char *p, unsigned width, bool big_endian, uint64_t value)
{
	for (unsigned i = 0; i < width; i++)
		p[big_endian ? width - 1 - i : i] = (unsigned char)(value >> (8 * i));
}

/* Length of the ULEB128 at p, or 0 when it runs past `available` bytes. */
static size_t uleb_length(const unsigned char *p, uint64_t available)
{
	for (size_t i = 0; i < available && i < 10; i++)
		if (!(p[i] & 0x80))
			return i + 1;
	return 0;
}

static uint64_t uleb_read(const unsigned char *p, size_t length)
{
	uint64_t value = 0;

	for (size_t i = 0; i < length; i++)
		value |= (uint64_t)(p[i] & 0x7f) << (7 * i);
	return value;
}

/* Rewrites in the same number of bytes; the linker does the same, so
 * padding bytes (0x80 ... 0x00) keep their meaning. */
static void uleb_write(unsigned char *p, size_t length, uint64_t value)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char byte = (unsigned char)(7 * i < 64 ? (value >> (7 * i)) & 0x7f : 0);

		p[i] = i + 1 < length ? byte | 0x80 : byte;
	}
}

typedef struct symbol_table {
	Elf_Data *symbols;
	Elf_Data *extended_indexes;  /* SHT_SYMTAB_SHNDX, or NULL */
	size_t count;
} symbol_table;

static int load_symbols(Elf *elf, const char *name, size_t symtab_index, size_t shnum,
			uint64_t image_size, symbol_table *table)
{
	Elf_Scn *scn = elf_getscn(elf, symtab_index);
	GElf_Shdr shdr;
	uint64_t end;
	size_t entry_size = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);

	memset(table, 0, sizeof(*table));
	if (scn == NULL || gelf_getshdr(scn, &shdr) == NULL ||
	    (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM) || entry_size == 0)
		return sf__fail(SF_EINVALID, "%s: relocations refer to a bad symbol table", name);
	if (!sf__add_u64(shdr.sh_offset, shdr.sh_size, &end) || end > image_size)
		return sf__fail(SF_EINVALID, "%s: symbol table extends beyond the end of the file",
				name);
	table->symbols = elf_getdata(scn, NULL);
	if (table->symbols == NULL)
		return sf__fail(SF_EINVALID, "%s: cannot read the symbol table: %s", name,
				elf_errmsg(-1));
	table->count = table->symbols->d_size / entry_size;

	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *other = elf_getscn(elf, i);
		GElf_Shdr other_shdr;

		if (other == NULL || gelf_getshdr(other, &other_shdr) == NULL ||
		    other_shdr.sh_type != SHT_SYMTAB_SHNDX || other_shdr.sh_link != symtab_index)
			continue;
		if (!sf__add_u64(other_shdr.sh_offset, other_shdr.sh_size, &end) || end > image_size)
			return sf__fail(SF_EINVALID,
					"%s: extended section index table extends beyond the end of the file",
					name);
		table->extended_indexes = elf_getdata(other, NULL);
		break;
	}
	return 0;
}

/* In ET_REL every section sits at address 0, so a symbol's value is its
 * offset in its section, plus where that section landed if we merged it. */
static int symbol_value(const symbol_table *table, const char *name, const char *rel_name,
			size_t index, size_t shnum, const sf__section_place *places,
			uint64_t *value)
{
	GElf_Sym sym;
	Elf32_Word extended = 0;
	size_t shndx;

	if (index == 0) {
		*value = 0;
		return 0;
	}
	if (index >= table->count ||
	    gelf_getsymshndx(table->symbols, table->extended_indexes, (int)index, &sym,
			     &extended) == NULL)
		return sf__fail(SF_EINVALID, "%s: bad symbol index %zu in %s", name, index, rel_name);
	*value = sym.st_value;
	if (sym.st_shndx == SHN_XINDEX)
		shndx = extended;
	else if (sym.st_shndx < SHN_LORESERVE)
		shndx = sym.st_shndx;
	else
		return 0;
	if (shndx != SHN_UNDEF && shndx < shnum && places[shndx].out != SF__NOT_PLACED)
		*value += places[shndx].base;
	return 0;
}

static int apply_one(reloc_how how, unsigned char *location, uint64_t available,
		     bool big_endian, bool is_rela, int64_t addend, uint64_t symbol)
{
	uint64_t value;

	switch (how.kind) {
	case RELOC_ABS:
		if (!is_rela)
			addend = (int64_t)get_uint(location, how.width, big_endian);
		put_uint(location, how.width, big_endian, symbol + (uint64_t)addend);
		return 0;
	case RELOC_ADD:
		value = get_uint(location, how.width, big_endian);
		put_uint(location, how.width, big_endian, value + symbol + (uint64_t)addend);
		return 0;
	case RELOC_SUB:
		value = get_uint(location, how.width, big_endian);
		put_uint(location, how.width, big_endian, value - symbol - (uint64_t)addend);
		return 0;
	case RELOC_SET6:
		*location = (unsigned char)((*location & 0xc0) | ((symbol + (uint64_t)addend) & 0x3f));
		return 0;
	case RELOC_SUB6:
		*location = (unsigned char)((*location & 0xc0) |
					    ((*location - symbol - (uint64_t)addend) & 0x3f));
		return 0;
	case RELOC_SET_ULEB:
	case RELOC_SUB_ULEB: {
		size_t length = uleb_length(location, available);

		if (length == 0)
			return -1;
		value = how.kind == RELOC_SET_ULEB
			? symbol + (uint64_t)addend
			: uleb_read(location, length) - symbol - (uint64_t)addend;
		uleb_write(location, length, value);
		return 0;
	}
	case RELOC_UNKNOWN:
	case RELOC_IGNORE:
		break;
	}
	return 0;
}

static int apply_section(Elf *elf, const char *name, Elf_Scn *scn, const GElf_Shdr *shdr,
			 const char *rel_name, const GElf_Ehdr *ehdr, size_t shnum,
			 uint64_t image_size, const sf__section_place *places,
			 sf__dwarf_section *sections)
{
	const sf__section_place *target = &places[shdr->sh_info];
	sf__dwarf_section *section = &sections[target->out];
	bool is_rela = shdr->sh_type == SHT_RELA;
	bool is64 = ehdr->e_ident[EI_CLASS] == ELFCLASS64;
	bool big_endian = ehdr->e_ident[EI_DATA] == ELFDATA2MSB;
	const unsigned char *bytes;
	uint64_t bytes_size;
	size_t entry_size, count;
	symbol_table table;
	Elf_Data *data;
	int error;

	error = sf__elf_section_bytes(scn, shdr, rel_name, image_size, name, &bytes, &bytes_size);
	if (error || bytes == NULL)
		return error;
	data = elf_getdata(scn, NULL);
	entry_size = gelf_fsize(elf, is_rela ? ELF_T_RELA : ELF_T_REL, 1, EV_CURRENT);
	if (data == NULL || entry_size == 0)
		return sf__fail(SF_EINVALID, "%s: cannot read %s: %s", name, rel_name,
				elf_errmsg(-1));
	count = data->d_size / entry_size;
	if (shdr->sh_link >= shnum)
		return sf__fail(SF_EINVALID, "%s: %s links to a bad symbol table", name, rel_name);
	error = load_symbols(elf, name, shdr->sh_link, shnum, image_size, &table);
	if (error)
		return error;

	for (size_t i = 0; i < count; i++) {
		GElf_Rela rela;
		uint64_t offset, end, symbol = 0;
		uint32_t type;
		reloc_how how;

		if (is_rela) {
			if (gelf_getrela(data, (int)i, &rela) == NULL)
				return sf__fail(SF_EINVALID, "%s: bad entry %zu in %s", name, i,
						rel_name);
		} else {
			GElf_Rel rel;

			if (gelf_getrel(data, (int)i, &rel) == NULL)
				return sf__fail(SF_EINVALID, "%s: bad entry %zu in %s", name, i,
						rel_name);
			rela.r_offset = rel.r_offset;
			rela.r_info = rel.r_info;
			rela.r_addend = 0;
		}
		/* gelf widens 32-bit r_info to the 64-bit layout. */
		type = (uint32_t)GELF_R_TYPE(rela.r_info);
		how = classify(ehdr->e_machine, is64, type);
		if (how.kind == RELOC_IGNORE)
			continue;
		if (how.kind == RELOC_UNKNOWN) {
			char machine[32];

			sf__elf_machine_name(ehdr->e_machine, is64 ? 8 : 4, big_endian,
					     machine, sizeof(machine));
			return sf__fail(SF_EUNSUPPORTED,
					"%s: unsupported relocation type %u for %s in %s",
					name, (unsigned)type, machine, rel_name);
		}
		offset = rela.r_offset;
		if (!sf__add_u64(offset, how.width, &end) || end > target->size)
			return sf__fail(SF_EINVALID,
					"%s: relocation %zu in %s points outside its section",
					name, i, rel_name);
		error = symbol_value(&table, name, rel_name,
				     GELF_R_SYM(rela.r_info),
				     shnum, places, &symbol);
		if (error)
			return error;
		if (apply_one(how, section->data + target->base + offset, target->size - offset,
			      big_endian, is_rela, rela.r_addend, symbol) != 0)
			return sf__fail(SF_EINVALID,
					"%s: relocation %zu in %s points at a bad ULEB128",
					name, i, rel_name);
	}
	return 0;
}

int sf__elf_relocate(Elf *elf, const char *name, const GElf_Ehdr *ehdr, size_t shnum,
		     size_t shstrndx, uint64_t image_size,
		     const sf__section_place *places, sf__dwarf_section *sections)
{
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		GElf_Shdr shdr;
		const char *rel_name;
		int error;

		if (scn == NULL || gelf_getshdr(scn, &shdr) == NULL)
			return sf__fail(SF_EINVALID, "%s: bad section header %zu: %s", name, i,
					elf_errmsg(-1));
		if (shdr.sh_type != SHT_RELA && shdr.sh_type != SHT_REL)
			continue;
		if (shdr.sh_info == 0 || shdr.sh_info >= shnum ||
		    places[shdr.sh_info].out == SF__NOT_PLACED)
			continue;
		rel_name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (rel_name == NULL)
			rel_name = "a relocation section";
		error = apply_section(elf, name, scn, &shdr, rel_name, ehdr, shnum, image_size,
				      places, sections);
		if (error)
			return error;
	}
	return 0;
}
