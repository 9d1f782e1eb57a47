/*
 * prstatus.h - vCPU registers from ppc64 ELF core notes, and their PIRs.
 * The notes are those QEMU's dump-guest-memory writes (snapshot-formats.md
 * §6.3-6.4); the ELF and the kdump readers both carry them. The notes hold no
 * PIR: prstatus_find_pirs() takes the PIR list from a device tree in guest RAM.
 */
#ifndef MPIPLSIM_PRSTATUS_H
#define MPIPLSIM_PRSTATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/snap_build.h"

/* ppc64 elf_prstatus: 112 bytes before pr_reg, 48 slots, pr_fpvalid (§6.4) */
#define PRSTATUS_DESC_SIZE 504u
#define PRSTATUS_REG_OFF 112u
/* more NT_PRSTATUS notes than this is not a POWER machine */
#define PRSTATUS_MAX_CPUS 16384u

struct prstatus_counts {
	size_t notes;		/* all notes seen */
	size_t prstatus;	/* NT_PRSTATUS: one vCPU each */
	size_t fpreg, vmx, vsx, spe;	/* acknowledged, not parsed */
	size_t other;		/* other names or types, skipped */
};

/*
 * Walk the notes in buf[0, len) (at file offset foff, for messages), fields in
 * the given byte order, and append one cpu_regs to cpus per NT_PRSTATUS. The
 * PIRs are left zero and unknown. Errors name the note index and file offset.
 */
struct mperr *prstatus_parse_notes(const uint8_t *buf, size_t len, uint64_t foff, bool big,
				   struct cpu_set *cpus, struct prstatus_counts *cnt,
				   const struct warn_sink *w);

/*
 * Give every vCPU of s->cpus its PIR: from a flattened device tree in guest
 * RAM (QEMU's at 0x01000000, else the first one found in RAM whose /cpus
 * lists as many threads as there are vCPUs), else the POWER9 convention
 * cpu_index * 4 with pir_known false. s->ram must be finished. Explains the
 * choice in s->cpus.pir_source and in a snapshot note.
 */
struct mperr *prstatus_find_pirs(struct snapshot *s, const struct warn_sink *w);

#endif
