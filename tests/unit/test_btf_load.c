/* BTF loading: a raw BTF image written byte by byte, loaded into the model. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include "model/structs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { KIND_INT = 1, KIND_PTR = 2, KIND_ARRAY = 3, KIND_STRUCT = 4, KIND_UNION = 5, KIND_TYPEDEF = 8 };

/* A raw BTF file under construction: type words, then strings. */
typedef struct btf_image {
	uint32_t types[256];
	size_t type_words;
	char strings[512];
	size_t string_len;
} btf_image;

static uint32_t str(btf_image *b, const char *s)
{
	uint32_t off = (uint32_t)b->string_len;

	memcpy(b->strings + b->string_len, s, strlen(s) + 1);
	b->string_len += strlen(s) + 1;
	return off;
}

static void words(btf_image *b, size_t n, const uint32_t *w)
{
	memcpy(b->types + b->type_words, w, n * sizeof(*w));
	b->type_words += n;
}

static void type(btf_image *b, uint32_t name, uint32_t kind, uint32_t vlen, uint32_t kflag, uint32_t size_or_type)
{
	uint32_t w[3] = { name, kflag << 31 | kind << 24 | vlen, size_or_type };

	words(b, 3, w);
}

/*
 * 1 int, 2 char, 3 long, 4 struct s *, 5 char[3],
 * 6 struct s { char c; long l; struct s *next; char tag[3]; int bits:3; union { int u; }; },
 * 7 the union, 8 typedef struct s s_t.  Natural layout on x86_64.
 */
static void build_sample(btf_image *b)
{
	memset(b, 0, sizeof(*b));
	b->string_len = 1;   /* offset 0 is the empty name */
	type(b, str(b, "int"), KIND_INT, 0, 0, 4);
	words(b, 1, (uint32_t[]){ 32u | 1u << 24 });
	type(b, str(b, "char"), KIND_INT, 0, 0, 1);
	words(b, 1, (uint32_t[]){ 8u | 1u << 24 });
	type(b, str(b, "long"), KIND_INT, 0, 0, 8);
	words(b, 1, (uint32_t[]){ 64u | 1u << 24 });
	type(b, 0, KIND_PTR, 0, 0, 6);
	type(b, 0, KIND_ARRAY, 0, 0, 0);
	words(b, 3, (uint32_t[]){ 2, 1, 3 });
	type(b, str(b, "s"), KIND_STRUCT, 6, 1, 40);
	words(b, 3, (uint32_t[]){ str(b, "c"), 2, 0 });
	words(b, 3, (uint32_t[]){ str(b, "l"), 3, 64 });
	words(b, 3, (uint32_t[]){ str(b, "next"), 4, 128 });
	words(b, 3, (uint32_t[]){ str(b, "tag"), 5, 192 });
	words(b, 3, (uint32_t[]){ str(b, "bits"), 1, 3u << 24 | 224 });
	words(b, 3, (uint32_t[]){ 0, 7, 256 });
	type(b, 0, KIND_UNION, 1, 0, 4);
	words(b, 3, (uint32_t[]){ str(b, "u"), 1, 0 });
	type(b, str(b, "s_t"), KIND_TYPEDEF, 0, 0, 6);
}

static void write_image(const btf_image *b, char *path)
{
	uint32_t type_len = (uint32_t)(b->type_words * 4);
	uint32_t header[6] = { 0x0001eb9fu, 24, 0, type_len, type_len, (uint32_t)b->string_len };
	FILE *f;
	int fd;

	strcpy(path, "/tmp/structfit-btf-unit.XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	f = fdopen(fd, "wb");
	cr_assert_not_null(f);
	/* magic 0xeB9F, version 1, flags 0, then hdr_len and the sections. */
	cr_assert_eq(fwrite(header, sizeof(header), 1, f), 1);
	cr_assert_eq(fwrite(b->types, 4, b->type_words, f), b->type_words);
	cr_assert_eq(fwrite(b->strings, 1, b->string_len, f), b->string_len);
	fclose(f);
}

static const sf_struct *named(const sf_model *model, const char *name)
{
	const sf_struct_list *list = sf__model_structs(model);

	for (size_t i = 0; i < list->count; i++)
		if (list->items[i]->name && strcmp(list->items[i]->name, name) == 0)
			return list->items[i];
	return NULL;
}

Test(btf_load, raw_btf_builds_members_and_infers_alignment)
{
	btf_image b;
	char path[64];
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	const sf_struct *s;

	build_sample(&b);
	write_image(&b, path);
	opts.format_in = SF_FORMAT_IN_BTF;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	unlink(path);
	cr_assert_str_eq(sf_model_file(model, 0)->format, "btf");
	s = named(model, "s");
	cr_assert_not_null(s);
	cr_expect_eq(s->size, 40);
	cr_expect_eq(s->align, 8, "natural alignment of its long member");
	cr_expect(!s->packed);
	cr_assert_eq(s->member_count, 6);
	cr_expect_str_eq(s->members[2].type_name, "struct s *");
	cr_expect_str_eq(s->members[3].type_name, "char[3]");
	cr_expect_eq(s->members[3].offset, 24);
	cr_expect_eq(s->members[4].bit_size, 3);
	cr_expect_eq(s->members[4].bit_offset, 224);
	cr_expect_eq(s->members[4].offset, 28, "storage unit of an int bitfield at bit 224");
	cr_expect(s->members[5].flags & SF_MEMBER_ANONYMOUS);
	cr_expect_eq(s->members[5].offset, 32);
	cr_expect_not_null(s->members[5].nested);
	sf_model_free(model);
}

Test(btf_load, member_offsets_that_need_packing_infer_packed)
{
	btf_image b;
	char path[64];
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;
	const sf_struct *s;

	build_sample(&b);
	/* Word 23 is struct s's size, its members' bit offsets are words
	 * 26, 29, ... : the same members one after another, as packed. */
	b.types[23] = 25;
	b.types[29] = 8;                  /* long l at byte 1 */
	b.types[32] = 72;                 /* next */
	b.types[35] = 136;                /* tag[3] */
	b.types[38] = 3u << 24 | 160;     /* bits:3 at byte 20 */
	b.types[41] = 168;                /* the union at byte 21 */
	write_image(&b, path);
	opts.format_in = SF_FORMAT_IN_BTF;
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	unlink(path);
	s = named(model, "s");
	cr_assert_not_null(s);
	cr_expect_eq(s->members[1].offset, 1);
	cr_expect(s->packed, "a long at offset 1 means the struct is packed");
	cr_expect_eq(s->align, 1);
	sf_model_free(model);
}

Test(btf_load, options_of_version_4_still_load)
{
	btf_image b;
	char path[64];
	sf_model *model = NULL;
	sf_load_options opts = SF_LOAD_OPTIONS_INIT;

	build_sample(&b);
	write_image(&b, path);
	/* A version 4 caller's struct ends before format_in: auto applies,
	 * and the raw BTF is found after DWARF finds no ELF file. */
	opts.version = 4;
	opts.format_in = 99;   /* beyond a v4 struct: must not be read */
	cr_assert_eq(sf_model_new(&model), 0);
	cr_assert_eq(sf_model_load(model, path, &opts), 0, "%s", sf_error_last());
	unlink(path);
	cr_expect_not_null(named(model, "s"));
	opts.version = 99;
	cr_expect_eq(sf_model_load(model, path, &opts), SF_EUSAGE);
	sf_model_free(model);
}
