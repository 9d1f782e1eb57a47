/*
 * sim.c - the plan dispatched to one of its two strategies, and applied:
 * the copies, the MDRT and the SPIRA-H result (simulation.md §3, §5;
 * mpipl.md §3). Registers are in sim_regs.c.
 */
#include "sim/sim.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sim/sim_hostboot.h"
#include "sim/sim_qemu_v2.h"

struct mperr *sim_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
		       const struct sim_options *o, struct sim_plan *p, const struct warn_sink *w)
{
	struct mperr *err;

	memset(p, 0, sizeof(*p));
	p->mode = o->mode;
	if (o->mode == MODE_QEMU_V2)
		return sim_qemu_v2_plan(t, cpus, o, p, w);
	err = sim_hostboot_plan(t, p, w);
	return err ? err : sim_regs_plan(t, cpus, o, p, w);
}

/* MDRT entry, 32 bytes (mpipl.md §3): size | u16 (region, type) << 48 at 0x10. */
static void mdrt_encode(const struct mdrt_rec *r, uint8_t *b)
{
	memset(b, 0, MDRT_ENTRY_SIZE);
	st_be64(b + MDRT_SRC_OFF, r->src);
	st_be64(b + MDRT_DEST_OFF, r->dst);
	b[MDRT_REGION_OFF] = r->region;
	b[MDRT_TYPE_OFF] = r->type;
	st_be32(b + MDRT_SIZE_OFF, r->size);
}

static struct mperr *write_mdrt(const struct mpipl_tables *t, const struct sim_plan *p,
				struct overlay *ovl)
{
	size_t len = (size_t)p->n_mdrt * MDRT_ENTRY_SIZE;
	uint8_t *buf = malloc(len ? len : 1), cnt[2];
	struct mperr *err;

	if (!buf)
		return mperr_nomem();
	for (unsigned i = 0; i < p->n_mdrt; i++)
		mdrt_encode(&p->mdrt[i], buf + i * MDRT_ENTRY_SIZE);
	err = ovl_write(ovl, p->mdrt_gpa, buf, len);
	free(buf);
	if (err || !p->write_mdrt_count)
		return err;
	/* SPIRA-H ntuple 5 act_cnt = entries written; act_len stays (mpipl.md §3) */
	st_be16(cnt, (uint16_t)p->n_mdrt);
	return ovl_write(ovl, t->spirah_gpa + SPIRAH_MDRT_ACT_CNT_OFF, cnt, sizeof(cnt));
}

struct mperr *sim_apply(const struct mpipl_tables *t, const struct cpu_set *cpus,
			const struct sim_plan *p, struct overlay *ovl)
{
	struct mperr *err;

	for (unsigned i = 0; i < p->n_pieces; i++) {
		err = ovl_copy(ovl, p->piece[i].dst, p->piece[i].src, p->piece[i].len);
		if (err)
			return err;
	}
	err = write_mdrt(t, p, ovl);
	if (err)
		return mperr_in_table(err, "MDRT");
	return sim_regs_apply(cpus, p, ovl);
}
