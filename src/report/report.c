/* report.c - inspect as text, and --verbose; see report.h */
#include "report/report.h"

#include <inttypes.h>
#include <jansson.h>

#include "core/text.h"

json_t *report_json(const struct session *s, const struct mperr *plan_err,
		    const struct report_meta *m);

static void print_snapshot(FILE *out, const struct snapshot *sn)
{
	fprintf(out, "snapshot %s\n  format    %s: %s\n  RAM       0x%" PRIx64
		" bytes, 0x%" PRIx64 " bytes of data in %zu extents\n",
		TEXT_ESC(sn->in.path), snap_format_name(sn->format), TEXT_ESC(sn->format_detail),
		sn->ram.size,
		sn->ram.data_bytes, ram_pieces(&sn->ram));
	for (size_t i = 0; i < sn->n_blocks; i++)
		fprintf(out, "  block     %-16s 0x%016" PRIx64 " size 0x%" PRIx64 "%s\n",
			TEXT_ESC(sn->blocks[i].name), sn->blocks[i].gpa, sn->blocks[i].len,
			sn->blocks[i].is_ram ? "" : " (not guest RAM)");
	for (size_t i = 0; i < sn->n_notes; i++)
		text_line(out, "  note      ", sn->notes[i]);
}

static void print_cpus(FILE *out, const struct session *s)
{
	const struct cpu_set *set = s->cpus;

	fprintf(out, "\nCPUs (%zu)%s%s%s\n", set->n, set->pir_source[0] ? ": " : "",
		TEXT_ESC(set->pir_source), set->n ? "" : ": the snapshot carries no registers");
	for (size_t i = 0; i < set->n; i++) {
		const struct cpu_regs *r = &set->cpu[i];

		fprintf(out, "  vCPU %-3" PRIu32 " PIR 0x%-4" PRIx32 "%s NIP 0x%016" PRIx64
			" MSR 0x%016" PRIx64 " LR 0x%016" PRIx64 "\n", r->index, r->pir,
			r->pir_known ? " " : "?", r->nip, r->msr, r->spr[SPRN_LR]);
	}
}

static void print_entries(FILE *out, const char *name, const struct dump_entry *e, unsigned n)
{
	fprintf(out, "%s (%u entries)\n", name, n);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "  [%u] addr 0x%016" PRIx64 " size 0x%08" PRIx32
			" region 0x%02x (%s) type 0x%02x\n", i, e[i].raw, e[i].size, e[i].region,
			dump_region_name(e[i].region), e[i].type);
}

static void print_tables(FILE *out, const struct mpipl_tables *t)
{
	const struct proc_dump_area *a = &t->pda;

	fprintf(out, "\nOPAL base 0x%" PRIx64 ", layout %s\nSPIRA-H at 0x%" PRIx64 "%s\n", t->base,
		t->layout, t->spirah_gpa, t->legacy_spira ? " (legacy SPIRA in front)" : "");
	for (unsigned i = 0; i < SPIRAH_NR_NTUPLES; i++)
		fprintf(out, "  ntuple %u %-20s addr 0x%016" PRIx64 " -> 0x%-10" PRIx64
			" alloc %4u x 0x%-6" PRIx32 " act %4u x 0x%" PRIx32 "\n", i,
			spirah_ntuple_name(i), t->nt[i].raw, t->nt[i].gpa, t->nt[i].alloc_cnt,
			t->nt[i].alloc_len, t->nt[i].act_cnt, t->nt[i].act_len);
	print_entries(out, "MDST", t->mdst, t->n_mdst);
	print_entries(out, "MDDT", t->mddt, t->n_mddt);
	fprintf(out, "processor dump area at 0x%" PRIx64 ": thread_size 0x%" PRIx32 " version 0x%x"
		" alloc 0x%016" PRIx64 " size 0x%" PRIx32 " dest 0x%" PRIx64 " act_size 0x%" PRIx32
		"\n", a->gpa, a->thread_size, a->version, a->alloc_raw, a->alloc_size, a->dest_raw,
		a->act_size);
	fprintf(out, "MPIPL metadata at 0x%" PRIx64 ": crashing PIR 0x%" PRIx32 ", kernel tag 0x%"
		PRIx64 ", boot memory 0x%" PRIx64 "\n", t->meta.gpa, t->meta.crashing_pir,
		t->meta.kernel_tag, t->meta.boot_mem_size);
}

static void print_chip_id(FILE *out, uint32_t chip)
{
	if (chip == DT_CHIP_UNKNOWN)
		fprintf(out, "  chip ?   ");
	else
		fprintf(out, "  chip 0x%-4" PRIx32, chip);
}

/* Each chip (ibm,chip-id): its cores (cpu nodes, by first PIR) and its memory nodes. */
static void print_chips(FILE *out, const struct dt_info *dt)
{
	for (size_t i = 0; i < dt->n_core; i++) {
		uint32_t chip = dt->core[i].chip;
		size_t k = i;

		if (i && chip == dt->core[i - 1].chip)
			continue;
		print_chip_id(out, chip);
		for (; k < dt->n_core && dt->core[k].chip == chip; k++)
			;
		fprintf(out, " %zu core%s (PIR", k - i, k - i == 1 ? "" : "s");
		for (size_t j = i; j < k; j++)
			fprintf(out, " 0x%" PRIx32 "%s", dt->core[j].pir,
				dt->core[j].n_threads > 1 ? "+" : "");
		fprintf(out, "), %" PRIu32 " thread%s per core, memory", dt->core[i].n_threads,
			dt->core[i].n_threads == 1 ? "" : "s");
		for (size_t m = 0; m < dt->n_mem; m++)
			if (dt->mem[m].chip == chip)
				fprintf(out, " 0x%" PRIx64 "+0x%" PRIx64, dt->mem[m].base,
					dt->mem[m].size);
		fputc('\n', out);
	}
}

static void print_tree(FILE *out, const struct session *s)
{
	const struct dt_info *dt = &s->dt;

	if (!dt->found) {
		fprintf(out, "\ndevice tree: none (%s)\n", TEXT_ESC(s->dt_reason));
		return;
	}
	fprintf(out, "\ndevice tree at 0x%" PRIx64 " (%s), 0x%" PRIx32 " bytes\n  threads  ", dt->gpa,
		dt->gpa == FDT_QEMU_GPA ? "QEMU's" : "found by its magic", dt->size);
	for (size_t i = 0; i < dt->n_pir; i++)
		fprintf(out, "%sPIR 0x%" PRIx32, i ? ", " : "", dt->pir[i]);
	fprintf(out, "\n  memory   0x%" PRIx64 " bytes in %zu ranges\n", dt->mem_total, dt->n_mem);
	print_chips(out, dt);
	if (!dt->dump_node) {
		fprintf(out, "  /ibm,opal/dump: absent\n");
		return;
	}
	fprintf(out, "  /ibm,opal/dump: compatible%s \"ibm,opal-dump\", mpipl-boot %s", 
		dt->dump_compatible ? "" : " not", dt->mpipl_boot ? "present" : "absent");
	if (dt->fw_load_area)
		fprintf(out, ", fw-load-area 0x%" PRIx64 "+0x%" PRIx64 " 0x%" PRIx64 "+0x%" PRIx64,
			dt->fw_load[0], dt->fw_load[1], dt->fw_load[2], dt->fw_load[3]);
	fputc('\n', out);
}

/* inspect of a snapshot without registers: what a run would lack (issue 14) */
static void print_regs_lacking(FILE *out, const struct session *s)
{
	struct reg_id all[SIM_MAX_REGS];
	unsigned n = profile_regs(s->o->sim.profile, all, SIM_MAX_REGS);
	char nb[32];

	fprintf(out, "  registers: none in the snapshot; a run lacks all %u of profile %s (GPR0-GPR31",
		n, profile_name(s->o->sim.profile));
	for (unsigned i = 32; i < n; i++)
		fprintf(out, " %s", reg_name(all[i], nb, sizeof(nb)));
	fprintf(out, ") for every thread: give --cpu-state FILE or --no-registers\n");
}

static void print_plan(FILE *out, const struct session *s, const struct mperr *plan_err)
{
	const struct sim_plan *p = &s->plan;

	if (plan_err) {	/* the error itself goes to stderr only */
		fprintf(out, "\nplan: cannot simulate (the error is on stderr)\n");
		return;
	}
	fprintf(out, "\nplan (%s): %u pieces, %u MDRT entries, 0x%" PRIx64
		" bytes copied, 0x%" PRIx64 " not preserved\n",
		p->mode == MODE_QEMU_V2 ? "QEMU v2 series" : "hostboot walk", p->n_pieces, p->n_recorded,
		p->bytes_copied, p->bytes_unpreserved);
	for (unsigned i = 0; i < p->n_pieces; i++) {
		const struct copy_piece *c = &p->piece[i];

		fprintf(out, "  MDST[%u] -> MDDT[%u]: 0x%" PRIx64 " -> 0x%" PRIx64 " size 0x%" PRIx32
			" region 0x%02x%s\n", c->mdst, c->mddt, c->src, c->dst, c->len, c->region,
			c->recorded ? "" : " (no MDRT entry)");
	}
	for (unsigned i = 0; i < p->n_mdrt && p->mode == MODE_QEMU_V2; i++)
		fprintf(out, "  MDRT[%u]: src 0x%016" PRIx64 " dest 0x%016" PRIx64 " size 0x%" PRIx32
			"\n", i, p->mdrt[i].src, p->mdrt[i].dst, p->mdrt[i].size);
	if (!p->registers && s->regs_lacking) {
		print_regs_lacking(out, s);
		return;
	}
	if (!p->registers) {
		fprintf(out, "  registers: none (--no-registers): empty thread area\n");
		return;
	}
	fprintf(out, "  registers: profile %s, %u per thread, thread_size 0x%" PRIx32
		", %zu threads (PIR", profile_name(s->o->sim.profile), p->n_regs, p->thread_size,
		p->n_threads);
	for (size_t i = 0; i < p->n_threads; i++)
		fprintf(out, " 0x%" PRIx32, s->cpus->cpu[p->order[i]].pir);
	if (p->write_cpu)
		fprintf(out, ") at 0x%" PRIx64 ", area written at 0x%" PRIx64 "\n", p->pda.alloc_gpa,
			p->pda_write_gpa);
	else
		fprintf(out, "): not written, the area is too small\n");
}

void report_inspect(FILE *out, const struct session *s, const struct mperr *plan_err, bool json,
		    const struct report_meta *m)
{
	if (json) {
		json_t *j = report_json(s, plan_err, m);

		json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(j);
		return;
	}
	print_snapshot(out, &s->snap);
	print_cpus(out, s);
	print_tables(out, &s->t);
	print_tree(out, s);
	print_plan(out, s, plan_err);
	report_kernel(out, s, &s->kernel, s->crash_note);
}

void report_plan_verbose(FILE *out, const struct session *s)
{
	report_explain(out, s);
	if (s->o->verbose < 2)
		return;
	print_tables(out, &s->t);
	print_plan(out, s, NULL);
}

static void put_mib(FILE *out, uint64_t n)
{
	if (n >= (UINT64_C(10) << 20))
		fprintf(out, "%" PRIu64 " MiB", n >> 20);
	else
		fprintf(out, "%.1f MiB", (double)n / (1 << 20));
}

void report_summary(FILE *out, const struct session *s)
{
	fputs("mpiplsim: wrote ", out);
	for (unsigned i = 0; i < s->n_written; i++) {
		fprintf(out, "%s%s (", i ? ", " : "", TEXT_ESC(s->written[i].path));
		put_mib(out, s->written[i].size);
		fputs(", ", out);
		put_mib(out, s->written[i].data);
		fputs(" of data)", out);
	}
	fprintf(out, " in %.1f s\n", (double)(s->end_ms - s->start_ms) / 1000);
}
