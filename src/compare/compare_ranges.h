/*
 * compare_ranges.h - the byte part of a comparison: every preserved range
 * (MDDT destination), every table, then the rest of RAM (compare_ranges.c).
 */
#ifndef MPIPLSIM_COMPARE_RANGES_H
#define MPIPLSIM_COMPARE_RANGES_H

#include "compare/cmp_result.h"
#include "core/ram_image.h"
#include "tables/mpipl_tables.h"

/* The byte part of cmp_images(): named ranges, then the rest (compare_ranges.c). */
struct mperr *cmp_ranges(const struct mpipl_tables *const t[2], struct cmp_result *r);
/* Byte comparison of [gpa, gpa+len) of two images; beyond an image's size reads as zero. */
struct mperr *cmp_bytes(const struct ram_image *a, const struct ram_image *b, uint64_t gpa,
			uint64_t len, uint64_t *differing, uint64_t *first);

#endif
