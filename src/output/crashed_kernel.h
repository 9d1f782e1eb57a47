/*
 * crashed_kernel.h - what a snapshot says about the kernel that crashed,
 * without a debugger: fadump's registration and crash info header (through
 * the MPIPL metadata kernel tag, kernel_fadump.h), its VMCOREINFO (the ELF
 * input's note, else the address the crash info header gives, else a search
 * of RAM: vmcoreinfo.h) and its printk log (printk.h). Each part that cannot
 * be read says why in its *_why text; only out of memory is an error.
 */
#ifndef MPIPLSIM_CRASHED_KERNEL_H
#define MPIPLSIM_CRASHED_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "input/snapshot.h"
#include "output/kernel_fadump.h"
#include "tables/mpipl_tables.h"
#include "tables/printk.h"
#include "tables/vmcoreinfo.h"

enum ck_fadump { CK_NO_TABLES, CK_NO_TAG, CK_UNREADABLE, CK_NOT_REGISTERED, CK_REGISTERED };

struct crashed_kernel {
	/* fadump, from the MPIPL metadata kernel tag */
	enum ck_fadump fadump;
	char fadump_why[256];		/* unless CK_REGISTERED */
	uint64_t kernel_tag, fdm_gpa, fdh_gpa;
	uint16_t region_cnt, registered_regions;
	enum kf_magic magic;		/* crash info header layout */
	uint32_t hdr_version;		/* FADMPSIG */
	uint32_t crashing_cpu;		/* PIR, KF_CPU_UNKNOWN if none recorded */
	uint64_t crash_nip, crash_lr;	/* from the crash info header's pt_regs */
	bool crash_recorded;		/* the crash info header names a crashing CPU */
	/* VMCOREINFO */
	struct vmcoreinfo vi;
	bool have_vi;
	uint64_t vi_pointer;		/* the address the crash info header gives, 0 if none */
	char vi_why[256];
	/* printk */
	struct printk_log log;
	bool have_log;
	char log_why[256];
};

/* t: the snapshot's MPIPL tables, or NULL if they could not be read. */
struct mperr *ck_load(struct crashed_kernel *k, const struct snapshot *snap,
		      const struct mpipl_tables *t);
void ck_free(struct crashed_kernel *k);

#endif
