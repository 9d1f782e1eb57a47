/*
 * input.h - an input file as one read-only mapping.
 * A gzip input is inflated once, streaming, into an unlinked sparse temporary
 * file (zero blocks become holes) which is then mapped. The original file is
 * opened O_RDONLY and never written.
 */
#ifndef MPIPLSIM_INPUT_H
#define MPIPLSIM_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct input {
	const char *path;	/* as given by the user, for messages */
	int fd;			/* the mapped file (the temp file for gzip) */
	const uint8_t *map;	/* NULL when len is 0 */
	size_t len;
	bool gzipped;
};

struct mperr *input_open(struct input *in, const char *path);
/* Show gzip inflation (compressed bytes read) on p from now on; NULL: nothing. */
struct progress;
void input_set_progress(struct progress *p);

/*
 * Done reading [p, p+len) of the read-only mapping [map, map+map_len) for now:
 * drop the pages it touches from our resident set (they stay in the page cache
 * and fault back in if read again, also the bytes of a neighbour that shares a
 * page). Does nothing for pointers outside the mapping.
 */
void map_release(const uint8_t *map, size_t map_len, const uint8_t *p, uint64_t len);
void input_close(struct input *in);

/*
 * Call fn for each data extent of [off, off+len) of the mapped file, as
 * lseek(SEEK_DATA/SEEK_HOLE) reports it (holes are known zero without reading).
 */
typedef struct mperr *(*input_extent_fn)(void *ctx, uint64_t off, uint64_t len);
struct mperr *input_walk_data(const struct input *in, uint64_t off, uint64_t len,
			      input_extent_fn fn, void *ctx);

#endif
