/* lib_model.c - see lib_model.h */
#include "lib_model.h"

#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

uint64_t test_seed(int i)
{
	const char *s = getenv("MPIPLSIM_TEST_SEED");

	return (s && *s ? strtoull(s, NULL, 0) : 1) + (uint64_t)i;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

uint64_t rng_len(struct rng *r, uint64_t max)
{
	uint64_t n;

	switch (rng_below(r, 10)) {
	case 0: case 1: case 2: case 3:
		n = 1 + rng_below(r, 16);
		break;
	case 4: case 5: case 6:
		n = 1 + rng_below(r, 4096);
		break;
	case 7: case 8:
		n = 4096 * (1 + rng_below(r, 4));
		break;
	default:
		n = 1 + rng_below(r, max);
	}
	return n < max ? n : max;
}

void rng_fill(struct rng *r, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rng_next(r);
	if (len && !rng_below(r, 4)) {
		size_t at = rng_below(r, len);

		memset(buf + at, 0, rng_below(r, len - at) + 1);
	}
}

struct slot {
	uint64_t gpa, len;
	const uint8_t *src[3];	/* what each add passes: NULL (zero), backing or own */
	unsigned n_adds, next;
};

void model_build(struct ram_model *m, struct rng *r, uint64_t size)
{
	struct slot *slot = NULL;
	size_t *pending, n_pending = 0, cap = 0;
	uint64_t gpa = 0;

	memset(m, 0, sizeof(*m));
	m->size = size;
	m->bytes = calloc(1, size + 1);
	m->has_data = calloc(1, size + 1);
	m->backing = malloc(size + 1);
	ck_assert(m->bytes && m->has_data && m->backing);
	rng_fill(r, m->backing, size);
	ram_init(&m->ram, size);

	/* disjoint ranges tiling [0, size); about a third of them stay holes */
	while (gpa < size) {
		uint64_t len = rng_len(r, size - gpa);
		struct slot *s;

		if (m->n_slots == cap) {
			cap = cap ? 2 * cap : 64;
			slot = realloc(slot, cap * sizeof(*slot));
			ck_assert_ptr_nonnull(slot);
		}
		s = &slot[m->n_slots];
		if (rng_below(r, 3)) {
			s->gpa = gpa;
			s->len = len;
			s->n_adds = 1 + (unsigned)rng_below(r, 3);
			s->next = 0;
			for (unsigned k = 0; k < s->n_adds; k++) {
				uint64_t kind = rng_below(r, 10);

				if (kind < 2) {
					s->src[k] = NULL;
				} else if (kind < 7) {
					s->src[k] = m->backing + gpa;
				} else {
					uint8_t *own = malloc(len);

					ck_assert_ptr_nonnull(own);
					rng_fill(r, own, len);
					ck_assert_ptr_null(ram_own(&m->ram, own));
					s->src[k] = own;
				}
			}
			m->n_slots++;
		}
		gpa += len;
	}

	/* every add, slots interleaved at random, each slot's own adds in order */
	pending = malloc((m->n_slots + 1) * sizeof(*pending));
	ck_assert_ptr_nonnull(pending);
	for (size_t i = 0; i < m->n_slots; i++)
		pending[n_pending++] = i;
	while (n_pending) {
		size_t pick = rng_below(r, n_pending);
		struct slot *s = &slot[pending[pick]];

		ck_assert_ptr_null(ram_add(&m->ram, s->gpa, s->len, s->src[s->next]));
		m->n_adds++;
		if (++s->next == s->n_adds)
			pending[pick] = pending[--n_pending];
	}
	ck_assert_ptr_null(ram_finish(&m->ram));

	/* the model: the last add of each range wins */
	for (size_t i = 0; i < m->n_slots; i++) {
		const struct slot *s = &slot[i];
		const uint8_t *last = s->src[s->n_adds - 1];

		if (last) {
			memcpy(m->bytes + s->gpa, last, s->len);
			memset(m->has_data + s->gpa, 1, s->len);
		}
	}
	free(pending);
	free(slot);
}

void model_free(struct ram_model *m)
{
	ram_free(&m->ram);
	free(m->bytes);
	free(m->has_data);
	free(m->backing);
	memset(m, 0, sizeof(*m));
}

/* has_data[from, to) is all v */
static void assert_has_data(const struct ram_model *m, uint64_t from, uint64_t to, uint8_t v)
{
	const uint8_t *x = memchr(m->has_data + from, !v, to - from);

	fast_assert(!x, "gpa 0x%" PRIx64 ": %s", (uint64_t)(x - m->has_data),
		    v ? "data in the model, a hole in the image"
		      : "a hole in the model, data in the image");
}

void model_check_extents(const struct ram_model *m)
{
	const struct ram_image *ram = &m->ram;
	uint64_t pos = 0, sum = 0;

	ck_assert_uint_eq(ram->size, m->size);
	for (size_t i = 0; i < ram->n; i++) {
		const struct ram_extent *e = &ram->ext[i];

		/* non-empty, sorted, disjoint, inside RAM */
		fast_assert(e->len && e->data && e->gpa >= pos && e->gpa <= m->size &&
			    e->len <= m->size - e->gpa, "extent %zu: 0x%" PRIx64 "+0x%" PRIx64
			    " after 0x%" PRIx64, i, e->gpa, e->len, pos);
		/* neighbours contiguous in memory are merged */
		fast_assert(!i || e->gpa != pos ||
			    ram->ext[i - 1].data + ram->ext[i - 1].len != e->data,
			    "extent %zu: not merged with the one before", i);
		assert_has_data(m, pos, e->gpa, 0);
		assert_has_data(m, e->gpa, e->gpa + e->len, 1);
		fast_assert(!memcmp(e->data, m->bytes + e->gpa, e->len),
			    "extent 0x%" PRIx64 "+0x%" PRIx64 " differs from the model", e->gpa,
			    e->len);
		pos = e->gpa + e->len;
		sum += e->len;
	}
	assert_has_data(m, pos, m->size, 0);
	ck_assert_uint_eq(ram->data_bytes, sum);
}
