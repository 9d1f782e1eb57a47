/*
 * kernel_fadump.h - the crashed Linux kernel's fadump structures, read from
 * the post-MPIPL view as the capture kernel reads them (mpipl.md §5, §6):
 * MPIPL metadata kernel tag -> opal_fadump_mem_struct (big-endian) -> crash
 * info header (kernel byte order) -> the kernel's ELF core header; and the
 * firmware thread records turned into NT_PRSTATUS notes as
 * opal_fadump_build_cpu_notes() does. Reading only (inspect and the vmcore
 * share it): the vmcore layout is output/vmcore.h's business.
 *
 * Two ABIs, told apart by the crash info header's magic (and version), never
 * by a kernel version (mpipl.md §5):
 * - "FADMPINF" (Linux <= 6.8, e.g. 6.1): magic, elfcorehdr_addr, crashing_cpu,
 *   pt_regs, cpumask; the crashed kernel built the ELF core header at
 *   registration and the capture kernel exports it as is.
 * - "FADMPSIG" version 1 (Linux 6.9+, e.g. 6.12): magic, version,
 *   crashing_cpu, vmcoreinfo_raddr/size, pt_regs_sz, cpu_mask_sz, pt_regs,
 *   cpumask; no ELF core header in memory: the capture kernel builds it
 *   (fadump_populate_elfcorehdr) from the boot-memory regions and its own
 *   memblock ranges, minus the reservation. The reservation no longer ends on
 *   a page boundary after the header, so the kernel tag (the
 *   opal_fadump_mem_struct right after the crash info header) is unaligned.
 */
#ifndef MPIPLSIM_KERNEL_FADUMP_H
#define MPIPLSIM_KERNEL_FADUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/elfcore.h"
#include "core/err.h"
#include "core/overlay.h"

#define KF_MAX_REGIONS		128u	/* FADUMP_MAX_MEM_REGS */
#define KF_PT_REGS_WORDS	48u	/* ppc64 struct pt_regs = ELF_NGREG words */
#define KF_CPU_UNKNOWN		UINT32_C(0xffffffff)	/* FADUMP_CPU_UNKNOWN */

enum kf_magic { KF_FADMPINF = 1, KF_FADMPSIG = 2 };

#define KF_SIG_VERSION		1u	/* FADUMP_HEADER_VERSION of Linux 6.9 to 6.12 */
#define KF_INF_HDR_FIXED	0x18u	/* FADMPINF: magic, elfcorehdr_addr, cpu, pad */
#define KF_SIG_HDR_FIXED	0x28u	/* FADMPSIG: up to pt_regs */

struct kf_region {
	uint64_t src, dest, size;
};

struct kernel_fadump {
	/* opal_fadump_mem_struct at the kernel tag */
	uint64_t fdm_gpa;
	uint8_t fdm_version;
	uint16_t region_cnt, registered_regions;
	uint64_t fdh_gpa;		/* fadumphdr_addr */
	struct kf_region rgn[KF_MAX_REGIONS];
	unsigned n_rgn;			/* min(region_cnt, KF_MAX_REGIONS) */
	/* fadump_crash_info_header */
	enum kf_magic magic;
	bool big;			/* byte order of the crash info header */
	uint32_t hdr_version;		/* FADMPSIG only (FADMPINF counts as 0) */
	uint32_t pt_regs_sz, cpu_mask_sz;	/* FADMPSIG only */
	uint64_t fdh_size;		/* sizeof(fadump_crash_info_header), FADMPSIG only */
	uint64_t boot_mem_size;		/* sum of rgn[].size (opal_fadump_get_config) */
	uint32_t crashing_cpu;		/* a PIR on OPAL */
	uint64_t regs[KF_PT_REGS_WORDS];	/* pt_regs of the crashing CPU */
	uint64_t elfcorehdr_gpa;	/* FADMPINF only */
	uint64_t vmcoreinfo_gpa, vmcoreinfo_size;	/* FADMPSIG only */
	struct elfcore_hdr eh;
};

/* A stretch of guest RAM, for the headers that must list RAM ranges. */
struct kf_range {
	uint64_t gpa, len;
};

/* "FADMPINF" or "FADMPSIG" */
const char *kf_magic_name(enum kf_magic m);

/*
 * Read the structures from the kernel tag down to the crash info header.
 * An error means "no usable kernel data": the message says which structure,
 * where and what was expected. Does not read the ELF core header.
 */
struct mperr *kf_load(const struct overlay *ovl, uint64_t kernel_tag, struct kernel_fadump *kf,
		      const struct warn_sink *w);
/*
 * The ELF core header: read at elfcorehdr_addr (FADMPINF), or built as the
 * 6.9+ capture kernel's fadump_populate_elfcorehdr() does (FADMPSIG) from
 * ram, the capture kernel's memblock ranges (sorted, one per NUMA node's
 * memory: the device tree's memory nodes), and the reservation
 * [rgn[0].dest, rgn[0].dest + get_fadump_area_size()).
 */
struct mperr *kf_load_elfcore(const struct overlay *ovl, struct kernel_fadump *kf,
			      const struct kf_range *ram, size_t n_ram, uint64_t page_size);
/* The header of the fallback vmcore: a CPU-notes PT_NOTE, one PT_LOAD per RAM range. */
struct mperr *kf_fallback_elfcore(struct elfcore_hdr *e, bool big, const struct kf_range *ram,
				  size_t n_ram);
void kf_free(struct kernel_fadump *kf);

/* CPU state data as skiboot publishes it (OPAL_MPIPL_TAG_CPU) and Linux checks it. */
struct kf_cpu_data {
	bool valid;
	char why[160];			/* if !valid: why Linux would ignore it */
	uint64_t dest;			/* region[0].dest, HRMOR bit masked */
	uint32_t thread_size, version, act_size;
	uint32_t n_threads;		/* act_size / thread_size */
	uint32_t regs_offset, ecnt, esize;	/* from the first thread header */
};

/* Read the processor dump area at pda_gpa in the post-MPIPL view (mpipl.md §4, §6). */
struct mperr *kf_cpu_data_load(const struct overlay *ovl, uint64_t pda_gpa,
			       struct kf_cpu_data *cd, const struct warn_sink *w);

/* The CPU notes buffer: NT_PRSTATUS notes back to back, without the terminator. */
struct kf_notes {
	uint8_t *buf;
	size_t len;
	unsigned n;
	uint32_t *pir;			/* PIR of each note (for reports and tests) */
	size_t slots;			/* notes the capture kernel allocated room for */
};

#define KF_PRSTATUS_SIZE	0x1f8u	/* sizeof(struct elf_prstatus), ppc64 */
#define KF_PRSTATUS_PID		0x20u
#define KF_PRSTATUS_REG		0x70u
#define KF_NOTE_SIZE		(12u + 8u + KF_PRSTATUS_SIZE)	/* header, "CORE\0" padded */
#define KF_NOTE_BUF_T		(2u * 12u + 8u + KF_PRSTATUS_SIZE)	/* note_buf_t */

/*
 * opal_fadump_build_cpu_notes(): one note per thread record in record order,
 * the crashing CPU's from kf->regs, core state 0x0F skipped; no note at all
 * -> the crash info header's registers alone, or an error if the crashing CPU
 * is unknown. kf may be NULL (no crash info header: every thread from its
 * record). big: byte order of the notes. pids_pir: pr_pid = PIR.
 */
struct mperr *kf_build_cpu_notes(const struct overlay *ovl, const struct kernel_fadump *kf,
				 const struct kf_cpu_data *cd, bool big, bool pids_pir,
				 struct kf_notes *out, const struct warn_sink *w);
void kf_notes_free(struct kf_notes *n);

#endif
