/*
 * ram_image.h - read-only, sparse view of guest physical memory [0, size).
 * Extents point into the mapped input (or into buffers the image owns); holes
 * read as zero and are never materialised. Knows nothing about MPIPL tables,
 * the simulation, or which format the bytes came from.
 *
 * Readers build it with ram_add() in any order (a later add of the same page
 * wins, data NULL meaning "this range is zero") and then ram_finish().
 */
#ifndef MPIPLSIM_RAM_IMAGE_H
#define MPIPLSIM_RAM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct ram_extent {
	uint64_t gpa;
	uint64_t len;
	const uint8_t *data;	/* NULL only while building: a zero override */
	uint64_t seq;		/* add order, for "last record wins" */
	/*
	 * step 0: the bytes are [data, data+len). Else a run of pages: the page at
	 * gpa + k*unit has its unit bytes at data + k*step (records of a stream
	 * with their headers between), so a guest of any size costs one extent
	 * per run, not per page.
	 */
	uint32_t unit, step;
};

struct ram_map {
	void *addr;
	size_t len;
};

struct ram_image {
	uint64_t size;			/* guest RAM bytes */
	struct ram_extent *ext;		/* sorted by gpa, disjoint, after ram_finish() */
	size_t n, cap;
	uint64_t data_bytes;		/* sum of extent lengths */
	void **owned;			/* buffers freed with the image */
	size_t n_owned, cap_owned;
	uint64_t max_added_end;		/* highest gpa + len added with data */
	const uint8_t *map;		/* the read-only file mapping extents point into */
	size_t map_len;
	struct ram_map *maps;		/* mappings unmapped with the image */
	size_t n_maps, cap_maps;
	int map_fd;			/* the file mapped at map, for file-to-file copies; -1 */
	size_t n_runs;			/* extents added with ram_add_pages() */
};

void ram_init(struct ram_image *ram, uint64_t size);
void ram_free(struct ram_image *ram);

/* Append [gpa, gpa+len) backed by data (not copied), or a zero override if data is NULL. */
struct mperr *ram_add(struct ram_image *ram, uint64_t gpa, uint64_t len, const uint8_t *data);
/*
 * Append the pages [gpa, gpa+len), unit bytes each, the page at gpa + k*unit
 * at data + k*step (step >= unit; the caller checked that the bytes exist).
 * A later add that lies inside such a run (a page sent again) wins over it
 * there; ram_finish() splits the run around it.
 */
struct mperr *ram_add_pages(struct ram_image *ram, uint64_t gpa, uint64_t len, const uint8_t *data,
			    uint32_t unit, uint32_t step);
/* The image frees buf (with free()) when it is freed. */
struct mperr *ram_own(struct ram_image *ram, void *buf);
/*
 * The image munmap()s [addr, addr+len) when it is freed: a reader's own
 * mapping (a decompressed or re-assembled temporary file). Unmapped at once
 * if it cannot be recorded.
 */
struct mperr *ram_own_map(struct ram_image *ram, void *addr, size_t len);
/*
 * Sort, apply "last add wins" for ranges added more than once at the same gpa
 * with the same length and for pages added inside an earlier run of pages,
 * drop zero overrides, merge neighbours that are contiguous in memory (or
 * continue a run's stride). Other partially overlapping adds are an input
 * error.
 * Calling it again on a finished image changes nothing (readers that need to
 * read their own RAM call it before snapshot_open() does).
 */
struct mperr *ram_finish(struct ram_image *ram);

/*
 * Done with these bytes for now: if they lie in the file mapping, let the
 * kernel drop them from our resident set (they stay in the page cache), so
 * peak RSS follows the working set, not the amount of data.
 */
void ram_release(const struct ram_image *ram, const uint8_t *data, uint64_t len);

/*
 * ram_release() for a reader that goes through the data in address order in
 * pieces of any size (a run of pages comes page by page): pieces that follow
 * each other closely are released together, once RAM_RELEASE_WINDOW bytes
 * have gathered, so a scan of any guest keeps at most that much resident and
 * makes few system calls. ram_release_done() releases the rest.
 */
#define RAM_RELEASE_WINDOW (UINT64_C(4) << 20)
struct ram_releaser {
	const struct ram_image *ram;
	const uint8_t *p;
	uint64_t len;
};
void ram_release_lazy(struct ram_releaser *r, const uint8_t *data, uint64_t len);
void ram_release_done(struct ram_releaser *r);

/*
 * Stretches of data that are contiguous in memory: the extents, a run of
 * pages counting once per page (what the format stores; inspect reports it).
 */
size_t ram_pieces(const struct ram_image *ram);

/* True if [gpa, gpa+len) lies inside guest RAM (overflow-safe). */
bool ram_contains(const struct ram_image *ram, uint64_t gpa, uint64_t len);
/* NULL if [gpa, gpa+len) lies inside guest RAM (overflow-safe). */
struct mperr *ram_check_range(const struct ram_image *ram, uint64_t gpa, uint64_t len);
/* A ram_data_fn that copies each stretch into buf, which starts at gpa. */
struct ram_buf {
	uint8_t *buf;
	uint64_t gpa;
};
struct mperr *ram_buf_fill(void *ram_buf, uint64_t gpa, const uint8_t *data, uint64_t len);

/* Copy [gpa, gpa+len) into buf; holes read as zero. Error outside RAM. */
struct mperr *ram_read(const struct ram_image *ram, uint64_t gpa, void *buf, size_t len);
/* Index of the first extent ending after gpa (n if none). */
size_t ram_find(const struct ram_image *ram, uint64_t gpa);

/*
 * Call fn for each stretch of [gpa, gpa+len) that has data; holes are skipped.
 * fn returns NULL to go on. Pointers stay valid while the image lives.
 */
typedef struct mperr *(*ram_data_fn)(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len);
struct mperr *ram_walk_data(const struct ram_image *ram, uint64_t gpa, uint64_t len,
			    ram_data_fn fn, void *ctx);

#endif
