/*
 * compare_ranges.c - the byte part of compare: every preserved range (MDDT
 * destination), every table, then the rest of RAM. Only data extents are
 * read (ram_walk_data): where both images have a hole the bytes are equal
 * without looking, so the cost follows the data, not the RAM size.
 */
#include "compare/compare_ranges.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/cmp_row.h"
#include "core/bytes.h"

#define BLOCK		4096u
#define FDT_GPA		UINT64_C(0x01000000)	/* QEMU's PNV_FDT_ADDR, simulation.md §5 */
#define FDT_MAGIC	0xd00dfeedu
#define FDT_MAX		0x100000u		/* QEMU's FDT_MAX_SIZE */

struct bytes {
	const struct ram_image *self, *other;
	bool overlap;		/* pass 1: also compare where both have data */
	uint64_t differing, first;
	const uint8_t *data;	/* the stretch of this image being walked */
	uint64_t gpa, pos;	/* its start; first byte not yet accounted for */
};

static void note(struct bytes *c, uint64_t gpa)
{
	c->differing++;
	if (gpa < c->first)
		c->first = gpa;
}

/* The other image reads zero here. */
static void count_nonzero(struct bytes *c, const uint8_t *p, uint64_t gpa, uint64_t len)
{
	for (uint64_t o = 0; o < len; o += BLOCK) {
		uint64_t n = len - o < BLOCK ? len - o : BLOCK;

		if (mem_is_zero(p + o, n))
			continue;
		for (uint64_t k = 0; k < n; k++)
			if (p[o + k])
				note(c, gpa + o + k);
	}
}

static void count_unequal(struct bytes *c, const uint8_t *p, const uint8_t *q, uint64_t gpa,
			  uint64_t len)
{
	for (uint64_t o = 0; o < len; o += BLOCK) {
		uint64_t n = len - o < BLOCK ? len - o : BLOCK;

		if (!memcmp(p + o, q + o, n))
			continue;
		for (uint64_t k = 0; k < n; k++)
			if (p[o + k] != q[o + k])
				note(c, gpa + o + k);
	}
}

/* Data of the other image inside the current stretch. */
static struct mperr *inner(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct bytes *c = ctx;

	count_nonzero(c, c->data + (c->pos - c->gpa), c->pos, gpa - c->pos);
	if (c->overlap) {
		count_unequal(c, c->data + (gpa - c->gpa), data, gpa, len);
		ram_release(c->other, data, len);
	}
	c->pos = gpa + len;
	return NULL;
}

static struct mperr *outer(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct bytes *c = ctx;
	uint64_t end = gpa + len, oend = end < c->other->size ? end : c->other->size;
	struct mperr *err = NULL;

	c->data = data;
	c->gpa = c->pos = gpa;
	if (gpa < oend)
		err = ram_walk_data(c->other, gpa, oend - gpa, inner, c);
	if (!err)
		count_nonzero(c, data + (c->pos - gpa), c->pos, end - c->pos);
	ram_release(c->self, data, len);
	return err;
}

struct mperr *cmp_bytes(const struct ram_image *a, const struct ram_image *b, uint64_t gpa,
			uint64_t len, uint64_t *differing, uint64_t *first)
{
	struct bytes c = { .first = UINT64_MAX };
	struct mperr *err = NULL;
	uint64_t end;

	if (__builtin_add_overflow(gpa, len, &end))
		return mperr_input("range 0x%" PRIx64 "+0x%" PRIx64 " wraps", gpa, len);
	/* pass 1 walks A's data, pass 2 B's data where A has none */
	for (int pass = 0; !err && pass < 2; pass++) {
		const struct ram_image *self = pass ? b : a;
		uint64_t e = end < self->size ? end : self->size;

		c.self = self;
		c.other = pass ? a : b;
		c.overlap = !pass;
		if (gpa < e)
			err = ram_walk_data(self, gpa, e - gpa, outer, &c);
	}
	*differing = c.differing;
	*first = c.differing ? c.first : 0;
	return err;
}

/* ---- the named ranges ---- */

static struct mperr *range_push(struct cmp_result *r, const struct cmp_range *x)
{
	if (r->n_range == r->cap_range) {
		size_t cap = r->cap_range ? 2 * r->cap_range : 32;
		struct cmp_range *p = realloc(r->range, cap * sizeof(*p));

		if (!p)
			return mperr_nomem();
		r->range = p;
		r->cap_range = cap;
	}
	r->range[r->n_range++] = *x;
	return NULL;
}

/*
 * A range of image `side` (0 A, 1 B), cut to the larger RAM (limit). B's
 * own ranges are added only where they differ from A's, named "... of B".
 */
static struct mperr *add_range(struct cmp_result *r, uint64_t limit, int side,
			       enum cmp_range_kind kind, uint64_t gpa, uint64_t len,
			       const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static struct mperr *add_range(struct cmp_result *r, uint64_t limit, int side,
			       enum cmp_range_kind kind, uint64_t gpa, uint64_t len,
			       const char *fmt, ...)
{
	struct cmp_range x = { .kind = kind, .gpa = gpa, .row = cmp_range_row(kind) };
	va_list ap;
	size_t n;

	if (!len || gpa >= limit)
		return NULL;
	x.len = len < limit - gpa ? len : limit - gpa;
	for (size_t i = 0; i < r->n_range; i++)
		if (r->range[i].gpa == x.gpa && r->range[i].len == x.len)
			return NULL;
	va_start(ap, fmt);
	vsnprintf(x.name, sizeof(x.name), fmt, ap);
	va_end(ap);
	n = strlen(x.name);
	if (side)
		snprintf(x.name + n, sizeof(x.name) - n, " of B");
	return range_push(r, &x);
}

static uint64_t fdt_size(const struct ram_image *ram)
{
	uint8_t h[8];

	if (ram_read(ram, FDT_GPA, h, sizeof(h)) || ld_be32(h) != FDT_MAGIC)
		return 0;
	return ld_be32(h + 4) < FDT_MAX ? ld_be32(h + 4) : FDT_MAX;
}

static struct mperr *add_dests(struct cmp_result *r, uint64_t limit, int side,
			       const struct mpipl_tables *t)
{
	struct mperr *err = NULL;

	/* address 0 ends hostboot's walk: nothing is preserved there (mpipl.md §3) */
	for (unsigned i = 0; !err && i < t->n_mddt; i++)
		if (t->mddt[i].gpa)
			err = add_range(r, limit, side, CMP_RANGE_DEST, t->mddt[i].gpa,
					t->mddt[i].size, "MDDT entry %u destination", i);
	return err;
}

static uint64_t table_bytes(const struct ntuple *n, unsigned esize)
{
	return (uint64_t)(n->alloc_cnt < DUMP_TABLE_MAX ? n->alloc_cnt : DUMP_TABLE_MAX) * esize;
}

static struct mperr *add_tables(struct cmp_result *r, uint64_t limit, int side,
				const struct mpipl_tables *t)
{
	const struct ntuple *nt = t->nt;
	struct mperr *err = NULL;

	if (t->spirah_gpa)
		err = add_range(r, limit, side, CMP_RANGE_SPIRAH, t->spirah_gpa, SPIRAH_SIZE,
				"SPIRA-H");
	if (!err)
		err = add_range(r, limit, side, CMP_RANGE_MDST, nt[NT_MDST].gpa,
				table_bytes(&nt[NT_MDST], DUMP_ENTRY_SIZE), "MDST");
	if (!err)
		err = add_range(r, limit, side, CMP_RANGE_MDDT, nt[NT_MDDT].gpa,
				table_bytes(&nt[NT_MDDT], DUMP_ENTRY_SIZE), "MDDT");
	if (!err)
		err = add_range(r, limit, side, CMP_RANGE_MDRT, nt[NT_MDRT].gpa,
				(uint64_t)nt[NT_MDRT].alloc_cnt * MDRT_ENTRY_SIZE, "MDRT");
	if (!err)
		err = add_range(r, limit, side, CMP_RANGE_PDA, t->pda.gpa, PDA_SIZE,
				"processor dump area");
	if (!err && t->pda.gpa != QEMU_V2_PDA_GPA)
		err = add_range(r, limit, side, CMP_RANGE_PDA_QEMU, QEMU_V2_PDA_GPA, PDA_SIZE,
				"processor dump area at 0x10300");
	if (!err && t->pda.alloc_gpa)
		err = add_range(r, limit, side, CMP_RANGE_THREADS, t->pda.alloc_gpa,
				t->pda.alloc_size, "thread records");
	if (!err)
		err = add_range(r, limit, side, CMP_RANGE_META, t->meta.gpa, MPIPL_META_SIZE,
				"MPIPL metadata");
	return err;
}

static int by_gpa(const void *x, const void *y)
{
	const struct cmp_range *a = x, *b = y;

	return a->gpa < b->gpa ? -1 : a->gpa > b->gpa;
}

/* Everything outside the named ranges, as one range. */
static struct mperr *cmp_rest(const struct mpipl_tables *const t[2], struct cmp_result *r,
			      uint64_t limit)
{
	struct cmp_range rest = { .kind = CMP_RANGE_REST, .len = limit, .first = UINT64_MAX,
				  .name = "rest of RAM" };
	struct cmp_range *s = malloc((r->n_range + 1) * sizeof(*s));
	struct mperr *err = NULL;
	uint64_t pos = 0;

	if (!s)
		return mperr_nomem();
	memcpy(s, r->range, r->n_range * sizeof(*s));
	qsort(s, r->n_range, sizeof(*s), by_gpa);
	s[r->n_range] = (struct cmp_range){ .gpa = limit };
	for (size_t i = 0; !err && i <= r->n_range; i++) {
		uint64_t d, f;

		if (s[i].gpa > pos) {
			err = cmp_bytes(t[0]->ram, t[1]->ram, pos, s[i].gpa - pos, &d, &f);
			rest.differing += d;
			if (d && f < rest.first)
				rest.first = f;
		}
		if (s[i].gpa + s[i].len > pos)
			pos = s[i].gpa + s[i].len;
	}
	free(s);
	if (!rest.differing)
		rest.first = 0;
	return err ? err : range_push(r, &rest);
}

struct mperr *cmp_ranges(const struct mpipl_tables *const t[2], struct cmp_result *r)
{
	uint64_t limit = t[0]->ram->size > t[1]->ram->size ? t[0]->ram->size : t[1]->ram->size;
	uint64_t fa = fdt_size(t[0]->ram), fb = fdt_size(t[1]->ram);
	struct mperr *err = NULL;

	for (int i = 0; !err && i < 2; i++)
		err = add_dests(r, limit, i, t[i]);
	for (int i = 0; !err && i < 2; i++)
		err = add_tables(r, limit, i, t[i]);
	if (!err)
		err = add_range(r, limit, 0, CMP_RANGE_FDT, FDT_GPA, fa > fb ? fa : fb,
				"device tree");
	for (size_t i = 0; !err && i < r->n_range; i++)
		err = cmp_bytes(t[0]->ram, t[1]->ram, r->range[i].gpa, r->range[i].len,
				&r->range[i].differing, &r->range[i].first);
	if (!err)
		err = cmp_rest(t, r, limit);
	for (size_t i = 0; !err && i < r->n_range; i++) {
		r->bytes_differing += r->range[i].differing;
		r->n_ranges_differing += !!r->range[i].differing;
	}
	return err;
}
