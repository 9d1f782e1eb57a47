/*
 * mpipl_tables.h - OPAL's MPIPL tables as they sit in guest RAM: SPIRA-H and
 * its ntuples, MDST, MDDT, MDRT, the processor dump area and the MPIPL
 * metadata (mpipl.md §1-§5). Parsing and structural validation only
 * (mpipl.md §10, table rows about the tables themselves); what the copy does
 * with them is sim.h's business. Where each field sits: mpipl_layout.h.
 */
#ifndef MPIPLSIM_MPIPL_TABLES_H
#define MPIPLSIM_MPIPL_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ram_image.h"
#include "tables/mpipl_layout.h"

struct ntuple {
	uint64_t raw;		/* addr as stored */
	uint64_t gpa;		/* bit 63 masked, base-relative offsets resolved */
	bool relative;		/* stored as an offset from the OPAL base */
	uint16_t alloc_cnt, act_cnt;
	uint32_t alloc_len, act_len;
};

struct dump_entry {
	uint64_t raw;		/* address as stored, HRMOR bit included */
	uint64_t gpa;
	uint8_t region, type;
	uint32_t size;
};

struct proc_dump_area {
	uint64_t gpa;		/* of the area itself */
	uint32_t thread_size;
	uint8_t version;
	uint64_t alloc_raw, alloc_gpa;
	uint32_t alloc_size;
	uint64_t dest_raw;
	uint32_t act_size;
};

struct mpipl_meta {
	uint64_t gpa;
	uint32_t crashing_pir;
	uint64_t kernel_tag;
	uint64_t boot_mem_size;
};

struct mpipl_tables {
	const struct ram_image *ram;	/* the RAM they were read from */
	uint64_t base;		/* relocated OPAL base */
	uint64_t spirah_gpa;
	bool legacy_spira;	/* "SPIRA " HDIF in front of SPIRA-H (skiboot v7.0) */
	const char *layout;	/* "skiboot v7.0", "skiboot master" or "unknown" */
	uint16_t spirah_version;
	uint32_t spirah_ecnt;
	struct ntuple nt[SPIRAH_NR_NTUPLES];
	struct dump_entry mdst[DUMP_TABLE_MAX], mddt[DUMP_TABLE_MAX];
	unsigned n_mdst, n_mddt;
	struct proc_dump_area pda;
	struct mpipl_meta meta;
};

/* What a SPIRA-H header says, wherever it was read (guest RAM or a firmware image). */
struct spirah {
	uint16_t version;
	uint32_t ecnt;
	struct ntuple nt[SPIRAH_NR_NTUPLES];
};

/* Table addresses given by the user instead of SPIRA-H (0 = not given). */
struct table_override {
	uint64_t spirah, mdst, mddt, mdrt, pda;
};

struct mperr *mpipl_tables_load(const struct ram_image *ram, uint64_t base,
				const struct table_override *ovr, struct mpipl_tables *t,
				const struct warn_sink *w);

/* One MDST/MDDT entry from its 16 bytes (mpipl.md §3). */
void dump_entry_parse(const uint8_t *b, struct dump_entry *e);
/* The 0x30-byte processor dump area at gpa (mpipl.md §4). */
struct mperr *pda_read(const struct ram_image *ram, uint64_t gpa, struct proc_dump_area *p);
/*
 * The SPIRA-H search and header rules on plain bytes, for RAM and for a
 * firmware image alike. win holds len bytes starting at base +
 * SPIRAH_SEARCH_OFF; *off is SPIRA-H's offset in win. spirah_parse() reads
 * SPIRAH_SIZE bytes at h (at = their address, for messages) and resolves the
 * ntuple addresses against base.
 */
bool spirah_search(const uint8_t *win, size_t len, size_t *off, bool *legacy_spira);
struct mperr *spirah_parse(const uint8_t *h, uint64_t at, uint64_t base, struct spirah *sp);

const char *spirah_ntuple_name(unsigned i);
const char *dump_region_name(uint8_t region);

#endif
