/* lib_pipeline.c - see lib_pipeline.h */
#include "lib_pipeline.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static void collect(void *ctx, const char *msg)
{
	struct pipe *p = ctx;
	size_t n = strlen(p->warnings);

	snprintf(p->warnings + n, sizeof(p->warnings) - n, "%s\n", msg);
	p->n_warnings++;
}

void pipe_fake_cpus(struct cpu_set *set, const uint32_t *pirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cpu_regs *r = cpu_set_add(set);

		ck_assert_ptr_nonnull(r);
		r->pir = pirs[i];
		r->pir_known = true;
		r->have = CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR;
		for (int g = 0; g < 32; g++)
			r->gpr[g] = ((uint64_t)pirs[i] << 32) | (uint64_t)g;
		r->nip = 0xc000000000001000ULL + pirs[i];
		r->msr = 0x9000000000001033ULL;
		r->cr = 0x88002228;
		cpu_set_spr(r, SPRN_LR, 0xc000000000002000ULL + pirs[i]);
		cpu_set_spr(r, SPRN_CTR, 0x1000 + pirs[i]);
		cpu_set_spr(r, SPRN_XER, 0x20040078);
		cpu_set_spr(r, SPRN_DAR, 0xdead0000 + pirs[i]);
		cpu_set_spr(r, SPRN_DSISR, 0x40000000);
		cpu_set_spr(r, SPRN_PIR, pirs[i]);
	}
}

static struct mperr *pipe_stages(struct pipe *p, const char *path, const struct sim_options *o)
{
	static const uint32_t pirs[] = { 4, 0 };
	struct warn_sink w = { collect, p };
	struct mperr *err;

	memset(p, 0, sizeof(*p));
	err = snapshot_open(&p->snap, path, SNAP_AUTO, &w);
	if (err)
		return err;
	p->stage = 1;
	pipe_fake_cpus(&p->cpus, pirs, 2);
	err = mpipl_tables_load(&p->snap.ram, SKIBOOT_BASE, NULL, &p->t, &w);
	if (err)
		return err;
	p->stage = 2;
	err = sim_plan(&p->t, &p->cpus, o, &p->plan, &w);
	if (err)
		return err;
	p->stage = 3;
	err = ovl_init(&p->ovl, &p->snap.ram);
	if (!err)
		err = sim_apply(&p->t, &p->cpus, &p->plan, &p->ovl);
	if (!err)
		p->stage = 4;
	return err;
}

/* errors name the file, as the session does */
struct mperr *pipe_run(struct pipe *p, const char *path, const struct sim_options *o)
{
	return mperr_in_file(pipe_stages(p, path, o), path);
}

void pipe_close(struct pipe *p)
{
	if (p->stage >= 4 || p->ovl.seg)
		ovl_free(&p->ovl);
	if (p->stage >= 3 || p->plan.order)
		sim_plan_free(&p->plan);
	cpu_set_free(&p->cpus);
	if (p->stage >= 1)
		snapshot_close(&p->snap);
}
