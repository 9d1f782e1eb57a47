/*
 * compare.c - field-level comparison of two post-MPIPL images: SPIRA-H
 * result, MDRT, processor dump area, thread records. Rows are classified by
 * cmp_row.c, byte ranges compared by compare_ranges.c.
 */
#include "compare/compare.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"


/* ---- the result ---- */

static struct mperr *add_diff(struct cmp_result *r, struct cmp_diff d)
{
	if (r->n_diff == r->cap_diff) {
		size_t cap = r->cap_diff ? 2 * r->cap_diff : 64;
		struct cmp_diff *p = realloc(r->diff, cap * sizeof(*p));

		if (!p)
			return mperr_nomem();
		r->diff = p;
		r->cap_diff = cap;
	}
	if (!d.span)
		d.span = 1;
	d.row = cmp_row(&d);
	r->diff[r->n_diff++] = d;
	return NULL;
}

/* A difference of what between a and b, if they differ. */
static struct mperr *diff_if(struct cmp_result *r, enum cmp_what what, long index, uint64_t a,
			     uint64_t b, uint64_t ctx_a, uint64_t ctx_b)
{
	if (a == b)
		return NULL;
	return add_diff(r, (struct cmp_diff){ .what = what, .index = index, .a = a, .b = b,
					      .ctx_a = ctx_a, .ctx_b = ctx_b });
}

void cmp_result_free(struct cmp_result *r)
{
	free(r->diff);
	free(r->range);
	memset(r, 0, sizeof(*r));
}

/* ---- tables and MDRT ---- */

static struct mperr *cmp_tables(const struct mpipl_tables *const t[2], struct cmp_result *r)
{
	static const unsigned nts[] = { NT_MDST, NT_MDDT, NT_MDRT, NT_PROC_DUMP };
	struct mperr *err = diff_if(r, CMP_RAM_SIZE, -1, t[0]->ram->size, t[1]->ram->size, 0, 0);

	if (!err)
		err = diff_if(r, CMP_TABLE_GPA, SPIRAH_NR_NTUPLES, t[0]->spirah_gpa,
			      t[1]->spirah_gpa, 0, 0);
	for (size_t i = 0; !err && i < sizeof(nts) / sizeof(nts[0]); i++)
		err = diff_if(r, CMP_TABLE_GPA, nts[i], t[0]->nt[nts[i]].gpa, t[1]->nt[nts[i]].gpa,
			      0, 0);
	return err;
}

/*
 * Entries counted, as skiboot reads them after the MPIPL: the SPIRA-H
 * ntuple 5 act_cnt; without SPIRA-H (addresses given by hand) the entries
 * before the first all-zero one.
 */
static unsigned mdrt_counted(const struct mpipl_tables *t)
{
	const struct ntuple *n = &t->nt[NT_MDRT];
	uint8_t e[MDRT_ENTRY_SIZE];
	unsigned i;

	if (t->spirah_gpa)
		return n->act_cnt;
	for (i = 0; i < n->alloc_cnt; i++)
		if (ram_read(t->ram, n->gpa + (uint64_t)i * MDRT_ENTRY_SIZE, e, sizeof(e)) ||
		    mem_is_zero(e, sizeof(e)))
			break;
	return i;
}

/* n entries at the MDRT; those past the end of RAM read as zero. */
static struct mperr *mdrt_load(const struct mpipl_tables *t, unsigned n, uint8_t **out)
{
	uint64_t gpa = t->nt[NT_MDRT].gpa, fit = 0;
	uint8_t *buf = calloc(n ? n : 1, MDRT_ENTRY_SIZE);
	struct mperr *err = NULL;

	if (!buf)
		return mperr_nomem();
	if (gpa < t->ram->size)
		fit = (t->ram->size - gpa) / MDRT_ENTRY_SIZE;
	if (fit > n)
		fit = n;
	if (fit)
		err = ram_read(t->ram, gpa, buf, fit * MDRT_ENTRY_SIZE);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	return NULL;
}

static struct mperr *cmp_mdrt_entry(struct cmp_result *r, long i, const uint8_t *a,
				    const uint8_t *b)
{
	uint64_t sa = ld_be32(a + MDRT_SIZE_OFF), sb = ld_be32(b + MDRT_SIZE_OFF);
	struct mperr *err;

	if (!memcmp(a, b, MDRT_ENTRY_SIZE))
		return NULL;
	err = diff_if(r, CMP_MDRT_SRC, i, ld_be64(a + MDRT_SRC_OFF), ld_be64(b + MDRT_SRC_OFF),
		      sa, sb);
	if (!err)
		err = diff_if(r, CMP_MDRT_DEST, i, ld_be64(a + MDRT_DEST_OFF),
			      ld_be64(b + MDRT_DEST_OFF), sa, sb);
	if (!err)
		err = diff_if(r, CMP_MDRT_REGION, i, a[MDRT_REGION_OFF], b[MDRT_REGION_OFF], 0, 0);
	if (!err)
		err = diff_if(r, CMP_MDRT_TYPE, i, a[MDRT_TYPE_OFF], b[MDRT_TYPE_OFF], 0, 0);
	if (!err)
		err = diff_if(r, CMP_MDRT_SIZE, i, sa, sb, 0, 0);
	if (!err)
		err = diff_if(r, CMP_MDRT_PAD, i,
			      ld_be16(a + MDRT_RESERVED_OFF) + ld_be64(a + MDRT_PAD_OFF),
			      ld_be16(b + MDRT_RESERVED_OFF) + ld_be64(b + MDRT_PAD_OFF), 0, 0);
	return err;
}

static struct mperr *cmp_mdrt(const struct mpipl_tables *const t[2], struct cmp_result *r)
{
	unsigned na = mdrt_counted(t[0]), nb = mdrt_counted(t[1]);
	unsigned n = na > nb ? na : nb;
	uint64_t alloc_a = t[0]->nt[NT_MDRT].alloc_cnt, alloc_b = t[1]->nt[NT_MDRT].alloc_cnt;
	uint8_t *ea = NULL, *eb = NULL;
	struct mperr *err = NULL;

	r->side[0].mdrt_counted = na;
	r->side[1].mdrt_counted = nb;
	if (t[0]->spirah_gpa && t[1]->spirah_gpa)
		err = diff_if(r, CMP_MDRT_ACT_CNT, -1, na, nb, alloc_a, alloc_b);
	if (!err && na != nb)
		err = add_diff(r, (struct cmp_diff){ .what = CMP_MDRT_COUNTED,
						     .index = na < nb ? na : nb, .span = n -
						     (na < nb ? na : nb), .a = na, .b = nb,
						     .ctx_a = alloc_a, .ctx_b = alloc_b });
	if (n > MDRT_MAX_ENTRIES)
		n = MDRT_MAX_ENTRIES;
	if (!err)
		err = mdrt_load(t[0], n, &ea);
	if (!err)
		err = mdrt_load(t[1], n, &eb);
	for (unsigned i = 0; !err && i < n; i++)
		err = cmp_mdrt_entry(r, i, ea + (size_t)i * MDRT_ENTRY_SIZE,
				     eb + (size_t)i * MDRT_ENTRY_SIZE);
	r->mdrt_compared = n;
	free(ea);
	free(eb);
	return err;
}

/* ---- processor dump area ---- */

struct areas {
	struct proc_dump_area nt, qemu;
	bool have_qemu;		/* 0x10300 lies in RAM and is not the ntuple area */
};

static struct mperr *areas_load(const struct mpipl_tables *t, struct areas *a)
{
	memset(a, 0, sizeof(*a));
	a->nt = t->pda;
	a->have_qemu = t->pda.gpa != QEMU_V2_PDA_GPA &&
		       !ram_check_range(t->ram, QEMU_V2_PDA_GPA, PDA_SIZE);
	return a->have_qemu ? pda_read(t->ram, QEMU_V2_PDA_GPA, &a->qemu) : NULL;
}

static struct mperr *cmp_area(struct cmp_result *r, enum cmp_area idx,
			      const struct proc_dump_area *a, const struct proc_dump_area *b,
			      uint64_t wa, uint64_t wb)
{
	struct mperr *err = diff_if(r, CMP_PDA_THREAD_SIZE, idx, a->thread_size, b->thread_size,
				    wa, wb);

	if (!err)
		err = diff_if(r, CMP_PDA_VERSION, idx, a->version, b->version, wa, wb);
	if (!err)
		err = diff_if(r, CMP_PDA_ALLOC_ADDR, idx, a->alloc_raw, b->alloc_raw, wa, wb);
	if (!err)
		err = diff_if(r, CMP_PDA_ALLOC_SIZE, idx, a->alloc_size, b->alloc_size, wa, wb);
	if (!err)
		err = diff_if(r, CMP_PDA_DEST, idx, a->dest_raw, b->dest_raw, wa, wb);
	if (!err)
		err = diff_if(r, CMP_PDA_ACT_SIZE, idx, a->act_size, b->act_size, wa, wb);
	return err;
}

/*
 * Where the records are: the area at the ntuple address if firmware filled
 * it in (dest_addr != 0, hostboot), else the one at 0x10300 if QEMU v2
 * filled that one in (mpipl.md §7 item 12).
 */
static const struct proc_dump_area *records_area(const struct areas *a, struct cmp_side *s)
{
	const struct proc_dump_area *q = &a->qemu;

	if (a->nt.dest_raw) {
		s->threads_from = CMP_THREADS_NTUPLE;
		return &a->nt;
	}
	if (a->have_qemu && q->version == 1 && q->thread_size && q->dest_raw && q->act_size) {
		s->threads_from = CMP_THREADS_QEMU;
		return q;
	}
	s->threads_from = CMP_THREADS_NONE;
	return NULL;
}

/* ---- thread records ---- */

struct thread {
	uint32_t pir;
	uint8_t core_state;
	uint32_t offset, ecnt, esize, eactsz;
	const uint8_t *ent;	/* first register entry */
	unsigned n_ent;		/* entries that lie inside the record */
};

struct records {
	uint8_t *buf;
	struct thread *th;
	size_t n;
};

static void thread_parse(const uint8_t *b, uint32_t size, struct thread *t)
{
	uint64_t start, room;

	t->pir = ld_be32(b + THREAD_PIR_OFF);
	t->core_state = b[THREAD_CORE_STATE_OFF];
	t->offset = ld_be32(b + THREAD_OFFSET_OFF);
	t->ecnt = ld_be32(b + THREAD_ECNT_OFF);
	t->esize = ld_be32(b + THREAD_ESIZE_OFF);
	t->eactsz = ld_be32(b + THREAD_EACTSZ_OFF);
	/* the array starts at header + 8 + offset, as Linux reads it (mpipl.md §4) */
	start = THREAD_OFFSET_OFF + (uint64_t)t->offset;
	t->ent = b + start;
	t->n_ent = 0;
	if (t->esize < REG_ENTRY_SIZE || start + REG_ENTRY_SIZE > size)
		return;
	room = (size - start - REG_ENTRY_SIZE) / t->esize + 1;
	t->n_ent = t->ecnt < room ? t->ecnt : (unsigned)room;
	if (t->n_ent > CMP_MAX_REGS)
		t->n_ent = CMP_MAX_REGS;
}

static struct mperr *records_load(const struct mpipl_tables *t, const struct proc_dump_area *a,
				  struct cmp_side *s, struct records *rec)
{
	uint64_t n, fit, gpa;
	struct mperr *err;

	memset(rec, 0, sizeof(*rec));
	if (!a)
		return NULL;
	gpa = a->dest_raw & ~HRMOR_BIT;
	s->threads_gpa = gpa;
	s->thread_size = a->thread_size;
	if (a->thread_size < THREAD_HDR_SIZE)
		return NULL;
	n = a->act_size / a->thread_size;
	fit = gpa < t->ram->size ? (t->ram->size - gpa) / a->thread_size : 0;
	if (fit > CMP_MAX_THREADS)
		fit = CMP_MAX_THREADS;
	if (fit > CMP_MAX_RECORD_BYTES / a->thread_size)
		fit = CMP_MAX_RECORD_BYTES / a->thread_size;
	s->threads_capped = n > fit;
	n = n < fit ? n : fit;
	rec->buf = malloc(n * a->thread_size + 1);
	rec->th = calloc(n + 1, sizeof(*rec->th));
	if (!rec->buf || !rec->th)
		return mperr_nomem();
	err = ram_read(t->ram, gpa, rec->buf, n * a->thread_size);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		thread_parse(rec->buf + i * a->thread_size, a->thread_size, &rec->th[i]);
	rec->n = s->n_threads = n;
	return NULL;
}

static void records_free(struct records *rec)
{
	free(rec->buf);
	free(rec->th);
}

static struct reg_id entry_id(const struct thread *t, unsigned i)
{
	const uint8_t *e = t->ent + (size_t)i * t->esize;

	return (struct reg_id){ ld_be32(e + REG_TYPE_OFF), ld_be32(e + REG_NUM_OFF) };
}

static uint64_t entry_val(const struct thread *t, unsigned i)
{
	return ld_be64(t->ent + (size_t)i * t->esize + REG_VAL_OFF);
}

static struct mperr *reg_diff(struct cmp_result *r, const struct thread *ta,
			      const struct thread *tb, enum cmp_what what, struct reg_id id,
			      uint64_t a, uint64_t b)
{
	return add_diff(r, (struct cmp_diff){ .what = what, .index = -1, .pir = ta->pir,
					      .reg = id, .a = a, .b = b, .ctx_a = ta->offset,
					      .ctx_b = tb->offset });
}

/* Registers matched by (type, num), the first unused match each time. */
static struct mperr *cmp_regs(struct cmp_result *r, const struct thread *ta,
			      const struct thread *tb)
{
	bool used[CMP_MAX_REGS] = { false };
	struct mperr *err = NULL;

	for (unsigned i = 0; !err && i < ta->n_ent; i++) {
		struct reg_id id = entry_id(ta, i);
		unsigned j;

		for (j = 0; j < tb->n_ent; j++) {
			struct reg_id o = entry_id(tb, j);

			if (!used[j] && o.type == id.type && o.num == id.num)
				break;
		}
		if (j == tb->n_ent) {
			err = reg_diff(r, ta, tb, CMP_REG_PRESENT, id, 1, 0);
			continue;
		}
		used[j] = true;
		if (entry_val(ta, i) != entry_val(tb, j))
			err = reg_diff(r, ta, tb, CMP_REG_VALUE, id, entry_val(ta, i),
				       entry_val(tb, j));
	}
	for (unsigned j = 0; !err && j < tb->n_ent; j++)
		if (!used[j])
			err = reg_diff(r, ta, tb, CMP_REG_PRESENT, entry_id(tb, j), 0, 1);
	return err;
}

static struct mperr *thread_field(struct cmp_result *r, enum cmp_what what, uint32_t pir,
				  uint64_t a, uint64_t b)
{
	if (a == b)
		return NULL;
	return add_diff(r, (struct cmp_diff){ .what = what, .index = -1, .pir = pir, .a = a,
					      .b = b });
}

static struct mperr *cmp_thread(struct cmp_result *r, size_t ia, size_t ib,
				const struct thread *ta, const struct thread *tb)
{
	uint32_t pir = ta->pir;
	struct mperr *err = thread_field(r, CMP_THREAD_POSITION, pir, ia, ib);

	if (!err)
		err = thread_field(r, CMP_THREAD_CORE_STATE, pir, ta->core_state, tb->core_state);
	if (!err)
		err = thread_field(r, CMP_THREAD_OFFSET, pir, ta->offset, tb->offset);
	if (!err)
		err = thread_field(r, CMP_THREAD_ECNT, pir, ta->ecnt, tb->ecnt);
	if (!err)
		err = thread_field(r, CMP_THREAD_ESIZE, pir, ta->esize, tb->esize);
	if (!err)
		err = thread_field(r, CMP_THREAD_EACTSZ, pir, ta->eactsz, tb->eactsz);
	return err ? err : cmp_regs(r, ta, tb);
}

/* Threads matched by PIR (the first unmatched record with it). */
static struct mperr *cmp_records(struct cmp_result *r, const struct records *a,
				 const struct records *b)
{
	bool *used = calloc(b->n + 1, sizeof(*used));
	struct mperr *err;

	if (!used)
		return mperr_nomem();
	err = thread_field(r, CMP_THREAD_COUNT, 0, a->n, b->n);
	for (size_t i = 0; !err && i < a->n; i++) {
		size_t j;

		for (j = 0; j < b->n && (used[j] || b->th[j].pir != a->th[i].pir); j++)
			;
		if (j == b->n) {
			err = thread_field(r, CMP_THREAD_PRESENT, a->th[i].pir, 1, 0);
			continue;
		}
		used[j] = true;
		err = cmp_thread(r, i, j, &a->th[i], &b->th[j]);
	}
	for (size_t j = 0; !err && j < b->n; j++)
		if (!used[j])
			err = thread_field(r, CMP_THREAD_PRESENT, b->th[j].pir, 0, 1);
	free(used);
	return err;
}

static struct mperr *cmp_cpu(const struct mpipl_tables *const t[2], struct cmp_result *r)
{
	struct areas ar[2];
	struct records rec[2] = { { 0 }, { 0 } };
	const struct proc_dump_area *wr[2];
	struct mperr *err = areas_load(t[0], &ar[0]);

	if (!err)
		err = areas_load(t[1], &ar[1]);
	if (err)
		return mperr_in_table(err, "processor dump area");
	err = cmp_area(r, CMP_AREA_NTUPLE, &ar[0].nt, &ar[1].nt, !!ar[0].nt.dest_raw,
		       !!ar[1].nt.dest_raw);
	if (!err && ar[0].have_qemu && ar[1].have_qemu)
		err = cmp_area(r, CMP_AREA_QEMU, &ar[0].qemu, &ar[1].qemu, 0, 0);
	for (int i = 0; !err && i < 2; i++)
		err = records_load(t[i], (wr[i] = records_area(&ar[i], &r->side[i])), &r->side[i],
				   &rec[i]);
	if (!err && wr[0] && wr[1] && r->side[0].threads_from != r->side[1].threads_from)
		err = cmp_area(r, CMP_AREA_WRITTEN, wr[0], wr[1], 1, 1);
	if (!err)
		err = cmp_records(r, &rec[0], &rec[1]);
	records_free(&rec[0]);
	records_free(&rec[1]);
	return err;
}

struct mperr *cmp_images(const struct mpipl_tables *ta, const struct mpipl_tables *tb,
			 struct cmp_result *r)
{
	const struct mpipl_tables *const t[2] = { ta, tb };
	struct mperr *err;

	memset(r, 0, sizeof(*r));
	err = cmp_tables(t, r);
	if (!err)
		err = mperr_in_table(cmp_mdrt(t, r), "MDRT");
	if (!err)
		err = cmp_cpu(t, r);
	if (!err)
		err = cmp_ranges(t, r);
	return err;
}
