/* overlay.c - see overlay.h */
#include "core/overlay.h"

#include <stdlib.h>
#include <string.h>

static struct mperr *seg_reserve(struct overlay *ovl, size_t extra)
{
	size_t need = ovl->n + extra, cap = ovl->cap ? ovl->cap : 16;
	struct ovl_seg *p;

	if (need <= ovl->cap)
		return NULL;
	while (cap < need)
		cap *= 2;
	p = realloc(ovl->seg, cap * sizeof(*p));
	if (!p)
		return mperr_nomem();
	ovl->seg = p;
	ovl->cap = cap;
	return NULL;
}

struct mperr *ovl_init(struct overlay *ovl, const struct ram_image *base)
{
	memset(ovl, 0, sizeof(*ovl));
	ovl->base = base;
	if (!base->size)
		return NULL;
	if (seg_reserve(ovl, 1))
		return mperr_nomem();
	ovl->seg[0] = (struct ovl_seg){ 0, base->size, 0, NULL };
	ovl->n = 1;
	return NULL;
}

void ovl_free(struct overlay *ovl)
{
	for (size_t i = 0; i < ovl->n_bufs; i++)
		free(ovl->bufs[i]);
	free(ovl->bufs);
	free(ovl->seg);
	memset(ovl, 0, sizeof(*ovl));
}

/* First segment ending after gpa. */
static size_t seg_find(const struct overlay *ovl, uint64_t gpa)
{
	size_t lo = 0, hi = ovl->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ovl->seg[mid].gpa + ovl->seg[mid].len <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The part [gpa, gpa+len) of segment s, which must contain it. */
static struct ovl_seg seg_slice(const struct ovl_seg *s, uint64_t gpa, uint64_t len)
{
	uint64_t skip = gpa - s->gpa;
	struct ovl_seg r = *s;

	r.gpa = gpa;
	r.len = len;
	if (r.bytes)
		r.bytes += skip;
	else
		r.src_gpa += skip;
	return r;
}

/*
 * Replace the view of [gpa, gpa+len) by the k segments in repl (which tile it
 * exactly, in order).
 */
static struct mperr *seg_replace(struct overlay *ovl, uint64_t gpa, uint64_t len,
				 const struct ovl_seg *repl, size_t k)
{
	uint64_t end = gpa + len;
	size_t first = seg_find(ovl, gpa), last = first, tail_n;
	struct ovl_seg head, tail;
	int has_head, has_tail;
	struct mperr *err;

	while (last < ovl->n && ovl->seg[last].gpa < end)
		last++;
	/* segments [first, last) intersect the range; keep their outside parts */
	has_head = ovl->seg[first].gpa < gpa;
	if (has_head)
		head = seg_slice(&ovl->seg[first], ovl->seg[first].gpa, gpa - ovl->seg[first].gpa);
	has_tail = ovl->seg[last - 1].gpa + ovl->seg[last - 1].len > end;
	if (has_tail)
		tail = seg_slice(&ovl->seg[last - 1], end,
				 ovl->seg[last - 1].gpa + ovl->seg[last - 1].len - end);
	err = seg_reserve(ovl, k + 2);
	if (err)
		return err;
	tail_n = ovl->n - last;
	memmove(&ovl->seg[first + has_head + k + has_tail], &ovl->seg[last],
		tail_n * sizeof(*ovl->seg));
	if (has_head)
		ovl->seg[first] = head;
	memcpy(&ovl->seg[first + has_head], repl, k * sizeof(*repl));
	if (has_tail)
		ovl->seg[first + has_head + k] = tail;
	ovl->n = first + has_head + k + has_tail + tail_n;
	return NULL;
}

struct mperr *ovl_copy(struct overlay *ovl, uint64_t dst, uint64_t src, uint64_t len)
{
	struct mperr *err = ram_check_range(ovl->base, src, len);
	struct ovl_seg *repl;
	size_t k = 0, i;

	if (!err)
		err = ram_check_range(ovl->base, dst, len);
	if (err || !len)
		return err;
	i = seg_find(ovl, src);
	for (size_t j = i; j < ovl->n && ovl->seg[j].gpa < src + len; j++)
		k++;
	repl = calloc(k, sizeof(*repl));
	if (!repl)
		return mperr_nomem();
	for (size_t j = 0; j < k; j++) {
		const struct ovl_seg *s = &ovl->seg[i + j];
		uint64_t a = s->gpa > src ? s->gpa : src;
		uint64_t b = s->gpa + s->len < src + len ? s->gpa + s->len : src + len;

		repl[j] = seg_slice(s, a, b - a);
		repl[j].gpa = dst + (a - src);
	}
	err = seg_replace(ovl, dst, len, repl, k);
	free(repl);
	return err;
}

struct mperr *ovl_write(struct overlay *ovl, uint64_t gpa, const void *bytes, size_t len)
{
	struct mperr *err = ram_check_range(ovl->base, gpa, len);
	struct ovl_seg s;
	uint8_t **bufs, *copy;

	if (err || !len)
		return err;
	copy = malloc(len);
	bufs = realloc(ovl->bufs, (ovl->n_bufs + 1) * sizeof(*bufs));
	if (!copy || !bufs) {
		free(copy);
		if (bufs)
			ovl->bufs = bufs;
		return mperr_nomem();
	}
	ovl->bufs = bufs;
	memcpy(copy, bytes, len);
	ovl->bufs[ovl->n_bufs++] = copy;
	s = (struct ovl_seg){ gpa, len, 0, copy };
	return seg_replace(ovl, gpa, len, &s, 1);
}

struct walk_ctx {
	uint64_t delta;	/* view gpa = base gpa + delta (mod 2^64) */
	ram_data_fn fn;
	void *ctx;
};

static struct mperr *walk_shift(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct walk_ctx *w = ctx;

	return w->fn(w->ctx, gpa + w->delta, data, len);
}

struct mperr *ovl_walk_data(const struct overlay *ovl, uint64_t gpa, uint64_t len,
			    ram_data_fn fn, void *ctx)
{
	struct mperr *err = ram_check_range(ovl->base, gpa, len);
	uint64_t end = gpa + len;

	if (err)
		return err;
	for (size_t i = seg_find(ovl, gpa); i < ovl->n && ovl->seg[i].gpa < end; i++) {
		const struct ovl_seg *s = &ovl->seg[i];
		uint64_t a = s->gpa > gpa ? s->gpa : gpa;
		uint64_t b = s->gpa + s->len < end ? s->gpa + s->len : end;
		struct ovl_seg p = seg_slice(s, a, b - a);

		if (p.bytes) {
			err = fn(ctx, a, p.bytes, p.len);
		} else {
			struct walk_ctx w = { a - p.src_gpa, fn, ctx };

			err = ram_walk_data(ovl->base, p.src_gpa, p.len, walk_shift, &w);
		}
		if (err)
			return err;
	}
	return NULL;
}

struct mperr *ovl_read(const struct overlay *ovl, uint64_t gpa, void *buf, size_t len)
{
	struct ram_buf r = { buf, gpa };
	struct mperr *err = ram_check_range(ovl->base, gpa, len);

	if (err)
		return err;
	memset(buf, 0, len);
	return ovl_walk_data(ovl, gpa, len, ram_buf_fill, &r);
}

int ovl_is_identity(const struct overlay *ovl, uint64_t gpa, uint64_t len)
{
	uint64_t end = gpa + len;

	for (size_t i = seg_find(ovl, gpa); i < ovl->n && ovl->seg[i].gpa < end; i++)
		if (ovl->seg[i].bytes || ovl->seg[i].src_gpa != ovl->seg[i].gpa)
			return 0;
	return 1;
}

static struct mperr *count_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	(void)gpa;
	(void)data;
	*(uint64_t *)ctx += len;
	return NULL;
}

uint64_t ovl_data_bytes(const struct overlay *ovl, uint64_t gpa, uint64_t len)
{
	uint64_t n = 0;

	ovl_walk_data(ovl, gpa, len, count_piece, &n);	/* count_piece never fails */
	return n;
}
