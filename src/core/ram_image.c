/* ram_image.c - see ram_image.h */
#include "core/ram_image.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/input_file.h"

void ram_init(struct ram_image *ram, uint64_t size)
{
	memset(ram, 0, sizeof(*ram));
	ram->size = size;
	ram->map_fd = -1;
}

void ram_free(struct ram_image *ram)
{
	for (size_t i = 0; i < ram->n_owned; i++)
		free(ram->owned[i]);
	free(ram->owned);
	for (size_t i = 0; i < ram->n_maps; i++)
		munmap(ram->maps[i].addr, ram->maps[i].len);
	free(ram->maps);
	free(ram->ext);
	memset(ram, 0, sizeof(*ram));
}

struct mperr *ram_own(struct ram_image *ram, void *buf)
{
	if (ram->n_owned == ram->cap_owned) {
		size_t cap = ram->cap_owned ? 2 * ram->cap_owned : 16;
		void **p = realloc(ram->owned, cap * sizeof(*p));

		if (!p) {
			free(buf);
			return mperr_nomem();
		}
		ram->owned = p;
		ram->cap_owned = cap;
	}
	ram->owned[ram->n_owned++] = buf;
	return NULL;
}

struct mperr *ram_own_map(struct ram_image *ram, void *addr, size_t len)
{
	if (ram->n_maps == ram->cap_maps) {
		size_t cap = ram->cap_maps ? 2 * ram->cap_maps : 4;
		struct ram_map *p = realloc(ram->maps, cap * sizeof(*p));

		if (!p) {
			munmap(addr, len);
			return mperr_nomem();
		}
		ram->maps = p;
		ram->cap_maps = cap;
	}
	ram->maps[ram->n_maps++] = (struct ram_map){ addr, len };
	return NULL;
}

bool ram_contains(const struct ram_image *ram, uint64_t gpa, uint64_t len)
{
	uint64_t end;

	return !__builtin_add_overflow(gpa, len, &end) && end <= ram->size;
}

struct mperr *ram_check_range(const struct ram_image *ram, uint64_t gpa, uint64_t len)
{
	if (ram_contains(ram, gpa, len))
		return NULL;
	return mperr_at(mperr_input("range 0x%" PRIx64 "+0x%" PRIx64 " exceeds RAM (0x%" PRIx64
				    ")", gpa, len, ram->size), gpa);
}

struct mperr *ram_add(struct ram_image *ram, uint64_t gpa, uint64_t len, const uint8_t *data)
{
	struct mperr *err = ram_check_range(ram, gpa, len);

	if (err || !len)
		return err;
	if (!data && gpa >= ram->max_added_end)
		return NULL;	/* zero over nothing: no entry, so zero pages cost nothing */
	if (ram->n == ram->cap) {
		size_t cap = ram->cap ? 2 * ram->cap : 256;
		struct ram_extent *p = realloc(ram->ext, cap * sizeof(*p));

		if (!p)
			return mperr_nomem();
		ram->ext = p;
		ram->cap = cap;
	}
	ram->ext[ram->n] = (struct ram_extent){ gpa, len, data, ram->n, 0, 0 };
	ram->n++;
	if (data && gpa + len > ram->max_added_end)
		ram->max_added_end = gpa + len;
	return NULL;
}

struct mperr *ram_add_pages(struct ram_image *ram, uint64_t gpa, uint64_t len, const uint8_t *data,
			    uint32_t unit, uint32_t step)
{
	struct mperr *err;

	if (!data || !unit || len % unit || step < unit)
		return mperr_input("bad run of pages 0x%" PRIx64 "+0x%" PRIx64, gpa, len);
	if (len <= unit || step == unit)
		return ram_add(ram, gpa, len, data);
	err = ram_add(ram, gpa, len, data);
	if (err)
		return err;
	ram->ext[ram->n - 1].unit = unit;
	ram->ext[ram->n - 1].step = step;
	ram->n_runs++;
	return NULL;
}

/* The bytes of gpa, which lies in e (on a page boundary of a run, or anywhere in a page). */
static const uint8_t *ext_at(const struct ram_extent *e, uint64_t gpa)
{
	uint64_t d = gpa - e->gpa;

	if (!e->step)
		return e->data + d;
	return e->data + d / e->unit * e->step + d % e->unit;
}

/* [gpa, end) of e; for a run both on its page boundaries. */
static struct ram_extent ext_slice(const struct ram_extent *e, uint64_t gpa, uint64_t end)
{
	struct ram_extent r = *e;

	r.gpa = gpa;
	r.len = end - gpa;
	if (r.data)
		r.data = ext_at(e, gpa);
	return r;
}

/* Append e to the finished list, joining it to the last extent where the bytes continue. */
static void emit(struct ram_extent *dst, size_t *out, struct ram_extent e)
{
	struct ram_extent *p = *out ? &dst[*out - 1] : NULL;

	if (!e.data)
		return;
	if (e.step && e.len <= e.unit)
		e.unit = e.step = 0;	/* one page: plain bytes */
	if (p && p->gpa + p->len == e.gpa) {
		if (!p->step && !e.step && p->data + p->len == e.data) {
			p->len += e.len;
			return;
		}
		/* a run continued by a run of the same stride or by its next page */
		if (p->step && (e.step ? e.unit == p->unit && e.step == p->step : e.len == p->unit) &&
		    p->data + p->len / p->unit * p->step == e.data) {
			p->len += e.len;
			return;
		}
		/* a page continued by a run: the two make one run */
		if (!p->step && e.step && p->len == e.unit && p->data + e.step == e.data) {
			p->unit = e.unit;
			p->step = e.step;
			p->len += e.len;
			return;
		}
	}
	dst[(*out)++] = e;
}

static struct mperr *overlap(const struct ram_extent *a, const struct ram_extent *b)
{
	return mperr_at(mperr_input("ranges 0x%" PRIx64 "+0x%" PRIx64 " and 0x%" PRIx64 "+0x%" PRIx64
				    " overlap", a->gpa, a->len, b->gpa, b->len), a->gpa);
}

static int by_gpa_seq(const void *a, const void *b)
{
	const struct ram_extent *x = a, *y = b;

	if (x->gpa != y->gpa)
		return x->gpa < y->gpa ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Already sorted and disjoint? (the common case: formats that add in order) */
static int ram_is_ordered(const struct ram_image *ram)
{
	for (size_t i = 1; i < ram->n; i++)
		if (ram->ext[i].gpa < ram->ext[i - 1].gpa + ram->ext[i - 1].len)
			return 0;
	return 1;
}

struct mperr *ram_finish(struct ram_image *ram)
{
	struct ram_extent *dst = ram->ext, cur = { 0 };
	bool have_cur = false;	/* cur: what is left of a run that later adds cut into */
	size_t out = 0;

	if (!ram_is_ordered(ram))
		qsort(ram->ext, ram->n, sizeof(*ram->ext), by_gpa_seq);
	if (ram->n_runs) {	/* cutting runs can emit more extents than it reads */
		dst = malloc((2 * ram->n + 1) * sizeof(*dst));
		if (!dst)
			return mperr_nomem();
	}
	for (size_t i = 0; i < ram->n; i++) {
		struct ram_extent e = ram->ext[i];

		/* several adds of one range: the last one (highest seq, sorted last) wins */
		while (i + 1 < ram->n && ram->ext[i + 1].gpa == e.gpa &&
		       ram->ext[i + 1].len == e.len)
			e = ram->ext[++i];
		if (have_cur && e.gpa >= cur.gpa + cur.len) {
			emit(dst, &out, cur);
			have_cur = false;
		}
		if (have_cur) {
			/* e was added after the run and lies inside it, on its pages: e wins */
			uint64_t cend = cur.gpa + cur.len;

			if (e.seq < cur.seq || e.len > cend - e.gpa || (e.gpa - cur.gpa) % cur.unit ||
			    (e.gpa + e.len - cur.gpa) % cur.unit) {
				if (dst != ram->ext)
					free(dst);
				return overlap(&cur, &e);
			}
			if (e.gpa > cur.gpa)
				emit(dst, &out, ext_slice(&cur, cur.gpa, e.gpa));
			have_cur = e.gpa + e.len < cend;
			if (have_cur)
				cur = ext_slice(&cur, e.gpa + e.len, cend);
		}
		if (i + 1 < ram->n && ram->ext[i + 1].gpa < e.gpa + e.len) {
			if (e.step && !have_cur && ram->ext[i + 1].seq > e.seq) {
				cur = e;
				have_cur = true;
				continue;
			}
			if (dst != ram->ext)
				free(dst);
			return overlap(&e, &ram->ext[i + 1]);
		}
		emit(dst, &out, e);
	}
	if (have_cur)
		emit(dst, &out, cur);
	if (dst != ram->ext) {
		free(ram->ext);
		ram->ext = dst;
		ram->cap = 2 * ram->n + 1;
	}
	ram->n = out;
	ram->n_runs = 0;
	ram->data_bytes = 0;
	for (size_t i = 0; i < out; i++) {
		ram->data_bytes += ram->ext[i].len;
		ram->n_runs += ram->ext[i].step != 0;
	}
	return NULL;
}

size_t ram_find(const struct ram_image *ram, uint64_t gpa)
{
	size_t lo = 0, hi = ram->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ram->ext[mid].gpa + ram->ext[mid].len <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct mperr *ram_walk_data(const struct ram_image *ram, uint64_t gpa, uint64_t len,
			    ram_data_fn fn, void *ctx)
{
	struct mperr *err = ram_check_range(ram, gpa, len);
	uint64_t end = gpa + len;

	if (err)
		return err;
	for (size_t i = ram_find(ram, gpa); i < ram->n && ram->ext[i].gpa < end; i++) {
		const struct ram_extent *e = &ram->ext[i];
		uint64_t s = e->gpa > gpa ? e->gpa : gpa;
		uint64_t t = e->gpa + e->len < end ? e->gpa + e->len : end;

		/* a run: page by page (the pieces of a page are contiguous) */
		for (uint64_t g = s; g < t;) {
			uint64_t n = e->step ? e->unit - (g - e->gpa) % e->unit : t - g;

			if (n > t - g)
				n = t - g;
			err = fn(ctx, g, ext_at(e, g), n);
			if (err)
				return err;
			g += n;
		}
	}
	return NULL;
}

struct mperr *ram_buf_fill(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct ram_buf *r = ctx;

	memcpy(r->buf + (gpa - r->gpa), data, len);
	return NULL;
}

struct mperr *ram_read(const struct ram_image *ram, uint64_t gpa, void *buf, size_t len)
{
	struct ram_buf r = { buf, gpa };
	struct mperr *err = ram_check_range(ram, gpa, len);

	if (err)
		return err;
	memset(buf, 0, len);
	return ram_walk_data(ram, gpa, len, ram_buf_fill, &r);
}

void ram_release(const struct ram_image *ram, const uint8_t *data, uint64_t len)
{
	map_release(ram->map, ram->map_len, data, len);
	for (size_t i = 0; i < ram->n_maps; i++)
		map_release(ram->maps[i].addr, ram->maps[i].len, data, len);
}

void ram_release_done(struct ram_releaser *r)
{
	if (r->len)
		ram_release(r->ram, r->p, r->len);
	r->len = 0;
}

void ram_release_lazy(struct ram_releaser *r, const uint8_t *data, uint64_t len)
{
	/* the next piece of the same stretch, record headers (a few bytes) between */
	if (r->len && data >= r->p + r->len && data - (r->p + r->len) <= 4096) {
		r->len = (uint64_t)(data + len - r->p);
	} else {
		ram_release_done(r);
		r->p = data;
		r->len = len;
	}
	if (r->len >= RAM_RELEASE_WINDOW)
		ram_release_done(r);
}

size_t ram_pieces(const struct ram_image *ram)
{
	size_t n = 0;

	for (size_t i = 0; i < ram->n; i++)
		n += ram->ext[i].step ? (size_t)(ram->ext[i].len / ram->ext[i].unit) : 1;
	return n;
}
