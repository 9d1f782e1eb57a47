/*
 * sim_qemu_v2.c - what the posted QEMU "pnv/mpipl" v2 series leaves in
 * memory (mpipl.md §7, its bugs included), so that the output can be
 * compared byte for byte with a patched QEMU's memory (--emulate qemu-v2).
 * Fixed master offsets from the base, no SPIRA-H; index pairing; 32 MiB
 * chunks counted with a float ceiling; MDRT addresses advanced; 34
 * registers per thread; the processor dump area written at 0x10300.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sim/sim_qemu_v2.h"
#include "sim/sim_regs.h"

static struct mperr *read_table(const struct ram_image *ram, uint64_t gpa, struct dump_entry *e)
{
	uint8_t buf[DUMP_TABLE_MAX * DUMP_ENTRY_SIZE];
	struct mperr *err = ram_read(ram, gpa, buf, sizeof(buf));

	if (err)
		return err;
	for (unsigned i = 0; i < DUMP_TABLE_MAX; i++)
		dump_entry_parse(buf + i * DUMP_ENTRY_SIZE, &e[i]);
	return NULL;
}

/* Chunks of one MDST/MDDT pair; false if a chunk falls outside RAM (item 8). */
static struct mperr *v2_copy_entry(const struct ram_image *ram, const struct dump_entry *s,
				   const struct dump_entry *d, unsigned i, struct sim_plan *p,
				   bool *complete)
{
	uint64_t n = qemu_v2_chunks(d->size), len = d->size;

	*complete = true;
	for (uint64_t c = 0; c < n; c++) {
		uint64_t off = c * QEMU_V2_CHUNK;
		uint64_t k = len - off < QEMU_V2_CHUNK ? len - off : QEMU_V2_CHUNK;
		struct copy_piece *pc;

		if (!ram_contains(ram, s->gpa + off, k) || !ram_contains(ram, d->gpa + off, k)) {
			*complete = false;	/* MEMTX error: what was copied stays */
			return NULL;
		}
		pc = sim_new_piece(p);
		if (!pc)
			return mperr_nomem();
		*pc = (struct copy_piece){ s->gpa + off, d->gpa + off, (uint32_t)k, i, i,
					   s->region, 0, false };
		p->bytes_copied += k;
	}
	return NULL;
}

static struct mperr *v2_memory(const struct mpipl_tables *t, struct sim_plan *p,
			       const struct warn_sink *w)
{
	struct dump_entry src[DUMP_TABLE_MAX], dst[DUMP_TABLE_MAX];
	struct mperr *err;

	p->mdrt = calloc(DUMP_TABLE_MAX, sizeof(*p->mdrt));
	if (!p->mdrt)
		return mperr_nomem();
	p->mdrt_gpa = t->base + QEMU_V2_MDRT_OFF;
	err = read_table(t->ram, t->base + QEMU_V2_MDST_OFF, src);
	if (!err)
		err = read_table(t->ram, t->base + QEMU_V2_MDDT_OFF, dst);
	if (err) {	/* item 4: the memory part stops, the CPU part still runs */
		warnf(w, "qemu-v2: MDST/MDDT at base + 0x10c00/0x11000 not readable: nothing "
		      "preserved (%s)", err->msg);
		mperr_free(err);
		return NULL;
	}
	for (unsigned i = 0; i < DUMP_TABLE_MAX; i++) {
		const struct dump_entry *s = &src[i], *d = &dst[i];
		unsigned first = p->n_pieces;
		bool complete;

		if (!s->raw && !s->size)
			break;	/* item 5: the first all-zero MDST entry ends the scan */
		if (s->size != d->size || s->region != d->region) {
			warnf(w, "qemu-v2: MDST/MDDT entry %u differ in size or region: skipped "
			      "(item 6)", i);
			continue;
		}
		err = v2_copy_entry(t->ram, s, d, i, p, &complete);
		if (err)
			return err;
		if (!complete) {
			warnf(w, "qemu-v2: entry %u runs outside RAM: copy stopped, no MDRT entry "
			      "(item 8)", i);
			continue;
		}
		uint64_t adv = qemu_v2_chunks(d->size) * QEMU_V2_CHUNK;	/* bug B1 */

		for (unsigned k = first; k < p->n_pieces; k++)
			p->piece[k].recorded = true;
		p->mdrt[p->n_mdrt++] = (struct mdrt_rec){ s->gpa + adv, d->gpa + adv, s->region,
							   0, d->size };
	}
	p->n_recorded = p->n_mdrt;
	if (!p->n_mdrt)
		warnf(w, "qemu-v2: no MDST entry at base + 0x10c00 (the series' fixed skiboot "
		      "master offsets): nothing preserved%s", strcmp(t->layout, "skiboot master")
		      ? "; this firmware uses another layout (mpipl.md §7 D21)" : "");
	return NULL;
}

/* Items 11-12: 34 registers, CPU-list order; nothing written if the area is too small. */
static struct mperr *v2_cpu(const struct mpipl_tables *t, const struct cpu_set *cpus,
			    const struct sim_options *o, struct sim_plan *p,
			    const struct warn_sink *w)
{
	struct sim_options ro = *o;
	struct mperr *err;
	uint64_t need;

	err = pda_read(t->ram, t->base + QEMU_V2_PDA_OFF, &p->pda);
	if (err)
		return mperr_in_table(err, "processor dump area");
	p->pda_write_gpa = QEMU_V2_PDA_GPA;
	ro.profile = PROFILE_QEMU_V2;
	err = sim_regs_plan(t, cpus, &ro, p, w);
	if (err)
		return err;
	need = (uint64_t)QEMU_V2_THREAD_SIZE * p->n_threads;
	p->write_cpu = p->registers && p->pda.alloc_size >= need &&
		       ram_contains(t->ram, p->pda.alloc_gpa, need);
	if (p->registers && !p->write_cpu)
		warnf(w, "qemu-v2: processor dump area at base + 0x10300 allocates 0x%" PRIx32
		      " bytes, 0x%" PRIx64 " needed: no CPU data written (item 12)",
		      p->pda.alloc_size, need);
	return NULL;
}

struct mperr *sim_qemu_v2_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			       const struct sim_options *o, struct sim_plan *p,
			       const struct warn_sink *w)
{
	struct mperr *err = v2_memory(t, p, w);

	return err ? err : v2_cpu(t, cpus, o, p, w);
}
