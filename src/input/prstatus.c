/* prstatus.c - see prstatus.h */
#include "input/prstatus.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "input/device_tree.h"

#define NOTE_HDR_SIZE 12u

/* pr_reg slots (snapshot-formats.md §6.4, QEMU target/ppc/arch_dump.c) */
enum { REG_NIP = 32, REG_MSR = 33, REG_CTR = 35, REG_LR = 36, REG_XER = 37, REG_CCR = 38 };

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* "CORE" with its NUL (namesz 5, as QEMU and Linux write it) or without */
static bool note_name_is(const uint8_t *name, uint32_t namesz, const char *want)
{
	size_t n = strlen(want);

	if (namesz == n + 1 && name[n] != 0)
		return false;
	return (namesz == n || namesz == n + 1) && !memcmp(name, want, n);
}

/*
 * One NT_PRSTATUS desc: a new vCPU. QEMU fills GPRs, NIP, MSR, CTR, LR, XER
 * and CCR; it memsets DAR, DSISR, trap, softe and the rest to zero
 * (arch_dump.c ppc_write_elf_prstatus), so those are not marked carried.
 */
static struct mperr *prstatus_one(const uint8_t *desc, uint32_t descsz, bool big,
				  struct cpu_set *cpus)
{
	const uint8_t *reg = desc + PRSTATUS_REG_OFF;
	struct cpu_regs *r;

	if (descsz != PRSTATUS_DESC_SIZE)
		return mperr_input("NT_PRSTATUS desc is %" PRIu32 " bytes, expected %u (ppc64)",
				   descsz, PRSTATUS_DESC_SIZE);
	if (cpus->n >= PRSTATUS_MAX_CPUS)
		return mperr_input("more than %u NT_PRSTATUS notes", PRSTATUS_MAX_CPUS);
	r = cpu_set_add(cpus);
	if (!r)
		return mperr_nomem();
	for (unsigned i = 0; i < 32; i++)
		r->gpr[i] = ld_u64(reg + 8 * i, big);
	r->nip = ld_u64(reg + 8 * REG_NIP, big);
	r->msr = ld_u64(reg + 8 * REG_MSR, big);
	r->cr = ld_u64(reg + 8 * REG_CCR, big) & 0xffffffffu;
	cpu_set_spr(r, SPRN_CTR, ld_u64(reg + 8 * REG_CTR, big));
	cpu_set_spr(r, SPRN_LR, ld_u64(reg + 8 * REG_LR, big));
	cpu_set_spr(r, SPRN_XER, ld_u64(reg + 8 * REG_XER, big));
	r->have = CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR;
	return NULL;
}

/* Register sets QEMU writes besides NT_PRSTATUS: counted, sizes checked, not parsed. */
static void note_acknowledge(uint32_t type, uint32_t descsz, size_t idx,
			     struct prstatus_counts *cnt, const struct warn_sink *w)
{
	static const struct {
		uint32_t type;
		uint32_t size;
		const char *name;
	} known[] = {
		{ NT_PRFPREG, 264, "NT_PRFPREG" }, { NT_PPC_VMX, 544, "NT_PPC_VMX" },
		{ NT_PPC_VSX, 256, "NT_PPC_VSX" }, { NT_PPC_SPE, 140, "NT_PPC_SPE" },
	};
	size_t *counter[] = { &cnt->fpreg, &cnt->vmx, &cnt->vsx, &cnt->spe };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].type != type)
			continue;
		(*counter[i])++;
		if (descsz != known[i].size)
			warnf(w, "note %zu: %s desc is %" PRIu32 " bytes, expected %" PRIu32, idx,
			      known[i].name, descsz, known[i].size);
		return;
	}
	cnt->other++;
}

/* One note at p (left bytes to the end of the notes); *used = its padded size. */
static struct mperr *note_one(const uint8_t *p, size_t left, size_t idx, bool big,
			      struct cpu_set *cpus, struct prstatus_counts *cnt,
			      const struct warn_sink *w, size_t *used)
{
	uint32_t namesz, descsz, type;
	uint64_t name_end, desc_end;

	if (left < NOTE_HDR_SIZE)
		return mperr_input("note header truncated: 0x%zx bytes left, %u needed", left,
				   NOTE_HDR_SIZE);
	namesz = ld_u32(p, big);
	descsz = ld_u32(p + 4, big);
	type = ld_u32(p + 8, big);
	name_end = NOTE_HDR_SIZE + align4(namesz);	/* no overflow: namesz < 2^32 */
	desc_end = name_end + descsz;
	if (desc_end > left)
		return mperr_input("note type 0x%" PRIx32 " (name %" PRIu32 " bytes, desc %" PRIu32
				   " bytes) extends past the end of the notes (0x%zx bytes left)",
				   type, namesz, descsz, left);
	*used = align4(desc_end) < left ? align4(desc_end) : left;
	cnt->notes++;
	if (!note_name_is(p + NOTE_HDR_SIZE, namesz, "CORE") &&
	    !note_name_is(p + NOTE_HDR_SIZE, namesz, "LINUX")) {
		cnt->other++;
		return NULL;
	}
	if (type == NT_PRSTATUS) {
		cnt->prstatus++;
		return prstatus_one(p + name_end, descsz, big, cpus);
	}
	note_acknowledge(type, descsz, idx, cnt, w);
	return NULL;
}

struct mperr *prstatus_parse_notes(const uint8_t *buf, size_t len, uint64_t foff, bool big,
				   struct cpu_set *cpus, struct prstatus_counts *cnt,
				   const struct warn_sink *w)
{
	size_t pos = 0;

	memset(cnt, 0, sizeof(*cnt));
	for (size_t idx = 0; pos < len; idx++) {
		struct mperr *err;
		size_t used = 0;

		if (len - pos < NOTE_HDR_SIZE && mem_is_zero(buf + pos, len - pos))
			break;	/* zero padding after the last note */
		err = note_one(buf + pos, len - pos, idx, big, cpus, cnt, w, &used);
		if (err)
			return mperr_at(mperr_in_entry(err, "note", (long)idx), foff + pos);
		pos += used;
	}
	return NULL;
}

/* ---- PIRs from a flattened device tree in guest RAM (device_tree.c) ---- */

static struct mperr *pirs_by_convention(struct snapshot *s, const char *why)
{
	struct cpu_set *set = &s->cpus;

	for (size_t i = 0; i < set->n; i++) {
		set->cpu[i].pir = (uint32_t)i * 4;
		set->cpu[i].pir_known = false;
	}
	snprintf(set->pir_source, sizeof(set->pir_source),
		 "guessed: POWER9 one chip SMT1 convention PIR = cpu_index * 4 (%.90s)", why);
	return snap_add_note(s, "PIRs %s", set->pir_source);
}

static struct mperr *pirs_from_tree(struct snapshot *s, const struct dt_info *dt)
{
	struct cpu_set *set = &s->cpus;
	char list[96];
	size_t n = 0;

	list[0] = '\0';
	for (size_t i = 0; i < set->n; i++) {
		set->cpu[i].pir = dt->pir[i];
		set->cpu[i].pir_known = true;
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s0x%" PRIx32,
					      i ? " " : "", dt->pir[i]);
	}
	snprintf(set->pir_source, sizeof(set->pir_source),
		 "device tree at 0x%" PRIx64 ", /cpus threads in ascending PIR order "
		 "(= QEMU cpu_index order)", dt->gpa);
	return snap_add_note(s, "PIRs from the %s device tree at 0x%" PRIx64 ": %s; the dump's "
			     "CPU notes carry none (pr_pid 0) and are in cpu_index order, which "
			     "for powernv is ascending PIR", dt->gpa == FDT_QEMU_GPA ? "QEMU" :
			     "in-RAM", dt->gpa, list);
}

struct mperr *prstatus_find_pirs(struct snapshot *s, const struct warn_sink *w)
{
	struct dt_info dt;
	struct mperr *err;
	char reason[128];

	if (!s->cpus.n)
		return NULL;
	s->ram.map = s->in.map;	/* so that the scan can release the pages it read */
	s->ram.map_len = s->in.len;
	err = dt_find(&s->ram, s->cpus.n, &dt, reason, sizeof(reason));
	if (!err && dt.found)
		err = pirs_from_tree(s, &dt);
	else if (!err) {
		warnf(w, "%s: PIRs not found in guest RAM (%s): assuming PIR = cpu_index * 4",
		      s->in.path, reason);
		err = pirs_by_convention(s, reason);
	}
	dt_free(&dt);
	return err;
}
