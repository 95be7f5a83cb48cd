/* Go heap profiles: the protobuf decoder (gzipped or not), the pprof -raw text, and bad input giving one clear error. */
#include <criterion/criterion.h>

#include <structfit/structfit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "impact/impact_private.h"
#include "impact/pprof_wire.h"

static sf_profile *profile;

static void setup(void)
{
	cr_assert_eq(sf_profile_new(&profile), 0);
}

static void teardown(void)
{
	sf_profile_free(profile);
}

TestSuite(pprof, .init = setup, .fini = teardown);

/* A protobuf writer just big enough for profile.proto. */
typedef struct pb {
	unsigned char data[4096];
	size_t len;
} pb;

static void put_varint(pb *b, uint64_t v)
{
	do {
		cr_assert_lt(b->len, sizeof(b->data));
		b->data[b->len++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void put_int(pb *b, unsigned field, uint64_t v)
{
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, v);
}

static void put_bytes(pb *b, unsigned field, const void *data, size_t len)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, len);
	cr_assert_leq(b->len + len, sizeof(b->data));
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static void put_message(pb *b, unsigned field, const pb *m)
{
	put_bytes(b, field, m->data, m->len);
}

static void put_string(pb *b, const char *s)
{
	put_bytes(b, 6, s, strlen(s));
}

/*
 * The heap profile of a program allocating 100 main.Hot (48-byte class)
 * at main.go:37 and 3 arrays at util.go:9, inlined into main.go:50:
 * strings 0 "", 1 alloc_objects, 2 count, 3 alloc_space, 4 bytes,
 * 5 inuse_objects, 6 inuse_space, 7 main.main, 8 /src/main.go,
 * 9 main.fill, 10 /src/util.go.  The first sample's location ids are
 * packed, the second's not (runtime/pprof packs only runs of 3 or more).
 */
static pb heap_profile(void)
{
	static const char *const strings[] = { "", "alloc_objects", "count", "alloc_space", "bytes",
					       "inuse_objects", "inuse_space", "main.main",
					       "/src/main.go", "main.fill", "/src/util.go" };
	static const unsigned types[4][2] = { { 1, 2 }, { 3, 4 }, { 5, 2 }, { 6, 4 } };
	pb out = { { 0 }, 0 }, m, line, packed;

	for (int t = 0; t < 4; t++) {
		m = (pb){ { 0 }, 0 };
		put_int(&m, 1, types[t][0]);
		put_int(&m, 2, types[t][1]);
		put_message(&out, 1, &m);
	}
	/* Sample 1: locations [1] (packed), values 100 4800 100 4800, bytes 48. */
	m = (pb){ { 0 }, 0 };
	packed = (pb){ { 0 }, 0 };
	put_varint(&packed, 1);
	put_message(&m, 1, &packed);
	packed = (pb){ { 0 }, 0 };
	put_varint(&packed, 100);
	put_varint(&packed, 4800);
	put_varint(&packed, 100);
	put_varint(&packed, 4800);
	put_message(&m, 2, &packed);
	line = (pb){ { 0 }, 0 };
	put_int(&line, 1, 4);
	put_int(&line, 3, 48);
	put_message(&m, 3, &line);
	put_message(&out, 2, &m);
	/* Sample 2: location 2 (one varint), values one by one, bytes 96. */
	m = (pb){ { 0 }, 0 };
	put_int(&m, 1, 2);
	put_int(&m, 2, 3);
	put_int(&m, 2, 288);
	put_int(&m, 2, 0);
	put_int(&m, 2, 0);
	line = (pb){ { 0 }, 0 };
	put_int(&line, 1, 4);
	put_int(&line, 3, 96);
	put_message(&m, 3, &line);
	put_message(&out, 2, &m);
	/* Location 1: main.main at main.go:37. */
	m = (pb){ { 0 }, 0 };
	put_int(&m, 1, 1);
	line = (pb){ { 0 }, 0 };
	put_int(&line, 1, 1);
	put_int(&line, 2, 37);
	put_message(&m, 4, &line);
	put_message(&out, 4, &m);
	/* Location 2: main.fill util.go:9 inlined into main.main main.go:50. */
	m = (pb){ { 0 }, 0 };
	put_int(&m, 1, 2);
	line = (pb){ { 0 }, 0 };
	put_int(&line, 1, 2);
	put_int(&line, 2, 9);
	put_message(&m, 4, &line);
	line = (pb){ { 0 }, 0 };
	put_int(&line, 1, 1);
	put_int(&line, 2, 50);
	put_message(&m, 4, &line);
	put_message(&out, 4, &m);
	/* Functions 1 main.main, 2 main.fill. */
	for (unsigned f = 1; f <= 2; f++) {
		m = (pb){ { 0 }, 0 };
		put_int(&m, 1, f);
		put_int(&m, 2, f == 1 ? 7 : 9);
		put_int(&m, 4, f == 1 ? 8 : 10);
		put_message(&out, 5, &m);
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		put_string(&out, strings[i]);
	return out;
}

static size_t gzip_into(unsigned char *out, size_t cap, const unsigned char *in, size_t len)
{
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (unsigned)len;
	zs.next_out = out;
	zs.avail_out = (unsigned)cap;
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void expect_heap_sites(void)
{
	const sf_profile_site *s = profile->sites;

	cr_assert_eq(sf_profile_site_count(profile), 2);
	cr_expect(s->go);
	cr_expect_eq(s->total_blocks, 100);
	cr_expect_eq(s->total_bytes, 4800);
	cr_expect_eq(s->peak_blocks, 100);
	cr_expect_eq(s->peak_bytes, 4800);
	cr_expect_eq(s->block_size, 48);
	cr_assert_eq(s->frame_count, 1);
	cr_expect_str_eq(s->frames[0].function, "main.main");
	cr_expect_str_eq(s->frames[0].file, "/src/main.go");
	cr_expect_eq(s->frames[0].line, 37);
	s = s->next;
	cr_expect_eq(s->total_blocks, 3);
	cr_expect_eq(s->peak_blocks, 0);
	cr_expect_eq(s->block_size, 96);
	cr_assert_eq(s->frame_count, 2);
	cr_expect_str_eq(s->frames[0].function, "main.fill");
	cr_expect_eq(s->frames[0].line, 9);
	cr_expect_str_eq(s->frames[1].function, "main.main");
	cr_expect_eq(s->frames[1].line, 50);
}

Test(pprof, plain_protobuf_samples_locations_and_inlined_lines)
{
	pb b = heap_profile();

	cr_assert_eq(sf_profile_parse(profile, (const char *)b.data, b.len, "heap.pb"), 0, "%s",
		     sf_error_last());
	expect_heap_sites();
}

Test(pprof, gzipped_protobuf_is_inflated)
{
	pb b = heap_profile();
	unsigned char gz[8192];
	size_t n = gzip_into(gz, sizeof(gz), b.data, b.len);

	cr_assert_eq(sf_profile_parse(profile, (const char *)gz, n, "heap.pprof"), 0, "%s",
		     sf_error_last());
	expect_heap_sites();
}

Test(pprof, every_truncation_is_an_error_never_a_crash)
{
	pb b = heap_profile();
	unsigned char gz[8192];
	size_t n = gzip_into(gz, sizeof(gz), b.data, b.len);

	/* A prefix cut inside a field has a length past the end; one cut
	 * between fields lacks what the samples name (locations, functions,
	 * strings), or holds no sample at all. */
	for (size_t len = 1; len < b.len; len++) {
		sf_profile_site *first = NULL;
		size_t count = 0;
		int rc = sf__pprof_parse(b.data, len, "cut.pb", 0, profile->arena, &first, &count);
		if (rc == 0) {
			cr_expect_eq(count, 0, "prefix of %zu bytes gave %zu sites", len, count);
			continue;
		}
		cr_expect_eq(rc, SF_EINVALID, "prefix of %zu bytes: %d", len, rc);
		cr_expect(strncmp(sf_error_last(), "cut.pb: ", 8) == 0, "%s", sf_error_last());
	}
	for (size_t len = 2; len < n; len++) {
		sf_profile_site *first = NULL;
		size_t count = 0;
		cr_expect_eq(sf__pprof_parse(gz, len, "cut.pprof", 0, profile->arena, &first, &count),
			     SF_EINVALID, "gzip prefix of %zu bytes", len);
	}
	cr_expect(strstr(sf_error_last(), "cut.pprof: Go heap profile: truncated or corrupt gzip data") != NULL,
		  "%s", sf_error_last());
}

Test(pprof, bad_varints_are_refused_with_their_offset)
{
	/* Eleven continuation bytes: longer than any 64-bit varint. */
	static const unsigned char too_long[] = { 0x0a, 0x02, 0x08, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	/* A tenth byte with more than bit 63. */
	static const unsigned char overflow[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0x02 };
	sf_pb_ctx ctx = { overflow, "v" };
	const unsigned char *p = overflow + 1;
	uint64_t v = 0;
	sf_profile_site *first = NULL;
	size_t count = 0;

	cr_expect_eq(sf__pprof_parse(too_long, sizeof(too_long), "long.pb", 0, profile->arena, &first,
				     &count),
		     SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "long.pb: Go heap profile: bad varint at byte 5") != NULL, "%s",
		  sf_error_last());
	cr_expect_eq(sf__pb_varint(&ctx, &p, overflow + sizeof(overflow), &v), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "v: Go heap profile: bad varint at byte 1") != NULL, "%s",
		  sf_error_last());
	/* The largest value there is decodes. */
	{
		static const unsigned char max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
		sf_pb_ctx c2 = { max, "m" };
		p = max;
		cr_expect_eq(sf__pb_varint(&c2, &p, max + sizeof(max), &v), 0);
		cr_expect_eq(v, UINT64_MAX);
		cr_expect_eq(p, max + sizeof(max));
	}
}

Test(pprof, dangling_indexes_and_other_profiles_are_refused)
{
	pb b = heap_profile(), cpu = { { 0 }, 0 }, m = { { 0 }, 0 };
	unsigned char junk[] = { 0x1f, 0x8b, 0x08, 0x00, 'n', 'o', 't', ' ', 'g', 'z', 'i', 'p', 0, 0 };

	/* A location naming function 9. */
	put_message(&m, 4, &(pb){ { 0x08, 0x09, 0x10, 0x01 }, 4 });
	put_int(&m, 1, 3);
	put_message(&b, 4, &m);
	cr_expect_eq(sf_profile_parse(profile, (const char *)b.data, b.len, "f.pb"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "f.pb: Go heap profile: a location names function 9") != NULL,
		  "%s", sf_error_last());
	/* A CPU profile: samples/count, cpu/nanoseconds. */
	put_message(&cpu, 1, &(pb){ { 0x08, 0x01, 0x10, 0x02 }, 4 });
	put_message(&cpu, 1, &(pb){ { 0x08, 0x03, 0x10, 0x04 }, 4 });
	put_string(&cpu, "");
	put_string(&cpu, "samples");
	put_string(&cpu, "count");
	put_string(&cpu, "cpu");
	put_string(&cpu, "nanoseconds");
	cr_expect_eq(sf_profile_parse(profile, (const char *)cpu.data, cpu.len, "cpu.pprof"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "cpu.pprof: a pprof profile but not a Go heap profile") != NULL,
		  "%s", sf_error_last());
	/* A type name index past the string table. */
	m = (pb){ { 0 }, 0 };
	put_message(&m, 1, &(pb){ { 0x08, 0x63 }, 2 });
	put_string(&m, "");
	cr_expect_eq(sf_profile_parse(profile, (const char *)m.data, m.len, "s.pb"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "s.pb: Go heap profile: string index 99 outside the table of 1") != NULL,
		  "%s", sf_error_last());
	cr_expect_eq(sf_profile_parse(profile, (const char *)junk, sizeof(junk), "junk.gz"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "junk.gz: Go heap profile: truncated or corrupt gzip data") != NULL,
		  "%s", sf_error_last());
	cr_expect_eq(sf_profile_site_count(profile), 0);
}

static const char raw_profile[] =
	"PeriodType: space bytes\n"
	"Period: 1\n"
	"Time: 2026-12-06 07:42:08.67425035 +0000 UTC\n"
	"Samples:\n"
	"alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes\n"
	"          1         64          0          0: 7 \n"
	"                bytes:[64]\n"
	"        100       4800        100       4800: 1 \n"
	"                bytes:[48]\n"
	"          3        288          0          0: 2 \n"
	"                bytes:[96]\n"
	"          0          0          0          0: 1 \n"
	"Locations\n"
	"     1: 0x4aed3b M=1 main.main /src/main.go:37 s=0\n"
	"     2: 0x4aece7 M=1 main.fill /src/util.go:9 s=0\n"
	"             main.main /src/main.go:50 s=0\n"
	"     7: 0x4aece9 M=1 ??\n"
	"Mappings\n"
	"1: 0x400000/0x4af000/0x0 prog  [FN]\n";

Test(pprof, raw_text_gives_the_same_sites)
{
	cr_assert_eq(sf_profile_parse(profile, raw_profile, strlen(raw_profile), "heap.raw"), 0, "%s",
		     sf_error_last());
	/* The all-zero sample carries nothing; the "??" location no frame. */
	cr_assert_eq(sf_profile_site_count(profile), 3);
	cr_expect_eq(profile->sites->frame_count, 0);
	profile->sites = profile->sites->next;
	profile->site_count--;
	expect_heap_sites();
}

Test(pprof, bad_raw_text_names_its_line)
{
	char text[sizeof(raw_profile) + 16];

	snprintf(text, sizeof(text), "%.*s", (int)(strstr(raw_profile, "Locations") - raw_profile), raw_profile);
	cr_expect_eq(sf_profile_parse(profile, text, strlen(text), "cut.raw"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "cut.raw: Go heap profile (pprof -raw): truncated") != NULL, "%s",
		  sf_error_last());
	strcpy(text, raw_profile);
	memcpy(strstr(text, "        100"), "       -100", 11);
	cr_expect_eq(sf_profile_parse(profile, text, strlen(text), "neg.raw"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "neg.raw:8: Go heap profile (pprof -raw): a negative sample value") != NULL,
		  "%s", sf_error_last());
	strcpy(text, raw_profile);
	memcpy(strstr(text, ": 2 \n"), ": 5 \n", 5);
	cr_expect_eq(sf_profile_parse(profile, text, strlen(text), "loc.raw"), SF_EINVALID);
	cr_expect(strstr(sf_error_last(), "loc.raw: Go heap profile (pprof -raw): a sample names location 5") != NULL,
		  "%s", sf_error_last());
}
