/* Listing .debug_info's units while it is being inflated (die_feed.h). */
#include "dwarf/die_feed.h"
#include "dwarf/die_reader_impl.h"

#include <stdlib.h>
#include <string.h>

#include "util/fail.h"

static void feed_free(sf_dw_feed *feed)
{
	if (!feed)
		return;
	for (size_t i = 0; i < feed->retired_count; i++)
		free(feed->retired[i]);
	free(feed->retired);
	free(feed->units);
	sf__fill_destroy(&feed->listed);
	free(feed);
}

static void feed_view(sf_dw_feed *feed, uint64_t offset, const sf_dw_unit **units, size_t *count)
{
	sf__fill_wait(&feed->listed, offset + 1);
	*count = __atomic_load_n(&feed->count, __ATOMIC_ACQUIRE);
	*units = __atomic_load_n(&feed->units, __ATOMIC_ACQUIRE);
}

static void feed_wait_all(sf_dw_feed *feed)
{
	sf__fill_wait(&feed->listed, UINT64_MAX);
}

static const sf_dw_feed_ops feed_ops = { feed_view, feed_wait_all, feed_free };

int sf__dw_image_open_streaming(sf_dw_image *out, const sf_debug_image *image)
{
	sf_dw_feed *feed;
	int res = sf__dw_image_open_spaces(out, image, UINT64_MAX, true);

	if (res < 0)
		return res;
	feed = calloc(1, sizeof(*feed));
	if (!feed || sf__fill_init(&feed->listed) < 0) {
		free(feed);
		sf__dw_image_close(out);
		return sf__fail(SF_ENOMEM, "out of memory");
	}
	feed->bytes = image->sections.info.arriving;
	/* Type units of the other spaces came first; their table is at
	 * least this large, so appending regrows it in time. */
	feed->signature_capacity = out->signature_count;
	out->feed = feed;
	out->feed_ops = &feed_ops;
	out->streaming = true;
	return 0;
}

/* Appends a unit; a full array is replaced by a copy twice its size and
 * kept for the readers that still hold pointers into it. */
static int feed_push(sf_dw_feed *feed, const sf_dw_unit *unit, const sf_dw_unit **out)
{
	if (feed->count == feed->capacity) {
		size_t grown = feed->capacity ? feed->capacity * 2 : 64;
		sf_dw_unit *units = malloc(grown * sizeof(*units));
		sf_dw_unit **retired = feed->units ? realloc(feed->retired, (feed->retired_count + 1) * sizeof(*retired))
						   : feed->retired;

		if (!units || (feed->units && !retired)) {
			free(units);
			return sf__fail(SF_ENOMEM, "out of memory");
		}
		if (feed->count)
			memcpy(units, feed->units, feed->count * sizeof(*units));
		if (feed->units) {
			feed->retired = retired;
			feed->retired[feed->retired_count++] = feed->units;
		}
		feed->capacity = grown;
		__atomic_store_n(&feed->units, units, __ATOMIC_RELEASE);
	}
	feed->units[feed->count] = *unit;
	*out = &feed->units[feed->count];
	__atomic_store_n(&feed->count, feed->count + 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Waits for the bytes of the unit header at `offset` and of the whole unit
 * its length gives; a length that does not fit waits for the section's
 * end, where the header check reports it as without streaming.  False
 * when the bytes stopped short.
 */
static bool wait_unit(sf__elf_stream *bytes, const sf_dw_space_units *s, bool big_endian, uint64_t offset)
{
	uint64_t want = offset + 4 < s->size ? offset + 4 : s->size, length, start;

	/* A section in memory already: the header check bounds the unit. */
	if (!bytes)
		return true;
	if (sf__elf_stream_wait(bytes, want) < want)
		return false;
	if (want - offset < 4)
		return true;
	length = sf__dw_read_uint(s->data + offset, 4, big_endian);
	start = offset + 4;
	if (length == 0xffffffffu) {
		want = offset + 12 < s->size ? offset + 12 : s->size;
		if (sf__elf_stream_wait(bytes, want) < want)
			return false;
		if (want - offset < 12)
			return true;
		length = sf__dw_read_uint(s->data + offset + 4, 8, big_endian);
		start = offset + 12;
	}
	want = length <= s->size - start ? start + length : s->size;
	return sf__elf_stream_wait(bytes, want) >= want;
}

static int cmp_signature(const void *a, const void *b)
{
	const sf_dw_signature *x = a, *y = b;
	return x->signature < y->signature ? -1 : x->signature > y->signature;
}

int sf__dw_feed_run(sf_dw_image *image, sf_dw_unit_fn on_unit, void *ctx)
{
	sf_dw_feed *feed = image->feed;
	const sf_dw_space_units *s = &image->spaces[SF_DW_INFO];
	uint64_t offset = 0, dropped = 0;
	int res = 0;

	while (offset < s->size && res >= 0) {
		const sf_dw_unit *listed = NULL;
		sf_dw_unit u;

		if (!wait_unit(feed->bytes, s, image->big_endian, offset)) {
			res = sf__fail(SF_EINVALID, "%s: .debug_info stopped short", sf__dw_image_name(image));
			break;
		}
		res = sf__dw_unit_header(image, SF_DW_INFO, s->data, s->size, offset, &u);
		if (res >= 0)
			res = feed_push(feed, &u, &listed);
		if (res >= 0 && (u.unit_type == DW_UT_type || u.unit_type == DW_UT_split_type))
			res = sf__dw_signature_push(image, &feed->signature_capacity, &u);
		if (res >= 0)
			sf__fill_publish(&feed->listed, u.end, false);
		if (res >= 0)
			res = on_unit(ctx, listed);
		offset = u.end;
		/* As sf__dw_image_open() does (a mapped file only): each header
		 * read maps the pages around it too, far ahead of the walk. */
		if (!feed->bytes && offset - dropped >= SF_DW_DROP_STEP) {
			sf__dw_drop_pages(image, SF_DW_INFO, dropped, offset);
			dropped = offset;
		}
	}
	if (!feed->bytes && res >= 0)
		sf__dw_drop_pages(image, SF_DW_INFO, dropped, offset < s->size ? offset : s->size);
	/* qsort with a NULL base is undefined even for zero elements. */
	if (image->signature_count > 1)
		qsort(image->signatures, image->signature_count, sizeof(*image->signatures), cmp_signature);
	sf__fill_publish(&feed->listed, s->size, true);
	return res;
}

void sf__dw_feed_finish(sf_dw_image *image)
{
	sf_dw_space_units *s = &image->spaces[SF_DW_INFO];

	s->units = image->feed->units;
	s->count = image->feed->count;
	image->feed->units = NULL;
	image->streaming = false;
}
