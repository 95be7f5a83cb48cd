/* Our own DWARF 2-5 reader over section bytes: unit tables, abbreviations, attribute forms. */
#ifndef SF_DWARF_DIE_READER_H
#define SF_DWARF_DIE_READER_H

#include <dwarf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf/input.h"
#include "util/arena.h"
#include "util/hash.h"

/*
 * libdwarf allocates and registers every DIE and attribute it hands out
 * and keeps global state, which made it both the hot spot of a vmlinux
 * load and unusable from several threads.  This reader decodes the bytes
 * directly: an sf_dw_image is built once per image and is read-only
 * afterwards, so any number of threads may share it; everything mutable
 * (decoded abbreviation tables) lives in an sf_dw_cursor per thread.
 * Every read is bounded by the end of its unit or section.
 */

/* Where a DIE lives: the image's .debug_info, its .debug_types, or the
 * .debug_info of its dwz supplementary file. */
enum sf_dw_space {
	SF_DW_INFO = 0,
	SF_DW_TYPES = 1,
	SF_DW_ALT = 2,
	SF_DW_SPACES = 3
};

/* One unit header.  Invariants: offset < die_offset <= end <= section size. */
typedef struct sf_dw_unit {
	uint64_t offset;            /* of the header */
	uint64_t end;               /* one past the unit's last byte */
	uint64_t die_offset;        /* root DIE */
	uint64_t abbrev_offset;
	/* Default of DW_AT_str_offsets_base (the root DIE's wins): after the
	 * section header in DWARF 5, 0 for DWARF 4's DW_FORM_GNU_str_index;
	 * in a .dwp, plus the unit's contribution (die_dwp.c). */
	uint64_t str_offsets_base;
	uint64_t line_base;         /* .dwp: start of the unit's .debug_line.dwo contribution */
	uint64_t signature;         /* type units */
	uint64_t dwo_id;            /* split units: DWARF 5 header, or the .dwp index row */
	uint64_t type_offset;       /* type units: section offset of the type DIE */
	uint8_t version;
	uint8_t offset_size;        /* 4 or 8 */
	uint8_t address_size;
	uint8_t unit_type;          /* DW_UT_*; DWARF 4 type units say DW_UT_type */
	uint8_t space;              /* enum sf_dw_space */
} sf_dw_unit;

typedef struct sf_dw_section_set {
	const sf_dwarf_sections *bytes;
	bool big_endian;
} sf_dw_section_set;

typedef struct sf_dw_space_units {
	const uint8_t *data;        /* the section holding the units */
	uint64_t size;
	const sf_dwarf_sections *sections; /* abbrev, str... of the same file */
	sf_dw_unit *units;          /* sorted by offset */
	size_t count;
	bool file_backed;           /* see sf_dwarf_bytes.file_backed */
} sf_dw_space_units;

typedef struct sf_dw_signature {
	uint64_t signature;
	uint64_t die_offset;
	uint8_t space;
} sf_dw_signature;

typedef struct sf_dw_image {
	const char *name;           /* for messages */
	bool big_endian;
	sf_dw_space_units spaces[SF_DW_SPACES];
	sf_dw_signature *signatures; /* sorted by signature */
	size_t signature_count;
	const char *alt_str;        /* dwz .debug_str for DW_FORM_GNU_strp_alt */
	uint64_t alt_str_size;
	/* .debug_info's units while they are listed as its bytes arrive
	 * (die_feed.c); owned, NULL unless opened for that, with the calls
	 * the lookups here make on it. */
	struct sf_dw_feed *feed;
	const struct sf_dw_feed_ops *feed_ops;
	/* Until sf__dw_feed_finish(): spaces[SF_DW_INFO].units is empty
	 * and lookups go through `feed`. */
	bool streaming;
} sf_dw_image;

/* Lists every unit of the image (and of its dwz file); of .debug_info only
 * those starting before `info_limit`.  Waits for sections still being
 * inflated.  Returns 0, SF_EINVALID (corrupt header, or a section that
 * does not inflate) or SF_ENOMEM. */
int sf__dw_image_open(sf_dw_image *out, const sf_debug_image *image, uint64_t info_limit);
void sf__dw_image_close(sf_dw_image *image);

/*
 * The unit lookups a streaming image makes wait for the listing.  The
 * feed (die_feed.c) sits above this unit list and hands these calls down
 * when it opens an image, so the list never calls up into it.
 */
struct sf_dw_feed;
typedef struct sf_dw_feed_ops {
	/* The units listed so far once the one holding `offset` is (or all are). */
	void (*view)(struct sf_dw_feed *feed, uint64_t offset, const sf_dw_unit **units, size_t *count);
	void (*wait_all)(struct sf_dw_feed *feed);
	void (*free)(struct sf_dw_feed *feed);
} sf_dw_feed_ops;

/* A split-DWARF skeleton unit of the main file: its types live in a
 * .dwo file or a .dwp package (die_skeleton.c).  Strings are borrowed
 * from the image's sections. */
typedef struct sf_dw_skeleton {
	uint64_t offset;            /* of the unit header in .debug_info */
	const char *dwo_name;       /* DW_AT_dwo_name or DW_AT_GNU_dwo_name */
	const char *comp_dir;       /* NULL when absent */
	const char *name;           /* DW_AT_name, for messages; may be NULL */
	uint64_t dwo_id;
	uint64_t stmt_list;         /* its line table in .debug_line, when has_lines */
	bool has_id;
	bool has_lines;
} sf_dw_skeleton;

/*
 * The skeleton units of the image's .debug_info (units naming a .dwo
 * whose root has no children), in section order; *out is NULL when there
 * are none.  Cheap for files without split DWARF: one header and one
 * abbreviation entry per unit.  Returns 0 or SF_ENOMEM; a corrupt header
 * ends the listing quietly (the walk reports it in context).
 */
int sf__dw_skeletons(const sf_debug_image *image, sf_dw_skeleton **out, size_t *count);
/* Whether the unit's header leaves it possibly a skeleton: a DWARF 5
 * DW_UT_skeleton, or a DWARF 4 compile unit, whose root's abbreviation
 * sf__dw_skeletons() then reads to tell. */
static inline bool sf__dw_unit_may_be_skeleton(const sf_dw_unit *u)
{
	return u->unit_type == DW_UT_skeleton || u->version < 5;
}

/*
 * Hands back to the kernel the whole pages of [from, to) of `space` when
 * they are the file's own (sf_dwarf_bytes.file_backed), which keeps a big
 * file's DIEs from staying resident once walked; reading them again
 * faults them back in unchanged.  Does nothing otherwise.
 */
void sf__dw_drop_pages(const sf_dw_image *image, unsigned space, uint64_t from, uint64_t to);
/* How far a pass over unit headers reads before dropping what it passed. */
#define SF_DW_DROP_STEP (UINT64_C(8) << 20)

/* The unit of `space` containing section offset `offset`, or NULL. */
const sf_dw_unit *sf__dw_unit_at(const sf_dw_image *image, unsigned space, uint64_t offset);
/* The type DIE of a type unit by signature; false when unknown. */
bool sf__dw_signature_find(const sf_dw_image *image, uint64_t signature, unsigned *space,
			   uint64_t *die_offset);

typedef struct sf_dw_spec {
	uint16_t name;
	uint16_t form;
	/* From the first attribute byte; -1 after a variable-size form (or
	 * past SF_DW_FIXED_LIMIT).  Bit-fields: a vmlinux load keeps every
	 * unit's table, and a wider spec showed in peak RSS. */
	signed int fixed_offset : 24;
	/* Bytes of a form sf__dw_value_fast() decodes (0, 1, 2, 4, 8),
	 * else -1. */
	signed int fast_width : 8;
	int64_t implicit_const;
} sf_dw_spec;

/*
 * What a small raw digest (die_digest_attrs.c's mix_attrs_small()) does with
 * each attribute it looks at, worked out per declaration so that a DIE
 * costs no form or name tests: sf_dw_abbrev.small_ops.
 */
enum {
	SF_DW_SMALL_REF,            /* DW_FORM_ref1..ref8: by what it refers to */
	SF_DW_SMALL_FILE,           /* DW_AT_decl_file: by the file's name */
	SF_DW_SMALL_EXTERNAL,       /* DW_AT_external as DW_FORM_flag */
	SF_DW_SMALL_DECLARATION,    /* DW_AT_declaration as DW_FORM_flag */
	SF_DW_SMALL_STRP,           /* a .debug_str offset: its bound only */
	SF_DW_SMALL_OTHER           /* decoded and mixed in full */
};
#define SF_DW_SMALL_OPS 6
/* sf_dw_abbrev.small_shape: which of these steps there are. */
#define SF_DW_SHAPE_NAME 1u       /* small_ops[0] is SF_DW_SMALL_STRP */
#define SF_DW_SHAPE_FILE 2u       /* next, SF_DW_SMALL_FILE */
#define SF_DW_SHAPE_REF 4u        /* last, SF_DW_SMALL_REF */
typedef struct sf_dw_small_op {
	uint8_t kind;               /* SF_DW_SMALL_* */
	uint8_t at;                 /* its first byte after the code (the name: string_led) */
	uint8_t width;              /* its bytes: 1, 2, 4 or 8 (0 for OTHER only) */
	uint8_t spec;               /* index in sf_dw_abbrev.specs */
} sf_dw_small_op;

/*
 * Attributes no struct digest takes in (die_digest.c): DW_AT_sibling only
 * links the tree, and where a definition stands in its source (line,
 * column) the merge never compares: of equal layouts it keeps the first
 * met (sf__struct_same()), so a digest hit on a definition from another
 * line yields the very definition the merge would have kept.  Leaving
 * them out lets python3.11's deepfreeze.c, 7,720 struct types on as many
 * lines of which 1,209 differ otherwise, build each of those once.
 */
static inline bool sf__dw_digest_skips(uint16_t name)
{
	return name == DW_AT_sibling || name == DW_AT_decl_line || name == DW_AT_decl_column;
}

/* Largest fixed attribute size a digest hashes as raw bytes. */
#define SF_DW_RAW_LIMIT 64

/* Largest fixed_offset kept; no real abbreviation comes near it. */
#define SF_DW_FIXED_LIMIT ((1 << 23) - 1)

typedef struct sf_dw_abbrev {
	uint64_t code;
	uint16_t tag;
	bool has_children;
	bool has_indirect;          /* a DW_FORM_indirect spec (see list_lo) */
	int32_t fixed_size;         /* bytes of all attributes, -1 when variable */
	uint32_t spec_count;
	/* Every spec has a fixed offset (and there is one): sf__dw_attr()
	 * finds values without decoding the DIE. */
	bool all_fixed;
	/* Bit (name % 64) set for each spec's name: most lookups of an
	 * attribute a DIE lacks end here. */
	uint64_t name_bits;
	/* Whether a digest may hash the attribute bytes as they are
	 * (die_digest.c): no DW_FORM_indirect, at most SF_DW_RAW_LIMIT bytes
	 * of fixed size, and every attribute in `special` of a form
	 * sf__dw_value_fast() decodes. */
	bool raw_digest;
	/* raw_digest with at most 16 attribute bytes: raw_keep and raw_act
	 * are set (see below). */
	bool raw_small;
	const sf_dw_spec *specs;
	/* Specs (bit i: specs[i], for i < 64) whose bytes are not their
	 * identity or that the digest must look at: those it skips
	 * (sf__dw_digest_skips()), references, strings, DW_AT_decl_file,
	 * DW_AT_external and DW_AT_declaration. */
	uint64_t special;
	/* For raw_small, where a .debug_str offset stands for its text: the
	 * bytes of the two attribute words the digest takes as they are
	 * (bits of the others, and of bytes past fixed_size, clear), and
	 * the specs of `special` it still looks at (all but those it skips). */
	uint64_t raw_keep[2];
	uint64_t raw_act;
	/* raw_act as steps, in spec order, and the flags that are set by
	 * DW_FORM_flag_present (bit 0 external, bit 1 declaration); a
	 * declaration with more steps than fit is not raw_small. */
	sf_dw_small_op small_ops[SF_DW_SMALL_OPS];
	uint8_t small_count;
	uint8_t small_flags;
	/* SF_DW_SHAPE_* bits when the steps are, in this order, some of
	 * strp, decl_file and reference, and no flag is set; 0 otherwise.
	 * The digest takes two shapes in line: name, file and type (most
	 * members) and type alone (pointers, qualifiers, function types). */
	uint8_t small_shape;
	/* Not raw_small, but led by an inline DW_AT_name string after which
	 * tail_size (at most 16) bytes of fixed size follow: raw_keep,
	 * raw_act and small_ops are for those bytes, from the string's end. */
	bool string_led;
	uint8_t tail_size;
	/* 128-bit hash of the (name, form) list without DW_AT_sibling, which
	 * only links the tree, with the values of DW_FORM_implicit_const
	 * (no DIE holds them) but for decl_file and those the digest skips
	 * (sf__dw_digest_skips()), then the tag and
	 * has_children: DIEs whose
	 * lists match hash alike, so a digest can take the list in once and
	 * then only the values.  Meaningless when has_indirect (the real
	 * forms are in the DIE). */
	uint64_t list_lo, list_hi;
} sf_dw_abbrev;

/* One abbreviation table decoded for one unit shape (form sizes depend on
 * the unit's offset size, address size and version). */
typedef struct sf_dw_abbrevs {
	uint64_t offset;
	uint8_t space_file;         /* 0 main file, 1 dwz file */
	uint8_t offset_size, address_size, version;
	sf_dw_abbrev *dense;        /* indexed by code when codes are small */
	size_t dense_count;
	sf_dw_abbrev *sparse;       /* the rest, in table order */
	size_t sparse_count;
} sf_dw_abbrevs;

/* Per-thread decoding state: decoded abbreviation tables, in an arena. */
typedef struct sf_dw_cursor {
	const sf_dw_image *image;
	sf_arena *arena;            /* the tables; its blocks from and to `pool` */
	sf_arena_pool pool;
	sf_hashmap abbrevs;         /* offset/shape hash -> sf_dw_abbrevs */
	const sf_dw_abbrevs *last;  /* most units use one table for all their DIEs */
	/* The unit `last` was last found for: its DIEs need no shape check.
	 * Whoever reuses an sf_dw_unit's memory for another unit clears it. */
	const sf_dw_unit *last_unit;
	const sf_dw_unit *base_unit; /* unit whose str_offsets base is cached */
	uint64_t base_value;
} sf_dw_cursor;

int sf__dw_cursor_init(sf_dw_cursor *cursor, const sf_dw_image *image);
void sf__dw_cursor_release(sf_dw_cursor *cursor);
/* Between units: drops the decoded tables once they are many (see
 * die_abbrev.c).  No DIE decoded before may be read after.  0 or
 * SF_ENOMEM. */
int sf__dw_cursor_trim(sf_dw_cursor *cursor);

/*
 * A decoded DIE header: its abbreviation and where its attributes start.
 * `abbrev` is NULL for the null entry that ends a sibling list.
 */
typedef struct sf_dw_die {
	const sf_dw_unit *unit;
	const sf_dw_abbrev *abbrev;
	const uint8_t *attrs;
	uint64_t offset;
} sf_dw_die;

/* Decodes the DIE at section offset `offset` of `unit`.  0 or SF_EINVALID
 * (message set, naming the offset). */
int sf__dw_die_at_slow(sf_dw_cursor *cursor, const sf_dw_unit *unit, uint64_t offset, sf_dw_die *out);
/* The usual case in line (a one-byte code of a small table of the unit
 * of the last DIE: 17 M calls on a vmlinux, mostly from the digest),
 * the rest, and every error, through sf__dw_die_at_slow(). */
static inline int sf__dw_die_at(sf_dw_cursor *cursor, const sf_dw_unit *unit, uint64_t offset, sf_dw_die *out)
{
	const sf_dw_abbrevs *table = cursor->last;

	if (cursor->last_unit == unit && table && offset >= unit->die_offset && offset < unit->end) {
		const uint8_t *p = cursor->image->spaces[unit->space].data + offset;
		const uint8_t code = *p;
		if (code == 0) {
			out->unit = unit;
			out->abbrev = NULL;
			out->attrs = p + 1;
			out->offset = offset;
			return 0;
		}
		if (code < 0x80 && code < table->dense_count && table->dense[code].code == code) {
			out->unit = unit;
			out->abbrev = &table->dense[code];
			out->attrs = p + 1;
			out->offset = offset;
			return 0;
		}
	}
	return sf__dw_die_at_slow(cursor, unit, offset, out);
}
/* Section offset just past the DIE's attributes (its first child, if any). */
int sf__dw_die_attrs_end(const sf_dw_cursor *cursor, const sf_dw_die *die, uint64_t *out);
/* Offset of the next sibling, skipping the children (via DW_AT_sibling
 * when present).  *out is the offset of a null entry at the list's end. */
int sf__dw_die_sibling_offset(sf_dw_cursor *cursor, const sf_dw_die *die, uint64_t *out);

/* A decoded attribute value. */
typedef struct sf_dw_value {
	uint16_t form;
	uint64_t u;                 /* constants, offsets, references (see below) */
	int64_t s;                  /* sdata / implicit_const */
	const uint8_t *block;       /* blocks and exprloc */
	uint64_t block_len;
	const uint8_t *where;       /* first byte of the value */
} sf_dw_value;

/*
 * The fixed-size little-endian forms nearly every DIE uses, decoded
 * in line at `q` (the value's first byte, [q, end) readable): the bytes
 * taken, with *v filled as the full decoder would, or -1 to leave the
 * form to it (other forms, big-endian images, or too few bytes, which
 * it reports).
 */
static inline int sf__dw_value_fast(const sf_dw_spec *spec, const uint8_t *q, const uint8_t *end,
				    bool big_endian, sf_dw_value *v)
{
	/* By width, not by form: a switch over forms was a mispredicted
	 * indirect jump per attribute. */
	static const uint64_t masks[9] = {
		0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, ~(uint64_t)0
	};
	int width = spec->fast_width;
	uint64_t word;

	if (width < 0 || big_endian)
		return -1;
	v->form = spec->form;
	v->where = q;
	v->s = 0;
	v->block = NULL;
	v->block_len = 0;
	if (end - q >= 8) {
		memcpy(&word, q, 8);
		v->u = word & masks[width];
	} else if (end - q >= width) {
		word = 0;
		memcpy(&word, q, (size_t)width);
		v->u = word;
	} else {
		return -1;
	}
	if (width == 0) {
		if (spec->form == DW_FORM_flag_present) {
			v->u = 1;
		} else {
			v->s = spec->implicit_const;
			v->u = (uint64_t)spec->implicit_const;
		}
	}
	return width;
}

/* 1 with *out filled when the DIE has attribute `name`, 0 when not, <0. */
int sf__dw_attr_slow(const sf_dw_cursor *cursor, const sf_dw_die *die, uint16_t name, sf_dw_value *out);
/* The usual case in line (every value of a fixed-size DIE within its unit
 * at its known place, in a form sf__dw_value_fast() decodes: 11 M calls on
 * a vmlinux report), anything else through sf__dw_attr_slow(). */
static inline int sf__dw_attr(const sf_dw_cursor *cursor, const sf_dw_die *die, uint16_t name, sf_dw_value *out)
{
	const sf_dw_abbrev *a = die->abbrev;

	if (a && a->all_fixed && !cursor->image->big_endian) {
		const uint8_t *end = cursor->image->spaces[die->unit->space].data + die->unit->end;
		if ((uint64_t)a->fixed_size <= (uint64_t)(end - die->attrs)) {
			uint32_t i = 0;
			if (!((a->name_bits >> (name % 64)) & 1))
				return 0;
			while (i < a->spec_count && a->specs[i].name != name)
				i++;
			if (i == a->spec_count)
				return 0;
			if (sf__dw_value_fast(&a->specs[i], die->attrs + a->specs[i].fixed_offset, end, false, out) >= 0)
				return 1;
		}
	}
	return sf__dw_attr_slow(cursor, die, name, out);
}

/* The attribute iterator is in die_values.h. */

/* Strings: 1 with *out set, SF_EINVALID on a bad offset; forms that are
 * not strings give SF_EINVALID too. */
int sf__dw_string(sf_dw_cursor *cursor, const sf_dw_die *die, const sf_dw_value *value,
		  const char **out);

/*
 * Whether no string of a string section (.debug_str) occurs twice: then
 * two string attributes of the image hold equal text exactly when they
 * point at the same byte, which final links give (the linker merges
 * SHF_MERGE strings) and `ld -r` objects do not.  False for an absent,
 * unterminated or oversized section.
 */
bool sf__dw_strings_distinct(const uint8_t *data, uint64_t size);

/*
 * A reference as (space, section offset): unit-relative forms are made
 * absolute, ref_addr stays in the DIE's file, GNU_ref_alt/ref_sup go to
 * the dwz file.  ref_sig8 is not handled here.  0 or SF_EINVALID.
 */
int sf__dw_reference(const sf_dw_die *die, const sf_dw_value *value, unsigned *space,
		     uint64_t *offset);

/* Fixed-size and LEB128 integers, for the reader's files and the
 * line-table reader.  In line: every DIE header and most values go
 * through them, and the reader's files are separate units. */
static inline uint64_t sf__dw_read_uint(const uint8_t *p, unsigned size, bool big_endian)
{
	uint64_t v = 0;
	if (big_endian) {
		for (unsigned i = 0; i < size; i++)
			v = (v << 8) | p[i];
	} else {
		for (unsigned i = size; i-- > 0;)
			v = (v << 8) | p[i];
	}
	return v;
}

/* LEB128 within [*p, end); false when truncated or too long. */
static inline bool sf__dw_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		if (q >= end)
			return false;
		uint8_t byte = *q++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		else if (byte & 0x7f)
			return false;
		shift += 7;
		if (!(byte & 0x80))
			break;
		if (shift > 140)
			return false;
	}
	*p = q;
	*out = v;
	return true;
}

static inline bool sf__dw_sleb(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t byte;

	do {
		if (q >= end || shift > 140)
			return false;
		byte = *q++;
		if (shift < 64)
			v |= (uint64_t)(byte & 0x7f) << shift;
		shift += 7;
	} while (byte & 0x80);
	if (shift < 64 && (byte & 0x40))
		v |= ~(uint64_t)0 << shift;
	*p = q;
	*out = (int64_t)v;
	return true;
}

#endif
