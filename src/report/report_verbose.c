/*
 * report_verbose.c - --verbose: each decision of the pipeline and why, one
 * line each, read back from the tables and the plan after the fact (the
 * pipeline itself only warns). See report.h.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "report/report.h"

static void say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(FILE *out, const char *fmt, ...)
{
	va_list ap;

	fputs("mpiplsim: verbose: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void explain_spirah(FILE *out, const char *file, const struct mpipl_tables *t,
			   const struct table_override *ovr)
{
	const char *why = t->base == SKIBOOT_BASE ? "the default SKIBOOT_BASE" : "--opal-base";

	if (!t->spirah_gpa) {
		say(out, "%s: no SPIRA-H found from OPAL base 0x%" PRIx64 " + 0x10000: table "
		    "addresses from the command line; MDST/MDDT counted up to the first all-zero "
		    "entry, MDRT room 1024", file, t->base);
		return;
	}
	if (ovr && ovr->spirah)
		say(out, "%s: SPIRA-H at 0x%" PRIx64 ", given with --spirah", file, t->spirah_gpa);
	else
		say(out, "%s: SPIRA-H at 0x%" PRIx64 " (base + 0x%" PRIx64 "): HDIF 0xd1f0 "
		    "\"SPIRAH\" found searching base + 0x10000..0x11000 from OPAL base 0x%" PRIx64
		    " (%s)%s", file, t->spirah_gpa, t->spirah_gpa - t->base, t->base, why,
		    t->legacy_spira ? "; a legacy SPIRA sits at base + 0x10000" : "");
	say(out, "%s: layout %s: SPIRA-H version 0x%x, ntuple count %" PRIu32 " (the 7th, the "
	    "processor dump area, is read by position)", file, t->layout, t->spirah_version,
	    t->spirah_ecnt);
}

static void explain_ntuple(FILE *out, const char *file, const struct mpipl_tables *t,
			   unsigned i, const char *what)
{
	const struct ntuple *n = &t->nt[i];

	say(out, "%s: %s at 0x%" PRIx64 ": ntuple %u holds 0x%" PRIx64 "%s, %s; %s", file,
	    spirah_ntuple_name(i), n->gpa, i, n->raw, n->raw & HRMOR_BIT ? " (HRMOR bit masked)"
	    : "", n->relative ? "below the base, so an offset from it" : "an absolute address",
	    what);
}

void report_tables_verbose(FILE *out, const char *file, const struct mpipl_tables *t,
			   const struct table_override *ovr)
{
	char what[160];

	explain_spirah(out, file, t, ovr);
	snprintf(what, sizeof(what), "%u entries (act_cnt; alloc_cnt %u)", t->n_mdst,
		 t->nt[NT_MDST].alloc_cnt);
	explain_ntuple(out, file, t, NT_MDST, what);
	snprintf(what, sizeof(what), "%u entries (act_cnt; alloc_cnt %u)", t->n_mddt,
		 t->nt[NT_MDDT].alloc_cnt);
	explain_ntuple(out, file, t, NT_MDDT, what);
	snprintf(what, sizeof(what), "room for %u entries (alloc_cnt), act_cnt %u",
		 t->nt[NT_MDRT].alloc_cnt, t->nt[NT_MDRT].act_cnt);
	explain_ntuple(out, file, t, NT_MDRT, what);
	snprintf(what, sizeof(what), "thread area alloc_addr 0x%" PRIx64 " alloc_size 0x%"
		 PRIx32, t->pda.alloc_raw, t->pda.alloc_size);
	explain_ntuple(out, file, t, NT_PROC_DUMP, what);
	say(out, "%s: MPIPL metadata at base + 0x1c08000 = 0x%" PRIx64 " (fixed offset): "
	    "crashing PIR 0x%" PRIx32 ", kernel tag 0x%" PRIx64 "; read, never changed", file,
	    t->meta.gpa, t->meta.crashing_pir, t->meta.kernel_tag);
}

/* hostboot's byte-stream walk (mpipl.md §3): each piece, and why its size */
static void explain_walk(FILE *out, const struct mpipl_tables *t, const struct sim_plan *p)
{
	for (unsigned i = 0; i < t->n_mdst; i++)
		if (!t->mdst[i].size)
			say(out, "MDST entry %u: size 0, passed over as hostboot does", i);
	for (unsigned i = 0; i < p->n_pieces; i++) {
		const struct copy_piece *c = &p->piece[i];
		bool whole = c->len == t->mdst[c->mdst].size && c->len == t->mddt[c->mddt].size;
		char rec[96];

		if (c->recorded)
			snprintf(rec, sizeof(rec), "MDRT entry %u", i);
		else
			snprintf(rec, sizeof(rec), "no MDRT entry: the MDRT holds %u (alloc_cnt)",
				 t->nt[NT_MDRT].alloc_cnt);
		say(out, "piece %u: MDST entry %u -> MDDT entry %u: 0x%" PRIx64 " -> 0x%" PRIx64
		    ", 0x%" PRIx32 " bytes, %s; %s", i, c->mdst, c->mddt, c->src, c->dst, c->len,
		    whole ? "the whole source into the whole destination" :
		    "min(bytes left in the source, bytes left in the destination window)", rec);
	}
	if (p->bytes_unpreserved)
		say(out, "the walk ended early: 0x%" PRIx64 " source bytes not preserved",
		    p->bytes_unpreserved);
	if (p->write_mdrt_count)
		say(out, "SPIRA-H ntuple 5 act_cnt: %u -> %u (entries written); act_len unchanged",
		    t->nt[NT_MDRT].act_cnt, p->n_mdrt);
}

/* --emulate qemu-v2 (mpipl.md §7 items 3-10): index pairing, 32 MiB chunks */
static void explain_qemu_walk(FILE *out, const struct mpipl_tables *t, const struct sim_plan *p)
{
	unsigned k = 0;

	say(out, "qemu-v2: SPIRA-H not used: MDST read at base + 0x%" PRIx64 " = 0x%" PRIx64
	    ", MDDT at base + 0x%" PRIx64 ", up to the first all-zero entry; MDRT written at 0x%"
	    PRIx64 "; act_cnt left as it is (D9)", QEMU_V2_MDST_OFF, t->base + QEMU_V2_MDST_OFF,
	    QEMU_V2_MDDT_OFF, p->mdrt_gpa);
	for (unsigned i = 0; i < p->n_pieces;) {
		unsigned e = p->piece[i].mdst, n = 0;
		uint64_t bytes = 0;

		for (; i < p->n_pieces && p->piece[i].mdst == e; i++, n++)
			bytes += p->piece[i].len;
		say(out, "qemu-v2: MDST entry %u -> MDDT entry %u: %u chunk(s) of at most 32 MiB "
		    "(float ceiling), 0x%" PRIx64 " bytes; %s", e, e, n, bytes,
		    p->piece[i - 1].recorded ? "MDRT entry with both addresses advanced by the "
		    "chunks and bit 63 clear (B1)" : "no MDRT entry (copy incomplete)");
		k += p->piece[i - 1].recorded;
	}
	say(out, "qemu-v2: %u MDRT entries", k);
}

static void explain_dropped(FILE *out, const struct session *s, struct reg_id r)
{
	const struct cpu_set *cpus = s->cpus;
	char nb[32], who[160] = "";
	size_t n = 0, len = 0;

	for (size_t i = 0; i < cpus->n; i++) {
		if (reg_carried(&cpus->cpu[i], r))
			continue;
		if (n++ < 4 && len < sizeof(who))
			len += snprintf(who + len, sizeof(who) - len, "%s vCPU %" PRIu32 " (PIR 0x%"
					PRIx32 ")", n > 1 ? "," : "", cpus->cpu[i].index,
					cpus->cpu[i].pir);
	}
	if (n == cpus->n)
		say(out, "register %s dropped from every record: no vCPU of the snapshot has it",
		    reg_name(r, nb, sizeof(nb)));
	else
		say(out, "register %s dropped from every record (records are alike): missing "
		    "for%s%s", reg_name(r, nb, sizeof(nb)), who, n > 4 ? ", ..." : "");
}

static bool planned(const struct sim_plan *p, struct reg_id r)
{
	for (unsigned i = 0; i < p->n_regs; i++)
		if (p->reg[i].type == r.type && p->reg[i].num == r.num)
			return true;
	return false;
}

static void explain_regs(FILE *out, const struct session *s)
{
	const struct sim_plan *p = &s->plan;
	struct reg_id all[SIM_MAX_REGS];
	unsigned n = profile_regs(s->o->sim.profile, all, SIM_MAX_REGS);

	if (!p->registers) {
		say(out, "registers: none (--no-registers): thread_size 0, act_size 0");
	} else {
		say(out, "registers: profile %s lists %u, %u kept", profile_name(s->o->sim.profile),
		    n, p->n_regs);
		for (unsigned i = 0; i < n; i++)
			if (!planned(p, all[i]))
				explain_dropped(out, s, all[i]);
		say(out, "thread records: %zu, in %s, 0x%" PRIx32 " bytes each (0x18 header + %u x "
		    "0x10), core_state 0x%02x, header offset 0x%x, at alloc_addr 0x%" PRIx64
		    " (0x%" PRIx64 " of 0x%" PRIx32 " bytes)", p->n_threads, p->qemu_v2 ?
		    "QEMU CPU-list order" : "PIR order", p->thread_size, p->n_regs, p->core_state,
		    p->qemu_v2 ? 0 : 0x10, p->pda.alloc_gpa,
		    (uint64_t)p->thread_size * p->n_threads, p->pda.alloc_size);
	}
	if (!p->write_cpu)
		say(out, "processor dump area: nothing written (its alloc_size is too small for "
		    "QEMU's records)");
	else
		say(out, "processor dump area written at 0x%" PRIx64 "%s: thread_size 0x%" PRIx32
		    ", version 0x1, dest_addr 0x%" PRIx64 " (= alloc_addr), act_size 0x%" PRIx64,
		    p->pda_write_gpa, p->pda_write_gpa != p->pda.gpa ?
		    " (absolute, as QEMU v2 does; D10)" : " (its ntuple address)", p->thread_size,
		    p->pda.alloc_raw, (uint64_t)p->thread_size * p->n_threads);
}

void report_snapshot_verbose(FILE *out, const char *file, const struct snapshot *snap)
{
	if (!snap->n_evidence && snap->format != SNAP_AUTO)
		say(out, "%s: format %s, given with --format", file,
		    snap_format_name(snap->format));
	for (unsigned i = 0; i < snap->n_evidence; i++) {
		const struct snap_evidence *e = &snap->evidence[i];

		say(out, "%s: format %s %s: %s", file, snap_format_name(e->format),
		    e->match ? "detected" : "declined", e->why);
	}
}

void report_explain(FILE *out, const struct session *s)
{
	report_snapshot_verbose(out, s->o->snapshot, &s->snap);
	report_tables_verbose(out, s->o->snapshot, &s->t, &s->o->ovr);
	if (s->plan.mode == MODE_QEMU_V2)
		explain_qemu_walk(out, &s->t, &s->plan);
	else
		explain_walk(out, &s->t, &s->plan);
	explain_regs(out, s);
}
