/*
 * compare.h - two post-MPIPL images compared by meaning (simulation.md §7):
 * the SPIRA-H result count, MDRT entries, the processor dump area (at its
 * ntuple address and at absolute 0x10300, where QEMU v2 writes it), thread
 * records register by register, and the bytes of every preserved range, of
 * every table and of the rest of RAM. Each difference names the row of the
 * "hostboot vs QEMU v2" table (mpipl.md §7, D1-D21) it matches, if any.
 * Computes only; report_compare.c prints.
 */
#ifndef MPIPLSIM_COMPARE_H
#define MPIPLSIM_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare/cmp_result.h"
#include "compare/cmp_row.h"
#include "compare/compare_ranges.h"
#include "core/err.h"
#include "tables/mpipl_tables.h"

#define CMP_MAX_THREADS		8192u
#define CMP_MAX_REGS		1024u		/* entries parsed per thread record */
#define CMP_MAX_RECORD_BYTES	(64u << 20)	/* thread records read per image */

/*
 * Compare the images ta->ram and tb->ram whose tables were loaded with
 * mpipl_tables_load(). Fills r (cmp_result_free() it, also on error).
 */
struct mperr *cmp_images(const struct mpipl_tables *ta, const struct mpipl_tables *tb,
			 struct cmp_result *r);
void cmp_result_free(struct cmp_result *r);
static inline bool cmp_equal(const struct cmp_result *r)
{
	return !r->n_diff && !r->n_ranges_differing;
}

#endif
