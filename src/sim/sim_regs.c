/*
 * sim_regs.c - thread register records in the processor dump area
 * (simulation.md §4; mpipl.md §4 "Register profiles").
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sim/sim_regs.h"

static const uint32_t linux_min_sprs[] = {
	REG_NIP, REG_MSR, REG_CR, SPRN_CTR, SPRN_LR, SPRN_XER, SPRN_DAR, SPRN_DSISR,
};
static const uint32_t hostboot_sprs[] = {
	SPRN_DEC, SPRN_SRR0, SPRN_SRR1, SPRN_CFAR, SPRN_SPRG0, SPRN_SPRG1, SPRN_SPRG2,
	SPRN_SPRG3, SPRN_PVR, SPRN_HSPRG0, SPRN_HSPRG1, SPRN_HSRR0, SPRN_HSRR1, SPRN_LPCR,
	SPRN_PIR,
};

const char *profile_name(enum reg_profile p)
{
	return p == PROFILE_QEMU_V2 ? "qemu-v2" : p == PROFILE_LINUX_MIN ? "linux-min" : "hostboot";
}

int profile_parse(const char *s)
{
	for (int i = PROFILE_HOSTBOOT; i <= PROFILE_LINUX_MIN; i++)
		if (!strcmp(s, profile_name(i)))
			return i;
	return -1;
}

const char *reg_name(struct reg_id r, char *buf, size_t len)
{
	static const struct { uint32_t num; const char *name; } spr[] = {
		{ REG_NIP, "NIP" }, { REG_MSR, "MSR" }, { REG_CR, "CR" }, { SPRN_XER, "XER" },
		{ SPRN_LR, "LR" }, { SPRN_CTR, "CTR" }, { SPRN_DSISR, "DSISR" },
		{ SPRN_DAR, "DAR" }, { SPRN_DEC, "DEC" }, { SPRN_SRR0, "SRR0" },
		{ SPRN_SRR1, "SRR1" }, { SPRN_CFAR, "CFAR" }, { SPRN_SPRG0, "SPRG0" },
		{ SPRN_SPRG1, "SPRG1" }, { SPRN_SPRG2, "SPRG2" }, { SPRN_SPRG3, "SPRG3" },
		{ SPRN_PVR, "PVR" }, { SPRN_HSPRG0, "HSPRG0" }, { SPRN_HSPRG1, "HSPRG1" },
		{ SPRN_HSRR0, "HSRR0" }, { SPRN_HSRR1, "HSRR1" }, { SPRN_LPCR, "LPCR" },
		{ SPRN_PIR, "PIR" },
	};

	if (r.type == REG_GPR) {
		snprintf(buf, len, "GPR%" PRIu32, r.num);
		return buf;
	}
	for (size_t i = 0; i < sizeof(spr) / sizeof(spr[0]); i++)
		if (r.type == REG_SPR && spr[i].num == r.num)
			return spr[i].name;
	snprintf(buf, len, "type%" PRIu32 ":0x%" PRIx32, r.type, r.num);
	return buf;
}

bool reg_carried(const struct cpu_regs *c, struct reg_id r)
{
	if (r.type == REG_GPR)
		return c->have & CPU_HAS_GPR;
	switch (r.num) {
	case REG_NIP: return c->have & CPU_HAS_NIP;
	case REG_MSR: return c->have & CPU_HAS_MSR;
	case REG_CR: return c->have & CPU_HAS_CR;
	}
	return cpu_has_spr(c, r.num);
}

static uint64_t reg_value(const struct cpu_regs *c, struct reg_id r)
{
	if (r.type == REG_GPR)
		return c->gpr[r.num];
	switch (r.num) {
	case REG_NIP: return c->nip;
	case REG_MSR: return c->msr;
	case REG_CR: return c->cr;
	}
	return c->spr[r.num];
}

static bool all_carry(const struct cpu_set *cpus, struct reg_id r)
{
	for (size_t i = 0; i < cpus->n; i++)
		if (!reg_carried(&cpus->cpu[i], r))
			return false;
	return true;
}

/* Add r if every vCPU carries it; else say so once (simulation.md §4). */
static void add_reg(struct sim_plan *p, const struct cpu_set *cpus, struct reg_id r, bool report,
		    const struct warn_sink *w)
{
	char nb[32];

	if (all_carry(cpus, r)) {
		p->reg[p->n_regs++] = r;
		return;
	}
	if (report)
		warnf(w, "register %s is not in the snapshot: left out of every thread record",
		      reg_name(r, nb, sizeof(nb)));
}

unsigned profile_regs(enum reg_profile prof, struct reg_id *out, unsigned max)
{
	unsigned n = 0;

#define PUT(t, num) do { if (n < max) out[n] = (struct reg_id){ (t), (num) }; n++; } while (0)
	for (uint32_t i = 0; i < 32; i++)
		PUT(REG_GPR, i);
	if (prof == PROFILE_QEMU_V2) {
		PUT(REG_SPR, REG_NIP);
		PUT(REG_SPR, REG_MSR);
		return n;
	}
	for (size_t i = 0; i < sizeof(linux_min_sprs) / sizeof(linux_min_sprs[0]); i++)
		PUT(REG_SPR, linux_min_sprs[i]);
	if (prof != PROFILE_HOSTBOOT)
		return n;
	for (size_t i = 0; i < sizeof(hostboot_sprs) / sizeof(hostboot_sprs[0]); i++)
		PUT(REG_SPR, hostboot_sprs[i]);
#undef PUT
	return n;
}

/*
 * A missing GPR is reported once (for GPR0), a missing linux-min or qemu-v2
 * SPR each time; the hostboot extras are taken when the snapshot carries
 * them, silently otherwise.
 */
static void choose_regs(struct sim_plan *p, const struct cpu_set *cpus, enum reg_profile prof,
			const struct warn_sink *w)
{
	struct reg_id all[SIM_MAX_REGS];
	unsigned n = profile_regs(prof, all, SIM_MAX_REGS);
	unsigned n_report = profile_regs(prof == PROFILE_HOSTBOOT ? PROFILE_LINUX_MIN : prof,
					 NULL, 0);

	for (unsigned i = 0; i < n; i++)
		add_reg(p, cpus, all[i], i == 0 || (i >= 32 && i < n_report), w);
}

static struct mperr *check_area(const struct mpipl_tables *t, const struct sim_plan *p)
{
	const struct proc_dump_area *a = &p->pda;
	uint64_t need = (uint64_t)p->thread_size * p->n_threads;
	struct mperr *err;

	if (!a->alloc_gpa)
		return mperr_input("alloc_addr is 0: firmware registered no thread area");
	if (a->alloc_size < need)
		return mperr_input("alloc_size 0x%" PRIx32 " holds fewer than %zu threads of 0x%"
				   PRIx32 " bytes (0x%" PRIx64 " needed)", a->alloc_size,
				   p->n_threads, p->thread_size, need);
	err = ram_check_range(t->ram, a->alloc_gpa, need);
	return err ? mperr_prefix(err, "alloc_addr 0x%" PRIx64, a->alloc_raw) : NULL;
}

struct mperr *sim_regs_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			    const struct sim_options *o, struct sim_plan *p,
			    const struct warn_sink *w)
{
	struct mperr *err;

	if (o->no_registers)
		return NULL;
	if (!cpus->n)
		return mperr_hint(mperr_usage("the snapshot carries no CPU registers"),
				  MPERR_HINT_REGISTERS);
	p->registers = true;
	p->n_threads = cpus->n;
	if (o->profile == PROFILE_QEMU_V2) {
		p->order = calloc(cpus->n, sizeof(*p->order));	/* QEMU CPU-list order */
		for (size_t i = 0; p->order && i < cpus->n; i++)
			p->order[i] = i;
	} else {
		p->order = cpu_set_pir_order(cpus);
	}
	if (!p->order)
		return mperr_nomem();
	choose_regs(p, cpus, o->profile, w);
	p->core_state = o->profile == PROFILE_QEMU_V2 ? QEMU_V2_CORE_STATE : CORE_STATE_RUNNING;
	p->thread_size = THREAD_HDR_SIZE + p->n_regs * REG_ENTRY_SIZE;
	p->qemu_v2 = o->profile == PROFILE_QEMU_V2;
	if (p->qemu_v2)	/* the profile writes the area where QEMU does too (mpipl.md §4) */
		p->pda_write_gpa = QEMU_V2_PDA_GPA;
	if (p->mode == MODE_QEMU_V2)
		return NULL;	/* QEMU v2 checks its area itself (sim_qemu_v2.c) */
	err = check_area(t, p);
	return err ? mperr_in_table(err, "processor dump area") : NULL;
}

static void thread_encode(const struct sim_plan *p, const struct cpu_regs *c, uint8_t *b)
{
	memset(b, 0, p->thread_size);
	st_be32(b + THREAD_PIR_OFF, c->pir);
	b[THREAD_CORE_STATE_OFF] = p->core_state;
	/* offset of the array from the offset field itself: 0x10; QEMU v2 writes 0 (B2) */
	st_be32(b + THREAD_OFFSET_OFF, p->qemu_v2 ? 0 : THREAD_REGS_REL);
	st_be32(b + THREAD_ECNT_OFF, p->n_regs);
	st_be32(b + THREAD_ESIZE_OFF, REG_ENTRY_SIZE);
	st_be32(b + THREAD_EACTSZ_OFF, REG_ENTRY_SIZE);
	for (unsigned i = 0; i < p->n_regs; i++) {
		uint8_t *e = b + THREAD_HDR_SIZE + i * REG_ENTRY_SIZE;

		st_be32(e + REG_TYPE_OFF, p->reg[i].type);
		st_be32(e + REG_NUM_OFF, p->reg[i].num);
		st_be64(e + REG_VAL_OFF, reg_value(c, p->reg[i]));
	}
}

static struct mperr *write_threads(const struct cpu_set *cpus, const struct sim_plan *p,
				   struct overlay *ovl)
{
	size_t total = (size_t)p->thread_size * p->n_threads;
	uint8_t *buf = malloc(total ? total : 1);
	struct mperr *err;

	if (!buf)
		return mperr_nomem();
	for (size_t i = 0; i < p->n_threads; i++)
		thread_encode(p, &cpus->cpu[p->order[i]], buf + i * p->thread_size);
	err = ovl_write(ovl, p->pda.alloc_gpa, buf, total);
	free(buf);
	return err;
}

/*
 * The area's firmware-filled fields (mpipl.md §4), over the area as the
 * firmware read it (reserved bytes unchanged), written at pda_write_gpa.
 */
static struct mperr *write_area(const struct sim_plan *p, struct overlay *ovl)
{
	uint8_t a[PDA_SIZE];
	struct mperr *err = ovl_read(ovl, p->pda.gpa, a, sizeof(a));

	if (err)
		return err;
	st_be32(a + PDA_THREAD_SIZE_OFF, p->thread_size);
	a[PDA_VERSION_OFF] = PDA_VERSION_P9;
	st_be64(a + PDA_DEST_ADDR_OFF, p->pda.alloc_raw);	/* dest = alloc, HRMOR bit kept */
	st_be32(a + PDA_ACT_SIZE_OFF, (uint32_t)(p->thread_size * p->n_threads));
	return ovl_write(ovl, p->pda_write_gpa, a, sizeof(a));
}

struct mperr *sim_regs_apply(const struct cpu_set *cpus, const struct sim_plan *p,
			     struct overlay *ovl)
{
	struct mperr *err = NULL;

	if (!p->write_cpu)
		return NULL;
	if (p->registers)
		err = write_threads(cpus, p, ovl);
	if (!err)
		err = write_area(p, ovl);
	return err ? mperr_in_table(err, "processor dump area") : NULL;
}
