/*
 * sim_hostboot.c - the hostboot copy walk and the MDRT it records
 * (simulation.md §3, §5; mpipl.md §3); see sim_hostboot.h.
 */
#include "sim/sim_hostboot.h"

#include <inttypes.h>
#include <stdlib.h>

#define WINDOW_MAX (UINT64_C(32) << 30)	/* hostboot's 32 GiB copy window, mpipl.md §3 */

/* Every range that takes part must lie inside guest RAM (mpipl.md §10). */
static struct mperr *check_ranges(const struct ram_image *ram, const struct dump_entry *e,
				  unsigned n, const char *table)
{
	for (unsigned i = 0; i < n; i++) {
		struct mperr *err;

		if (!e[i].size)
			continue;
		err = ram_check_range(ram, e[i].gpa, e[i].size);
		if (err)
			return mperr_in_entry(mperr_prefix(err, "addr 0x%" PRIx64 " size 0x%" PRIx32,
							   e[i].raw, e[i].size), table, i);
	}
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/* Two destinations may never share a byte (mpipl.md §10). */
static struct mperr *check_dest_overlap(const struct mpipl_tables *t)
{
	for (unsigned i = 0; i < t->n_mddt; i++)
		for (unsigned j = i + 1; j < t->n_mddt; j++)
			if (overlaps(t->mddt[i].gpa, t->mddt[i].size, t->mddt[j].gpa,
				     t->mddt[j].size))
				return mperr_in_entry(
					mperr_input("destination 0x%" PRIx64 "+0x%" PRIx32
						    " overlaps entry %u (0x%" PRIx64 "+0x%" PRIx32 ")",
						    t->mddt[j].gpa, t->mddt[j].size, i,
						    t->mddt[i].gpa, t->mddt[i].size),
					"MDDT", j);
	return NULL;
}

/* A piece may not overwrite source bytes that a later piece (or itself) still reads. */
static struct mperr *check_read_after_write(const struct sim_plan *p)
{
	for (unsigned k = 0; k < p->n_pieces; k++)
		for (unsigned j = k; j < p->n_pieces; j++)
			if (overlaps(p->piece[k].dst, p->piece[k].len, p->piece[j].src,
				     p->piece[j].len))
				return mperr_in_entry(
					mperr_input("destination 0x%" PRIx64 "+0x%" PRIx32
						    " overlaps source 0x%" PRIx64 "+0x%" PRIx32
						    " of MDST entry %u, which is copied %s",
						    p->piece[k].dst, p->piece[k].len, p->piece[j].src,
						    p->piece[j].len, p->piece[j].mdst,
						    j == k ? "in the same step" : "later"),
					"MDDT", p->piece[k].mddt);
	return NULL;
}

struct walk {
	const struct mpipl_tables *t;
	const struct warn_sink *w;
	unsigned si, di, dend;		/* current MDST entry; MDDT window [di, dend) */
	uint64_t src, src_left, dst, dst_left;
};

/* Open the next destination window, merging contiguous entries. False: the walk ends. */
static bool next_window(struct walk *k, uint64_t src_bytes_left)
{
	const struct dump_entry *d = k->t->mddt;

	k->di = k->dend;
	if (k->di >= k->t->n_mddt) {
		warnf(k->w, "MDST entry %u: 0x%" PRIx64 " source bytes left after the last MDDT "
		      "entry; the walk ends, as on hostboot", k->si, src_bytes_left);
		return false;
	}
	if (!d[k->di].gpa || !d[k->di].size) {
		warnf(k->w, "MDDT entry %u: address 0x%" PRIx64 " size 0x%" PRIx32 " ends the walk "
		      "(hostboot); 0x%" PRIx64 " source bytes of MDST entry %u and later not "
		      "preserved", k->di, d[k->di].gpa, d[k->di].size, src_bytes_left, k->si);
		return false;
	}
	k->dst = d[k->di].gpa;
	k->dst_left = d[k->di].size;
	k->dend = k->di + 1;
	while (k->dend < k->t->n_mddt && d[k->dend].gpa && d[k->dend].size &&
	       d[k->dend].gpa == k->dst + k->dst_left &&
	       k->dst_left + d[k->dend].size < WINDOW_MAX)
		k->dst_left += d[k->dend++].size;
	return true;
}

/* Source bytes from MDST entry si to the end (for the "not preserved" figure). */
static uint64_t bytes_from(const struct mpipl_tables *t, unsigned si, uint64_t partial)
{
	uint64_t n = partial;

	for (unsigned i = si + 1; i < t->n_mdst; i++)
		n += t->mdst[i].size;
	return n;
}

/* Destination entry holding gpa inside the current window. */
static unsigned dest_entry_at(const struct walk *k, uint64_t gpa)
{
	for (unsigned i = k->di; i < k->dend; i++)
		if (gpa < k->t->mddt[i].gpa + k->t->mddt[i].size)
			return i;
	return k->dend - 1;
}

static void check_labels(const struct walk *k, uint64_t dst, uint64_t len)
{
	const struct dump_entry *s = &k->t->mdst[k->si];

	for (unsigned i = dest_entry_at(k, dst); i < k->dend; i++) {
		const struct dump_entry *d = &k->t->mddt[i];

		if (d->gpa >= dst + len)
			break;
		if (d->region != s->region || d->type != s->type)
			warnf(k->w, "MDST entry %u (region 0x%02x type 0x%02x) lands in MDDT entry "
			      "%u (region 0x%02x type 0x%02x); copied anyway, as hostboot does",
			      k->si, s->region, s->type, i, d->region, d->type);
	}
}

static struct mperr *add_piece(struct walk *k, struct sim_plan *p, uint64_t len)
{
	struct copy_piece *c = sim_new_piece(p);
	const struct dump_entry *s = &k->t->mdst[k->si];

	if (!c)
		return mperr_nomem();
	*c = (struct copy_piece){ k->src, k->dst, (uint32_t)len, k->si, dest_entry_at(k, k->dst),
				  s->region, s->type, false };
	check_labels(k, k->dst, len);
	p->bytes_copied += len;
	k->src += len;
	k->src_left -= len;
	k->dst += len;
	k->dst_left -= len;
	return NULL;
}

/* The two byte streams of mpipl.md §3 "How hostboot walks them". */
static struct mperr *walk_tables(const struct mpipl_tables *t, struct sim_plan *p,
				 const struct warn_sink *w)
{
	struct walk k = { .t = t, .w = w };
	struct mperr *err;

	for (k.si = 0; k.si < t->n_mdst; k.si++) {
		k.src = t->mdst[k.si].gpa;
		k.src_left = t->mdst[k.si].size;
		if (!k.src_left)
			warnf(w, "MDST entry %u: size 0, passed over as on hostboot", k.si);
		while (k.src_left) {
			if (!k.dst_left && !next_window(&k, bytes_from(t, k.si, k.src_left))) {
				p->bytes_unpreserved = bytes_from(t, k.si, k.src_left);
				return NULL;
			}
			err = add_piece(&k, p, k.src_left < k.dst_left ? k.src_left : k.dst_left);
			if (err)
				return err;
		}
	}
	return NULL;
}

/* Sizes that do not match one to one are hostboot's business, but worth a word. */
static void warn_spills(const struct mpipl_tables *t, const struct sim_plan *p,
			const struct warn_sink *w)
{
	for (unsigned i = 0; i < p->n_pieces; i++) {
		const struct copy_piece *c = &p->piece[i];

		if (c->len != t->mdst[c->mdst].size || c->len != t->mddt[c->mddt].size)
			warnf(w, "MDST entry %u (0x%" PRIx32 " bytes) and MDDT entry %u (0x%" PRIx32
			      " bytes) differ in size: piece 0x%" PRIx64 " -> 0x%" PRIx64
			      " of 0x%" PRIx32 " bytes", c->mdst, t->mdst[c->mdst].size, c->mddt,
			      t->mddt[c->mddt].size, c->src, c->dst, c->len);
	}
}

/* One MDRT entry per piece, HRMOR bit set, up to alloc_cnt (mpipl.md §3). */
static struct mperr *record_pieces(const struct mpipl_tables *t, struct sim_plan *p,
				   const struct warn_sink *w)
{
	unsigned cap = t->nt[NT_MDRT].alloc_cnt;

	p->n_recorded = p->n_pieces < cap ? p->n_pieces : cap;
	p->mdrt = calloc(p->n_recorded ? p->n_recorded : 1, sizeof(*p->mdrt));
	if (!p->mdrt)
		return mperr_nomem();
	for (unsigned i = 0; i < p->n_pieces; i++) {
		const struct copy_piece *c = &p->piece[i];

		p->piece[i].recorded = i < cap;
		if (i < cap)
			p->mdrt[i] = (struct mdrt_rec){ c->src | HRMOR_BIT, c->dst | HRMOR_BIT,
							c->region, c->type, c->len };
	}
	p->n_mdrt = p->n_recorded;
	p->mdrt_gpa = t->nt[NT_MDRT].gpa;
	p->write_mdrt_count = t->spirah_gpa != 0;
	if (p->n_pieces > cap)
		warnf(w, "MDRT holds %u entries, the copy made %u pieces: all copied, the last %u "
		      "not recorded (hostboot DUMP_MDRT_INSUFFICIENT_SPACE)", cap, p->n_pieces,
		      p->n_pieces - cap);
	return NULL;
}

struct mperr *sim_hostboot_plan(const struct mpipl_tables *t, struct sim_plan *p,
				const struct warn_sink *w)
{
	struct mperr *err;

	p->pda = t->pda;
	p->pda_write_gpa = t->pda.gpa;
	p->write_cpu = true;
	err = check_ranges(t->ram, t->mdst, t->n_mdst, "MDST");
	if (!err)
		err = check_ranges(t->ram, t->mddt, t->n_mddt, "MDDT");
	if (!err)
		err = check_dest_overlap(t);
	if (err)
		return err;
	err = walk_tables(t, p, w);
	if (!err)
		err = check_read_after_write(p);
	if (err)
		return err;
	warn_spills(t, p, w);
	return record_pieces(t, p, w);
}
