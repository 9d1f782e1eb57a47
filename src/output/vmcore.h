/*
 * vmcore.h - decide the ELF vmcore that Linux's capture kernel would present
 * as /proc/vmcore for a post-MPIPL view (simulation.md §6): the crashed
 * kernel's ELF core header with its CPU notes filled in as opal-fadump.c
 * does, laid out as fs/proc/vmcore.c does (notes merged, page-aligned
 * segments); without usable kernel data, a fallback with one PT_LOAD per RAM
 * range and a warning. Writing is elf_out.h's job.
 */
#ifndef MPIPLSIM_VMCORE_H
#define MPIPLSIM_VMCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "output/elf_out.h"
#include "core/err.h"
#include "tables/kernel_fadump.h"
#include "core/overlay.h"

struct vmcore_options {
	uint64_t kernel_tag;		/* MPIPL metadata (mpipl.md §5) */
	uint64_t pda_gpa;		/* processor dump area as the capture boot reads it */
	bool pids_pir;			/* --vmcore-pids=pir */
	const struct kf_range *ram;	/* guest RAM ranges, for headers that list them */
	size_t n_ram;
	/* the capture kernel's memblock ranges (one per node's memory), for the 6.9+ header */
	const struct kf_range *mb;
	size_t n_mb;
};

struct vmcore {
	struct elfout_image img;
	bool fallback;			/* no kernel header: not what Linux would produce */
	enum kf_magic magic;		/* crash info header layout, 0 if none */
	uint64_t page_size;
	char osrelease[65];		/* from VMCOREINFO, "" if none */
	struct kf_cpu_data cpu_data;
	struct kf_notes cpu;		/* the NT_PRSTATUS notes, in order */
	uint32_t crashing_cpu;		/* from the crash info header, or KF_CPU_UNKNOWN */
	uint64_t crash_regs[KF_PT_REGS_WORDS];
	uint8_t *notes;			/* the merged note segment */
};

/* On error v holds nothing to free; on success vmcore_free() it. */
struct mperr *vmcore_plan(const struct overlay *ovl, const struct vmcore_options *o,
			  struct vmcore *v, const struct warn_sink *w);
void vmcore_free(struct vmcore *v);

#endif
