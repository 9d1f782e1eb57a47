/* session.c - see session.h */
#include "output/session.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <stdlib.h>

#include "output/firmware.h"
#include "output/outfile.h"
#include "output/post_image.h"
#include "output/vmcore.h"

static struct mperr *open_cpu_state(struct session *s)
{
	const struct run_options *o = s->o;
	struct mperr *err = snapshot_open(&s->cpu_snap, o->cpu_state, SNAP_AUTO, s->w);

	if (err)
		return err;
	s->have_cpu_snap = true;
	if (!s->cpu_snap.cpus.n)
		return mperr_in_file(mperr_input("carries no CPU registers (%s)",
						 snap_format_name(s->cpu_snap.format)),
				     o->cpu_state);
	if (s->cpu_snap.ram.size != s->snap.ram.size)
		return mperr_in_file(mperr_input("RAM size 0x%" PRIx64 " differs from %s (0x%"
						 PRIx64 "): not the same moment",
						 s->cpu_snap.ram.size, o->snapshot,
						 s->snap.ram.size),
				     o->cpu_state);
	if (s->snap.cpus.n)
		warnf(s->w, "%s carries registers too; using those of %s (--cpu-state)",
		      o->snapshot, o->cpu_state);
	s->cpus = &s->cpu_snap.cpus;
	return NULL;
}

/* The tree's CPUs and memory against the snapshot's (a mismatch is worth a word). */
static void cross_check_tree(struct session *s)
{
	const struct dt_info *dt = &s->dt;
	size_t *order;

	if (dt->mem_total && dt->mem_total != s->snap.ram.size)
		warnf(s->w, "device tree at 0x%" PRIx64 ": memory nodes total 0x%" PRIx64
		      ", the snapshot's RAM is 0x%" PRIx64, dt->gpa, dt->mem_total,
		      s->snap.ram.size);
	if (!s->cpus->n)
		return;
	if (dt->n_pir != s->cpus->n) {
		warnf(s->w, "device tree at 0x%" PRIx64 ": %zu threads, the snapshot has %zu vCPUs",
		      dt->gpa, dt->n_pir, s->cpus->n);
		return;
	}
	order = cpu_set_pir_order(s->cpus);
	for (size_t i = 0; order && i < dt->n_pir; i++)
		if (s->cpus->cpu[order[i]].pir != dt->pir[i]) {
			warnf(s->w, "device tree at 0x%" PRIx64 ": thread PIR 0x%" PRIx32 " is not a "
			      "vCPU PIR of the snapshot", dt->gpa, dt->pir[i]);
			break;
		}
	free(order);
}

static struct mperr *find_device_tree(struct session *s)
{
	struct mperr *err = dt_find(&s->snap.ram, 0, &s->dt, s->dt_reason, sizeof(s->dt_reason));

	if (!err && s->dt.found)
		cross_check_tree(s);
	return err;
}

struct mperr *session_open(struct session *s, const struct run_options *o,
			   const struct warn_sink *w)
{
	struct mperr *err;

	memset(s, 0, sizeof(*s));
	s->o = o;
	s->w = w;
	progress_init(&s->pr, !o->quiet && !o->json);
	err = snapshot_open(&s->snap, o->snapshot, o->format, w);
	if (err)
		return err;
	s->have_snap = true;
	s->cpus = &s->snap.cpus;
	if (o->cpu_state) {
		err = open_cpu_state(s);
		if (err)
			return err;
	}
	err = mpipl_tables_load(&s->snap.ram, o->opal_base, &o->ovr, &s->t, w);
	if (!err)
		err = find_device_tree(s);
	return mperr_in_file(err, o->snapshot);
}

struct mperr *session_plan(struct session *s)
{
	struct mperr *err = sim_plan(&s->t, s->cpus, &s->o->sim, &s->plan, s->w);

	s->have_plan = true;
	return mperr_in_file(err, s->o->snapshot);
}

/* Guest RAM ranges for a vmcore header that lists them: the snapshot's RAM blocks. */
static struct kf_range *ram_ranges(const struct session *s, size_t *n)
{
	struct kf_range *r = calloc(s->snap.n_blocks + 1, sizeof(*r));

	*n = 0;
	for (size_t i = 0; r && i < s->snap.n_blocks; i++)
		if (s->snap.blocks[i].is_ram && s->snap.blocks[i].len)
			r[(*n)++] = (struct kf_range){ s->snap.blocks[i].gpa, s->snap.blocks[i].len };
	if (r && !*n)
		r[(*n)++] = (struct kf_range){ 0, s->snap.ram.size };
	return r;
}

/* Decide the vmcore before any output is opened: an error leaves nothing behind. */
static struct mperr *plan_vmcore(struct session *s, struct vmcore *v)
{
	struct vmcore_options vo = {
		.kernel_tag = s->t.meta.kernel_tag,
		.pda_gpa = s->plan.pda_write_gpa,
		.pids_pir = s->o->vmcore_pids_pir,
	};
	struct mperr *err;

	vo.ram = ram_ranges(s, &vo.n_ram);
	if (!vo.ram)
		return mperr_nomem();
	err = vmcore_plan(&s->ovl, &vo, v, s->w);
	free((void *)vo.ram);
	return mperr_in_file(err, s->o->snapshot);
}

/* The payload image with hostboot's results (mpipl.md §11), checked before any output opens. */
static struct mperr *plan_firmware(struct session *s, struct fw_image *fw)
{
	struct mperr *err = fw_read(fw, s->o->firmware, s->t.base);

	return err ? err : fw_patch_from(fw, &s->t, &s->plan, &s->ovl, s->w);
}

/* Every output goes to a temporary file; all are renamed only when all are written. */
static struct mperr *write_outputs(struct session *s)
{
	struct outfile img = { .fd = -1 }, core = { .fd = -1 }, fwo = { .fd = -1 };
	struct vmcore v = { 0 };
	struct fw_image fw = { 0 };
	struct mperr *err = NULL;

	if (s->o->firmware_out)
		err = plan_firmware(s, &fw);
	if (!err && s->o->vmcore)
		err = plan_vmcore(s, &v);
	if (!err && s->o->output) {
		err = outfile_open(&img, s->o->output);
		if (!err)
			err = post_image_write(&s->ovl, &img, &s->pr);
	}
	if (!err && s->o->vmcore) {
		err = outfile_open(&core, s->o->vmcore);
		if (!err)
			err = mperr_in_file(elfout_write(&v.img, &s->ovl, core.fd, &s->pr),
					    s->o->vmcore);
	}
	if (!err && s->o->firmware_out) {
		err = outfile_open(&fwo, s->o->firmware_out);
		if (!err)
			err = mperr_in_file(fw_write(&fw, fwo.fd), s->o->firmware_out);
	}
	if (!err && s->o->output)
		err = outfile_commit(&img, s->snap.ram.size, s->o->fsync);
	if (!err && s->o->vmcore)
		err = outfile_commit(&core, v.img.size, s->o->fsync);
	if (!err && s->o->firmware_out)
		err = outfile_commit(&fwo, fw.len, s->o->fsync);
	if (err) {
		outfile_abort(&img);
		outfile_abort(&core);
		outfile_abort(&fwo);
	}
	vmcore_free(&v);
	fw_free(&fw);
	return err;
}

struct mperr *session_write(struct session *s)
{
	struct mperr *err = ovl_init(&s->ovl, &s->snap.ram);

	if (err)
		return err;
	s->have_ovl = true;
	err = sim_apply(&s->t, s->cpus, &s->plan, &s->ovl);
	if (!err)
		err = dt_mpipl_boot(&s->dt, &s->ovl, s->o->sim.mode == MODE_QEMU_V2);
	if (err)
		return mperr_in_file(err, s->o->snapshot);
	return write_outputs(s);
}

void session_close(struct session *s)
{
	if (s->have_ovl)
		ovl_free(&s->ovl);
	if (s->have_plan)
		sim_plan_free(&s->plan);
	if (s->have_cpu_snap)
		snapshot_close(&s->cpu_snap);
	if (s->have_snap)
		snapshot_close(&s->snap);
	dt_free(&s->dt);
	memset(s, 0, sizeof(*s));
}
