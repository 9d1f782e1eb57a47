/*
 * snap_build.h - the snapshot builder: what a reader fills while it reads
 * one stopped guest (its RAM, its vCPUs, the blocks and notes inspect
 * reports). Lives below the readers (libkdumpfile's shared context): they
 * call into it, it never calls them. Knows no format and no MPIPL table.
 */
#ifndef MPIPLSIM_SNAP_BUILD_H
#define MPIPLSIM_SNAP_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu_state.h"
#include "core/err.h"
#include "core/input_file.h"
#include "core/ram_image.h"

enum snap_format { SNAP_AUTO, SNAP_RAW, SNAP_MIG, SNAP_ELF, SNAP_KDUMP };

#define SNAP_NR_FORMATS 4		/* raw, mig, elf, kdump */
#define SNAP_EVIDENCE_LEN 112

/* A memory block or segment of the input, as inspect reports it. */
struct snap_block {
	char name[64];		/* RAM block idstr, "PT_LOAD 3", ... */
	uint64_t gpa;		/* guest-physical base, if is_ram */
	uint64_t len;
	int is_ram;		/* mapped into guest RAM at gpa */
};

/* Why detection took (or passed over) a format: one probe's finding. */
struct snap_evidence {
	enum snap_format format;
	bool match;
	char why[SNAP_EVIDENCE_LEN];
};

struct snapshot {
	struct input in;
	enum snap_format format;
	char format_detail[96];	/* "QEMU migration stream v3, machine powernv9", ... */
	struct ram_image ram;
	struct cpu_set cpus;	/* empty if the format carries no registers */
	struct snap_block *blocks;
	size_t n_blocks;
	char **notes;		/* free-form facts for inspect (e.g. how PIRs were found) */
	size_t n_notes;
	/* the probes asked, in order, when the format was detected (none when forced) */
	struct snap_evidence evidence[SNAP_NR_FORMATS];
	unsigned n_evidence;
};

struct mperr *snap_add_block(struct snapshot *s, const char *name, uint64_t gpa, uint64_t len,
			     int is_ram);
struct mperr *snap_add_note(struct snapshot *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Free what readers added (RAM extents, vCPUs, blocks, notes); the input stays open. */
void snap_free_parts(struct snapshot *s);

#endif
