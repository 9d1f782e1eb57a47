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
	ram->ext[ram->n] = (struct ram_extent){ gpa, len, data, ram->n };
	ram->n++;
	if (data && gpa + len > ram->max_added_end)
		ram->max_added_end = gpa + len;
	return NULL;
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
	size_t out = 0;

	if (!ram_is_ordered(ram))
		qsort(ram->ext, ram->n, sizeof(*ram->ext), by_gpa_seq);
	for (size_t i = 0; i < ram->n; i++) {
		struct ram_extent e = ram->ext[i];

		/* several adds of one range: the last one (highest seq, sorted last) wins */
		while (i + 1 < ram->n && ram->ext[i + 1].gpa == e.gpa &&
		       ram->ext[i + 1].len == e.len)
			e = ram->ext[++i];
		if (i + 1 < ram->n && ram->ext[i + 1].gpa < e.gpa + e.len)
			return mperr_at(mperr_input("ranges 0x%" PRIx64 "+0x%" PRIx64
						    " and 0x%" PRIx64 "+0x%" PRIx64 " overlap",
						    e.gpa, e.len, ram->ext[i + 1].gpa,
						    ram->ext[i + 1].len), e.gpa);
		if (!e.data)
			continue;
		if (out && ram->ext[out - 1].gpa + ram->ext[out - 1].len == e.gpa &&
		    ram->ext[out - 1].data + ram->ext[out - 1].len == e.data) {
			ram->ext[out - 1].len += e.len;
			continue;
		}
		ram->ext[out++] = e;
	}
	ram->n = out;
	ram->data_bytes = 0;
	for (size_t i = 0; i < out; i++)
		ram->data_bytes += ram->ext[i].len;
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

		err = fn(ctx, s, e->data + (s - e->gpa), t - s);
		if (err)
			return err;
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
