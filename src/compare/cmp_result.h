/*
 * cmp_result.h - what a comparison of two post-MPIPL images found: field
 * differences (struct cmp_diff), named byte ranges (struct cmp_range) and
 * where each image's thread records were read. Types only; compare.h fills
 * them, cmp_row.h classifies them, report_compare.c prints them.
 */
#ifndef MPIPLSIM_CMP_RESULT_H
#define MPIPLSIM_CMP_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/plan.h"

/* What a field difference is about. Values are a/b of struct cmp_diff. */
enum cmp_what {
	CMP_RAM_SIZE,		/* RAM sizes */
	CMP_TABLE_GPA,		/* index: ntuple (SPIRAH_NR_NTUPLES = SPIRA-H itself); gpas */
	CMP_MDRT_ACT_CNT,	/* SPIRA-H ntuple 5 act_cnt; ctx: MDRT alloc_cnt */
	CMP_MDRT_COUNTED,	/* entries [index, index+span) counted in one image only;
				 * a/b: act_cnt (hostboot semantics); ctx: MDRT alloc_cnt */
	CMP_MDRT_SRC,		/* MDRT entry index, as stored; ctx: the entry's size */
	CMP_MDRT_DEST,		/* likewise */
	CMP_MDRT_REGION,
	CMP_MDRT_TYPE,
	CMP_MDRT_SIZE,
	CMP_MDRT_PAD,		/* reserved/padding bytes (0x12, 0x18), as one 64-bit sum */
	CMP_PDA_THREAD_SIZE,	/* index: enum cmp_area */
	CMP_PDA_VERSION,
	CMP_PDA_ALLOC_ADDR,
	CMP_PDA_ALLOC_SIZE,
	CMP_PDA_DEST,
	CMP_PDA_ACT_SIZE,
	CMP_THREAD_COUNT,	/* records read */
	CMP_THREAD_PRESENT,	/* pir: a/b 1 if that image has a record for it */
	CMP_THREAD_POSITION,	/* pir: record index in each image */
	CMP_THREAD_CORE_STATE,	/* pir */
	CMP_THREAD_OFFSET,	/* pir: header offset field */
	CMP_THREAD_ECNT,
	CMP_THREAD_ESIZE,
	CMP_THREAD_EACTSZ,
	CMP_REG_PRESENT,	/* pir, reg: a/b 1 if present; ctx: that record's header offset */
	CMP_REG_VALUE,		/* pir, reg */
	CMP_WHAT_COUNT
};

/*
 * Which copy of the processor dump area (index of CMP_PDA_* diffs): at the
 * ntuple address, at 0x10300, or the one each image's records were read
 * from, when those lie at different places (hostboot vs QEMU v2).
 */
enum cmp_area { CMP_AREA_NTUPLE, CMP_AREA_QEMU, CMP_AREA_WRITTEN };

struct cmp_diff {
	enum cmp_what what;
	long index;		/* MDRT entry, ntuple, area; -1 if none */
	unsigned span;		/* consecutive entries covered (CMP_MDRT_COUNTED), else 1 */
	uint32_t pir;		/* thread diffs */
	struct reg_id reg;	/* register diffs */
	uint64_t a, b;		/* the value in A and in B */
	uint64_t ctx_a, ctx_b;	/* what cmp_row() needs besides (see enum cmp_what) */
	const char *row;	/* "D6", ... or NULL: cmp_row() of this diff */
};

/* Named stretches of guest RAM compared byte by byte. */
enum cmp_range_kind {
	CMP_RANGE_DEST,		/* an MDDT destination: a preserved range */
	CMP_RANGE_SPIRAH,
	CMP_RANGE_MDST,		/* the 64 entries skiboot reserves */
	CMP_RANGE_MDDT,
	CMP_RANGE_MDRT,		/* alloc_cnt entries */
	CMP_RANGE_PDA,		/* at the ntuple address */
	CMP_RANGE_PDA_QEMU,	/* at absolute 0x10300 */
	CMP_RANGE_THREADS,	/* alloc_addr, alloc_size */
	CMP_RANGE_META,		/* MPIPL metadata */
	CMP_RANGE_FDT,		/* flattened device tree at 0x01000000 */
	CMP_RANGE_REST,		/* everything else */
};

struct cmp_range {
	enum cmp_range_kind kind;
	char name[64];		/* "MDDT entry 1 destination", "MDDT entry 1 destination of B" */
	uint64_t gpa, len;
	uint64_t differing;	/* bytes that differ (holes read as zero) */
	uint64_t first;		/* gpa of the first difference, if differing */
	const char *row;	/* cmp_range_row() */
};

/* Where the thread records of one image were read (mpipl.md §4, §7 item 12). */
enum cmp_threads_from { CMP_THREADS_NONE, CMP_THREADS_NTUPLE, CMP_THREADS_QEMU };

struct cmp_side {
	enum cmp_threads_from threads_from;
	uint64_t threads_gpa;	/* dest_addr, HRMOR bit masked */
	uint32_t thread_size;
	size_t n_threads;
	bool threads_capped;	/* more records than RAM or the CMP_MAX_* limits hold */
	unsigned mdrt_counted;	/* entries counted, hostboot semantics */
};

struct cmp_result {
	struct cmp_side side[2];
	struct cmp_diff *diff;
	size_t n_diff, cap_diff;
	struct cmp_range *range;	/* named ranges, then the rest of RAM last */
	size_t n_range, cap_range;
	unsigned mdrt_compared;		/* entries compared field by field */
	uint64_t bytes_differing;	/* over all ranges; a byte in two named ranges counts twice */
	size_t n_ranges_differing;
};

#endif
