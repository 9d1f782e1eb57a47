/* report_json.c - inspect --json: stable keys, addresses as "0x..." strings */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

#include "core/text.h"
#include "report/report.h"

json_t *report_json(const struct session *s, const struct mperr *plan_err,
		    const struct report_meta *m);
json_t *report_kernel_json(const struct session *s, const struct crashed_kernel *k, long note);
json_t *report_json_head(void);
void report_json_warnings(json_t *o, const struct report_meta *m);

/* The first keys of every JSON document: which tool, which version, which schema. */
json_t *report_json_head(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "tool", json_string("mpiplsim"));
	json_object_set_new(o, "version", json_string(MPIPLSIM_VERSION));
	json_object_set_new(o, "schema_version", json_integer(REPORT_SCHEMA_VERSION));
	return o;
}

void report_json_warnings(json_t *o, const struct report_meta *m)
{
	json_t *a = json_array();

	for (size_t i = 0; m && i < m->n_warnings; i++)
		json_array_append_new(a, text_json(m->warnings[i]));
	json_object_set_new(o, "warnings", a);
}

static json_t *hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

static json_t *snapshot_json(const struct snapshot *sn)
{
	json_t *o = json_object(), *blocks = json_array(), *notes = json_array();

	json_object_set_new(o, "file", text_json(sn->in.path));
	json_object_set_new(o, "format", json_string(snap_format_name(sn->format)));
	json_object_set_new(o, "detail", text_json(sn->format_detail));
	json_object_set_new(o, "gzip", json_boolean(sn->in.gzipped));
	json_object_set_new(o, "ram_size", hex(sn->ram.size));
	json_object_set_new(o, "data_bytes", hex(sn->ram.data_bytes));
	for (size_t i = 0; i < sn->n_blocks; i++) {
		json_t *b = json_object();

		json_object_set_new(b, "name", text_json(sn->blocks[i].name));
		json_object_set_new(b, "gpa", hex(sn->blocks[i].gpa));
		json_object_set_new(b, "size", hex(sn->blocks[i].len));
		json_object_set_new(b, "ram", json_boolean(sn->blocks[i].is_ram));
		json_array_append_new(blocks, b);
	}
	json_object_set_new(o, "blocks", blocks);
	for (size_t i = 0; i < sn->n_notes; i++)
		json_array_append_new(notes, text_json(sn->notes[i]));
	json_object_set_new(o, "notes", notes);
	return o;
}

static json_t *cpus_json(const struct cpu_set *set, const char *from)
{
	json_t *o = json_object(), *a = json_array();

	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "pir_source", text_json(set->pir_source));
	for (size_t i = 0; i < set->n; i++) {
		const struct cpu_regs *r = &set->cpu[i];
		json_t *c = json_object();

		json_object_set_new(c, "index", json_integer(r->index));
		json_object_set_new(c, "pir", hex(r->pir));
		json_object_set_new(c, "pir_known", json_boolean(r->pir_known));
		json_object_set_new(c, "nip", hex(r->nip));
		json_object_set_new(c, "msr", hex(r->msr));
		json_object_set_new(c, "cr", hex(r->cr));
		json_object_set_new(c, "lr", hex(r->spr[SPRN_LR]));
		json_object_set_new(c, "ctr", hex(r->spr[SPRN_CTR]));
		json_object_set_new(c, "xer", hex(r->spr[SPRN_XER]));
		json_object_set_new(c, "gpr1", hex(r->gpr[1]));
		json_array_append_new(a, c);
	}
	json_object_set_new(o, "cpus", a);
	return o;
}

static json_t *entries_json(const struct dump_entry *e, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "index", json_integer(i));
		json_object_set_new(o, "addr", hex(e[i].raw));
		json_object_set_new(o, "gpa", hex(e[i].gpa));
		json_object_set_new(o, "region", hex(e[i].region));
		json_object_set_new(o, "region_name", json_string(dump_region_name(e[i].region)));
		json_object_set_new(o, "type", hex(e[i].type));
		json_object_set_new(o, "size", hex(e[i].size));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *ntuples_json(const struct mpipl_tables *t)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < SPIRAH_NR_NTUPLES; i++) {
		const struct ntuple *n = &t->nt[i];
		json_t *o = json_object();

		json_object_set_new(o, "index", json_integer(i));
		json_object_set_new(o, "name", json_string(spirah_ntuple_name(i)));
		json_object_set_new(o, "addr", hex(n->raw));
		json_object_set_new(o, "gpa", hex(n->gpa));
		json_object_set_new(o, "base_relative", json_boolean(n->relative));
		json_object_set_new(o, "alloc_cnt", json_integer(n->alloc_cnt));
		json_object_set_new(o, "act_cnt", json_integer(n->act_cnt));
		json_object_set_new(o, "alloc_len", hex(n->alloc_len));
		json_object_set_new(o, "act_len", hex(n->act_len));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *tables_json(const struct mpipl_tables *t)
{
	json_t *o = json_object(), *pda = json_object(), *meta = json_object();

	json_object_set_new(o, "opal_base", hex(t->base));
	json_object_set_new(o, "layout", json_string(t->layout));
	json_object_set_new(o, "spirah", hex(t->spirah_gpa));
	json_object_set_new(o, "legacy_spira", json_boolean(t->legacy_spira));
	json_object_set_new(o, "ntuples", ntuples_json(t));
	json_object_set_new(o, "mdst", entries_json(t->mdst, t->n_mdst));
	json_object_set_new(o, "mddt", entries_json(t->mddt, t->n_mddt));
	json_object_set_new(pda, "gpa", hex(t->pda.gpa));
	json_object_set_new(pda, "thread_size", hex(t->pda.thread_size));
	json_object_set_new(pda, "version", hex(t->pda.version));
	json_object_set_new(pda, "alloc_addr", hex(t->pda.alloc_raw));
	json_object_set_new(pda, "alloc_size", hex(t->pda.alloc_size));
	json_object_set_new(pda, "dest_addr", hex(t->pda.dest_raw));
	json_object_set_new(pda, "act_size", hex(t->pda.act_size));
	json_object_set_new(o, "proc_dump_area", pda);
	json_object_set_new(meta, "gpa", hex(t->meta.gpa));
	json_object_set_new(meta, "crashing_pir", hex(t->meta.crashing_pir));
	json_object_set_new(meta, "kernel_tag", hex(t->meta.kernel_tag));
	json_object_set_new(meta, "boot_mem_size", hex(t->meta.boot_mem_size));
	json_object_set_new(o, "mpipl_metadata", meta);
	return o;
}

static json_t *chip_json(uint32_t chip)
{
	return chip == DT_CHIP_UNKNOWN ? json_null() : json_integer(chip);
}

/* cpu nodes of /cpus (one per core on powernv), by chip id then first PIR */
static json_t *cores_json(const struct dt_info *dt)
{
	json_t *a = json_array();

	for (size_t i = 0; i < dt->n_core; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "chip_id", chip_json(dt->core[i].chip));
		json_object_set_new(c, "pir", hex(dt->core[i].pir));
		json_object_set_new(c, "threads", json_integer(dt->core[i].n_threads));
		json_array_append_new(a, c);
	}
	return a;
}

static json_t *tree_json(const struct session *s)
{
	const struct dt_info *dt = &s->dt;
	json_t *o = json_object(), *pirs = json_array(), *mem = json_array(), *fw = json_array();

	json_object_set_new(o, "found", json_boolean(dt->found));
	if (!dt->found) {
		json_object_set_new(o, "reason", text_json(s->dt_reason));
		json_decref(pirs);
		json_decref(mem);
		json_decref(fw);
		return o;
	}
	json_object_set_new(o, "gpa", hex(dt->gpa));
	json_object_set_new(o, "size", hex(dt->size));
	for (size_t i = 0; i < dt->n_pir; i++)
		json_array_append_new(pirs, hex(dt->pir[i]));
	json_object_set_new(o, "thread_pirs", pirs);
	for (size_t i = 0; i < dt->n_mem; i++) {
		json_t *m = json_object();

		json_object_set_new(m, "base", hex(dt->mem[i].base));
		json_object_set_new(m, "size", hex(dt->mem[i].size));
		json_object_set_new(m, "chip_id", chip_json(dt->mem[i].chip));
		json_array_append_new(mem, m);
	}
	json_object_set_new(o, "memory", mem);
	json_object_set_new(o, "cores", cores_json(dt));
	json_object_set_new(o, "dump_node", json_boolean(dt->dump_node));
	json_object_set_new(o, "mpipl_boot", json_boolean(dt->mpipl_boot));
	for (int i = 0; dt->fw_load_area && i < 4; i++)
		json_array_append_new(fw, hex(dt->fw_load[i]));
	json_object_set_new(o, "fw_load_area", fw);
	return o;
}

static json_t *pieces_json(const struct sim_plan *p)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < p->n_pieces; i++) {
		const struct copy_piece *c = &p->piece[i];
		json_t *o = json_object();

		json_object_set_new(o, "mdst", json_integer(c->mdst));
		json_object_set_new(o, "mddt", json_integer(c->mddt));
		json_object_set_new(o, "src", hex(c->src));
		json_object_set_new(o, "dest", hex(c->dst));
		json_object_set_new(o, "size", hex(c->len));
		json_object_set_new(o, "region", hex(c->region));
		json_object_set_new(o, "mdrt_entry", c->recorded ? json_integer(i) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

/* The error as fields (issue 14): kind, file, table, entry, offset, and the whole message. */
json_t *report_error_json(const struct mperr *err)
{
	json_t *o = json_object();
	char buf[1024];

	mperr_format(err, buf, sizeof(buf));
	json_object_set_new(o, "kind", json_string(mperr_kind_name(err->kind)));
	json_object_set_new(o, "file", err->file ? text_json(err->file) : json_null());
	json_object_set_new(o, "table", err->table ? json_string(err->table) : json_null());
	json_object_set_new(o, "entry", err->entry >= 0 ? json_integer(err->entry) : json_null());
	json_object_set_new(o, "offset", err->has_off ? hex(err->off) : json_null());
	json_object_set_new(o, "message", text_json(buf));	/* raw: JSON escapes it */
	return o;
}

/* Every register of the profile: the snapshot carries none (inspect without registers). */
static json_t *regs_lacking_json(const struct session *s)
{
	struct reg_id all[SIM_MAX_REGS];
	unsigned n = profile_regs(s->o->sim.profile, all, SIM_MAX_REGS);
	json_t *a = json_array();
	char nb[32];

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_string(reg_name(all[i], nb, sizeof(nb))));
	return a;
}

static json_t *plan_json(const struct session *s, const struct mperr *plan_err)
{
	const struct sim_plan *p = &s->plan;
	json_t *o = json_object(), *regs = json_array(), *threads = json_array();
	char nb[32];

	if (plan_err) {
		json_object_set_new(o, "error", report_error_json(plan_err));
		return o;
	}
	json_object_set_new(o, "mode", json_string(p->mode == MODE_QEMU_V2 ? "qemu-v2" : "hostboot"));
	json_object_set_new(o, "pieces", pieces_json(p));
	json_object_set_new(o, "mdrt_gpa", hex(p->mdrt_gpa));
	json_object_set_new(o, "cpu_data_written", json_boolean(p->write_cpu));
	json_object_set_new(o, "proc_dump_area_written_at", hex(p->pda_write_gpa));
	json_object_set_new(o, "mdrt_entries", json_integer(p->n_recorded));
	json_object_set_new(o, "bytes_copied", hex(p->bytes_copied));
	json_object_set_new(o, "bytes_not_preserved", hex(p->bytes_unpreserved));
	json_object_set_new(o, "registers", json_boolean(p->registers));
	json_object_set_new(o, "profile", json_string(profile_name(s->o->sim.profile)));
	for (unsigned i = 0; i < p->n_regs; i++)
		json_array_append_new(regs, json_string(reg_name(p->reg[i], nb, sizeof(nb))));
	json_object_set_new(o, "thread_registers", regs);
	json_object_set_new(o, "thread_size", hex(p->thread_size));
	for (size_t i = 0; i < p->n_threads; i++)
		json_array_append_new(threads, hex(s->cpus->cpu[p->order[i]].pir));
	json_object_set_new(o, "thread_pirs", threads);
	if (s->regs_lacking)
		json_object_set_new(o, "registers_lacking", regs_lacking_json(s));
	return o;
}

json_t *report_json(const struct session *s, const struct mperr *plan_err,
		    const struct report_meta *m)
{
	json_t *o = report_json_head();

	json_object_set_new(o, "snapshot", snapshot_json(&s->snap));
	json_object_set_new(o, "cpu_state", cpus_json(s->cpus, s->have_cpu_snap ?
						     s->o->cpu_state : s->o->snapshot));
	json_object_set_new(o, "tables", tables_json(&s->t));
	json_object_set_new(o, "device_tree", tree_json(s));
	json_object_set_new(o, "plan", plan_json(s, plan_err));
	json_object_set_new(o, "kernel", report_kernel_json(s, &s->kernel, s->crash_note));
	report_json_warnings(o, m);
	return o;
}
