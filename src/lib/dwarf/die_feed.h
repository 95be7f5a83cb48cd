/* .debug_info's units listed while its bytes are still being inflated, so
 * that the batches of the first units start before the last are out. */
#ifndef SF_DWARF_DIE_FEED_H
#define SF_DWARF_DIE_FEED_H

#include "dwarf/die_reader.h"
#include "util/fill.h"

/*
 * One lister thread appends to `units`; any thread may look units up.
 * Invariants: the units covering section offsets [0, listed.ready) are
 * the first `count` entries of `units`, and stay there; a full array is
 * replaced by a larger copy, never moved or freed before the image is
 * closed (`retired`), so a unit pointer handed out stays valid.  `units`
 * is stored before `count` grows and `count` before `listed` does (all
 * release), so a reader that saw `listed` reach an offset finds its unit.
 */
typedef struct sf_dw_feed {
	sf__elf_stream *bytes;      /* .debug_info as it is inflated */
	sf_fill listed;
	sf_dw_unit *units;
	size_t count;
	size_t capacity;            /* lister only */
	sf_dw_unit **retired;
	size_t retired_count;
	size_t signature_capacity;  /* lister only */
} sf_dw_feed;

/*
 * Opens `image` for streaming: every space but .debug_info is listed now
 * (as sf__dw_image_open() does), .debug_info's units by sf__dw_feed_run().
 * Only for an image whose .debug_info is arriving, without .debug_types,
 * dwz file or .dwp indexes.  0, SF_EINVALID or SF_ENOMEM.
 */
int sf__dw_image_open_streaming(sf_dw_image *out, const sf_debug_image *image);

/* Called with each unit in section order (`unit` stays valid until the
 * image is closed); a negative return stops the listing. */
typedef int (*sf_dw_unit_fn)(void *ctx, const sf_dw_unit *unit);

/*
 * Lists .debug_info's units as its bytes arrive, on the calling thread
 * (the image's one lister), and ends the listing whatever happens, so
 * that waiting lookups return.  0, or a negative code with the message
 * set on this thread: a corrupt unit header, SF_EINVALID when the bytes
 * stopped short (inflating failed: sf__elf_stream_result() says so), or
 * what `on_unit` returned.
 */
int sf__dw_feed_run(sf_dw_image *image, sf_dw_unit_fn on_unit, void *ctx);

/* After sf__dw_feed_run() returned and every thread that looked units up
 * is done: the units become the image's ordinary, complete list. */
void sf__dw_feed_finish(sf_dw_image *image);

#endif
