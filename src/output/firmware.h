/*
 * firmware.h - what hostboot writes into the payload image (mpipl.md §11,
 * simulation.md §5 --firmware). The skiboot that QEMU reloads at address 0
 * copies its own image over SPIRA-H and the processor dump area, so the
 * results kept there must be in the image. Reads a skiboot image (never
 * writing it), finds its own SPIRA-H with the rules RAM uses, checks that it
 * is the firmware of the snapshot, and patches a copy in memory with the
 * bytes the post-MPIPL view holds at the relocated addresses. The caller
 * writes the copy (outfile); nothing here knows about argv or output names.
 */
#ifndef MPIPLSIM_FIRMWARE_H
#define MPIPLSIM_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "tables/mpipl_tables.h"
#include "core/overlay.h"
#include "sim/sim.h"

/* skiboot's image area (include/mem-map.h SKIBOOT_SIZE): no image is larger */
#define FW_MAX_SIZE	0x1c10000u
#define FW_MAX_PATCHES	8

/* One run of bytes the copy differs in, for reports and tests. */
struct fw_patch {
	uint64_t off;		/* in the image = unrelocated address */
	uint32_t len;
	const char *what;
};

struct fw_image {
	const char *name;	/* file name, for messages */
	uint8_t *buf;		/* the image, patched in place by fw_patch_from() */
	size_t len;
	uint64_t base;		/* relocated OPAL base the ntuples were resolved against */
	uint64_t spirah_off;	/* SPIRA-H's offset in the image */
	bool legacy_spira;
	struct spirah sp;
	uint64_t pda_off;	/* processor dump area (ntuple 6), unrelocated */
	struct fw_patch patch[FW_MAX_PATCHES];
	unsigned n_patch;
};

/* Read a skiboot image file and find its SPIRA-H; base as for the snapshot. */
struct mperr *fw_read(struct fw_image *fw, const char *path, uint64_t base);
/* The same on bytes in memory (copied); name is used in messages. */
struct mperr *fw_from_bytes(struct fw_image *fw, const char *name, const uint8_t *bytes,
			    size_t len, uint64_t base);

/*
 * Check the image against the snapshot's tables, then write into it what the
 * plan wrote into the view at the relocated addresses: the processor dump
 * area's thread_size, version, dest_addr, act_size and SPIRA-H ntuple 5
 * act_cnt (hostboot), or the whole area at its absolute address (qemu-v2).
 */
struct mperr *fw_patch_from(struct fw_image *fw, const struct mpipl_tables *t,
			    const struct sim_plan *p, const struct overlay *ovl,
			    const struct warn_sink *w);

/* Write the (patched) image to fd from offset 0; the caller commits len bytes. */
struct mperr *fw_write(const struct fw_image *fw, int fd);
void fw_free(struct fw_image *fw);

#endif
