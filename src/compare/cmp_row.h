/*
 * cmp_row.h - which row of the "hostboot vs QEMU v2" table (mpipl.md §7,
 * D1-D21) a difference matches. A leaf of compare: pure functions of the
 * values, called by the field comparison (compare.c) and the byte ranges
 * (compare_ranges.c) alike.
 */
#ifndef MPIPLSIM_CMP_ROW_H
#define MPIPLSIM_CMP_ROW_H

#include "compare/cmp_result.h"

/*
 * The mpipl.md §7 row a difference matches ("D6", "D9", ...), or NULL. Pure:
 * depends only on the fields of d, so it can be tested on made-up values.
 */
const char *cmp_row(const struct cmp_diff *d);
const char *cmp_range_row(enum cmp_range_kind kind);
/* Count of QEMU v2 32 MiB chunks for len: float ceiling (mpipl.md §7 item 7, B3) */
uint64_t cmp_qemu_chunks(uint32_t len);

#endif
