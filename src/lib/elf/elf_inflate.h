/* Inflating the zlib stream of a compressed section in steps: with ISA-L's
 * igzip where libisal is installed (and the build found its header,
 * STRUCTFIT_HAVE_ISAL), else with zlib. */
#ifndef STRUCTFIT_ELF_INFLATE_H
#define STRUCTFIT_ELF_INFLATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sf__inflater sf__inflater;

/*
 * Starts on the `in_size` bytes of a zlib stream (header, deflate data,
 * Adler-32 trailer).  `sum`: whether the inflater checks the trailer;
 * false leaves that to the caller (sf__inflater_trailer()), which only
 * zlib takes up (see sf__inflater_sums_fast()).  NULL when out of memory.
 */
sf__inflater *sf__inflater_new(const unsigned char *in, uint64_t in_size, bool sum);
void sf__inflater_free(sf__inflater *z);

enum { SF_INFLATE_MORE = 0, SF_INFLATE_END = 1, SF_INFLATE_BAD = -1 };

/*
 * Inflates into out[0, room): SF_INFLATE_MORE when the room is full and
 * the stream goes on, SF_INFLATE_END when it ended (checked, when
 * summing), SF_INFLATE_BAD when it is corrupt or ran out of input.
 * *produced says how many bytes came out either way.
 */
int sf__inflater_step(sf__inflater *z, unsigned char *out, uint32_t room, uint32_t *produced);

/* Inflates the whole stream into out[0, size): true when exactly `size`
 * bytes came out and the stream ended there, its sum right. */
bool sf__inflater_all(const unsigned char *in, uint64_t in_size, unsigned char *out, uint64_t size);

/* The Adler-32 trailer as stored, once the stream has ended (what the
 * caller compares when the inflater does not sum). */
uint32_t sf__inflater_trailer(const sf__inflater *z);

/* Whether the inflater sums as it goes at a cost not worth a thread of
 * its own (igzip); zlib's sum was a sixteenth of its time. */
bool sf__inflater_sums_fast(void);

/* Tests only: zlib even where igzip is there, for every inflater
 * made from now on. */
void sf__inflater_force_zlib(bool on);

#endif
