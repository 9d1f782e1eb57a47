/*
 * overlay.h - copy-on-write view of guest RAM after the simulation's writes.
 * A sorted list of disjoint segments covering [0, size): each either maps to
 * the base ram_image at some gpa (untouched RAM and the MPIPL copies, which
 * never move bytes through memory) or to bytes the overlay owns (tables,
 * thread records). Operations apply in order, as the firmware does them.
 */
#ifndef MPIPLSIM_OVERLAY_H
#define MPIPLSIM_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ram_image.h"

struct ovl_seg {
	uint64_t gpa, len;
	uint64_t src_gpa;	/* base RAM address, if !bytes */
	const uint8_t *bytes;	/* owned bytes, or NULL for base RAM */
};

struct overlay {
	const struct ram_image *base;
	struct ovl_seg *seg;
	size_t n, cap;
	uint8_t **bufs;
	size_t n_bufs;
};

struct mperr *ovl_init(struct overlay *ovl, const struct ram_image *base);
void ovl_free(struct overlay *ovl);

/* memmove(dst, src, len) as seen through the current view (no bytes move). */
struct mperr *ovl_copy(struct overlay *ovl, uint64_t dst, uint64_t src, uint64_t len);
/* Overwrite [gpa, gpa+len) with a copy of bytes. */
struct mperr *ovl_write(struct overlay *ovl, uint64_t gpa, const void *bytes, size_t len);
/* Read through the view; holes read as zero. */
struct mperr *ovl_read(const struct overlay *ovl, uint64_t gpa, void *buf, size_t len);
/*
 * Call fn for each stretch of [gpa, gpa+len) that may hold non-zero bytes, in
 * address order; known-zero holes are skipped without reading anything.
 */
struct mperr *ovl_walk_data(const struct overlay *ovl, uint64_t gpa, uint64_t len,
			    ram_data_fn fn, void *ctx);
/* The bytes ovl_walk_data() would hand out for [gpa, gpa+len), without reading them. */
uint64_t ovl_data_bytes(const struct overlay *ovl, uint64_t gpa, uint64_t len);
/* True if the view at [gpa, gpa+len) is the base RAM at the same address. */
int ovl_is_identity(const struct overlay *ovl, uint64_t gpa, uint64_t len);

#endif
