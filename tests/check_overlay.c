/*
 * check_overlay.c - the copy-on-write view (src/core/overlay.c) against a dense
 * model: on a random sparse base image, random writes and copies (overlapping,
 * onto themselves, across segment edges) are applied both to the overlay and
 * to a plain byte array with memcpy/memmove; every read and walk must give the
 * array's bytes, the segments must tile RAM, and ovl_is_identity() must say
 * where the view is still the base at the same address. Hostile ranges (past
 * RAM, wrapping 2^64) are input errors that leave the view as it was.
 * Seeds: MPIPLSIM_TEST_SEED (default 1) plus the loop index; failures name it.
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/overlay.h"
#include "lib_fixture.h"
#include "lib_model.h"

#define SEEDS 8
#define OPS 250

/* The expected view: its bytes, and for each byte the base gpa it shows (-1: written). */
struct view {
	uint64_t size;
	uint8_t *bytes;
	int64_t *origin;
};

static void view_init(struct view *v, const struct ram_model *m)
{
	v->size = m->size;
	v->bytes = malloc(m->size + 1);
	v->origin = malloc((m->size + 1) * sizeof(*v->origin));
	ck_assert(v->bytes && v->origin);
	memcpy(v->bytes, m->bytes, m->size);
	for (uint64_t x = 0; x < m->size; x++)
		v->origin[x] = (int64_t)x;
}

static void view_free(struct view *v)
{
	free(v->bytes);
	free(v->origin);
}

/* Segments sorted, non-empty, tiling [0, size); base segments inside the base. */
static void check_segments(const struct overlay *o)
{
	uint64_t pos = 0;

	for (size_t i = 0; i < o->n; i++) {
		const struct ovl_seg *s = &o->seg[i];

		fast_assert(s->gpa == pos && s->len, "segment %zu: 0x%" PRIx64 "+0x%" PRIx64
			    " after 0x%" PRIx64, i, s->gpa, s->len, pos);
		fast_assert(s->bytes || ram_contains(o->base, s->src_gpa, s->len),
			    "segment %zu: base 0x%" PRIx64 " outside RAM", i, s->src_gpa);
		pos += s->len;
	}
	ck_assert_uint_eq(pos, o->base->size);
}

static void check_read(const struct overlay *o, const struct view *v, uint64_t gpa, uint64_t len,
		       uint64_t seed, unsigned op)
{
	uint8_t *buf = malloc(len + 1);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xa5, len + 1);
	ck_assert_ptr_null(ovl_read(o, gpa, buf, len));
	if (memcmp(buf, v->bytes + gpa, len)) {
		uint64_t i = 0;

		while (buf[i] == v->bytes[gpa + i])
			i++;
		ck_abort_msg("seed %" PRIu64 " op %u: read 0x%" PRIx64 "+0x%" PRIx64 ": byte at 0x%"
			     PRIx64 " is 0x%02x, the model says 0x%02x", seed, op, gpa, len, gpa + i,
			     buf[i], v->bytes[gpa + i]);
	}
	ck_assert_uint_eq(buf[len], 0xa5);
	free(buf);
}

struct walk {
	const struct view *v;
	uint64_t end, pos;
	size_t calls;
};

static struct mperr *walk_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct walk *w = ctx;

	w->calls++;
	fast_assert(len && gpa >= w->pos && len <= w->end - gpa, "walk: 0x%" PRIx64 "+0x%"
		    PRIx64 " after 0x%" PRIx64 ", range end 0x%" PRIx64, gpa, len, w->pos, w->end);
	/* what a walk leaves out must be zero */
	fast_assert(mem_is_zero(w->v->bytes + w->pos, gpa - w->pos),
		    "walk skipped a non-zero byte before 0x%" PRIx64, gpa);
	fast_assert(!memcmp(data, w->v->bytes + gpa, len), "walk: 0x%" PRIx64 "+0x%" PRIx64
		    " differs from the model", gpa, len);
	w->pos = gpa + len;
	return NULL;
}

static void check_walk(const struct overlay *o, const struct view *v, uint64_t gpa, uint64_t len)
{
	struct walk w = { v, gpa + len, gpa, 0 };

	ck_assert_ptr_null(ovl_walk_data(o, gpa, len, walk_piece, &w));
	ck_assert_msg(mem_is_zero(v->bytes + w.pos, gpa + len - w.pos),
		      "walk missed a non-zero byte after 0x%" PRIx64, w.pos);
}

static void check_identity(const struct overlay *o, const struct view *v, uint64_t gpa,
			   uint64_t len)
{
	int same = 1;

	for (uint64_t x = gpa; x < gpa + len && same; x++)
		same = v->origin[x] == (int64_t)x;
	ck_assert_int_eq(ovl_is_identity(o, gpa, len), same);
}

/* A random range inside RAM, often at a segment edge. */
static void random_range(struct rng *r, const struct overlay *o, uint64_t *gpa, uint64_t *len)
{
	uint64_t size = o->base->size, g = rng_below(r, size + 1);

	if (o->n && rng_below(r, 2)) {
		const struct ovl_seg *s = &o->seg[rng_below(r, o->n)];

		g = rng_below(r, 2) ? s->gpa : s->gpa + s->len;
		if (g && rng_below(r, 2))
			g -= 1 + rng_below(r, g < 16 ? g : 16);
	}
	*gpa = g;
	*len = g == size ? 0 : rng_len(r, size - g);
}

/* A range that is not inside RAM: past the end, or wrapping past 2^64. */
static void hostile_range(struct rng *r, uint64_t size, uint64_t *gpa, uint64_t *len)
{
	switch (rng_below(r, 5)) {
	case 0:
		*gpa = size - rng_below(r, size < 8 ? size + 1 : 8);
		*len = size - *gpa + 1 + rng_below(r, 16);
		break;
	case 1:
		*gpa = size + 1 + rng_below(r, 1 << 20);
		*len = rng_below(r, 16);
		break;
	case 2:
		*gpa = ~0ULL - rng_below(r, 16);
		*len = 1 + rng_below(r, 1 << 20);
		break;
	case 3:
		*gpa = rng_below(r, size + 1);
		*len = ~0ULL - rng_below(r, 16);
		break;
	default:
		*gpa = 0x8000000000000000ULL + rng_below(r, size + 1);
		*len = 0x8000000000000000ULL;	/* gpa + len wraps to a small number */
	}
}

/* Same segments as before (a failed operation changes nothing). */
static void assert_segments_equal(const struct overlay *o, const struct ovl_seg *before, size_t n)
{
	ck_assert_uint_eq(o->n, n);
	ck_assert(!memcmp(o->seg, before, n * sizeof(*before)));
}

START_TEST(random_operations_match_the_model)
{
	uint64_t seed = test_seed(_i);
	struct rng r = { seed };
	struct ram_model m;
	struct overlay o;
	struct view v;
	uint8_t *src = NULL;
	unsigned writes = 0, copies = 0, refused = 0;

	model_build(&m, &r, 0x400 + rng_below(&r, 0x10000));
	view_init(&v, &m);
	ck_assert_ptr_null(ovl_init(&o, &m.ram));
	check_identity(&o, &v, 0, m.size);
	for (unsigned op = 0; op < OPS; op++) {
		uint64_t kind = rng_below(&r, 20), gpa, len, from;

		if (kind < 8) {			/* write */
			random_range(&r, &o, &gpa, &len);
			src = realloc(src, len + 1);
			ck_assert_ptr_nonnull(src);
			rng_fill(&r, src, len);
			ck_assert_ptr_null(ovl_write(&o, gpa, src, len));
			memcpy(v.bytes + gpa, src, len);
			for (uint64_t x = gpa; x < gpa + len; x++)
				v.origin[x] = -1;
			memset(src, 0xee, len);		/* the overlay keeps its own copy */
			writes++;
		} else if (kind < 18) {		/* copy, often overlapping or onto itself */
			random_range(&r, &o, &from, &len);
			switch (rng_below(&r, 4)) {
			case 0:
				gpa = from;
				break;
			case 1:
				gpa = from + rng_below(&r, m.size - from + 1);
				break;
			case 2:
				gpa = from - rng_below(&r, from + 1);
				break;
			default:
				gpa = rng_below(&r, m.size + 1);
			}
			if (len > m.size - gpa)
				len = m.size - gpa;
			ck_assert_ptr_null(ovl_copy(&o, gpa, from, len));
			memmove(v.bytes + gpa, v.bytes + from, len);
			memmove(v.origin + gpa, v.origin + from, len * sizeof(*v.origin));
			copies++;
		} else {			/* refused: nothing changes */
			struct ovl_seg *before = malloc((o.n + 1) * sizeof(*before));
			size_t n = o.n;
			uint8_t b[8] = { 0 };

			ck_assert_ptr_nonnull(before);
			memcpy(before, o.seg, n * sizeof(*before));
			hostile_range(&r, m.size, &gpa, &len);
			/* the source is checked first */
			assert_input_error_at(ovl_copy(&o, gpa, 0, len),
					      ram_contains(&m.ram, 0, len) ? gpa : 0);
			assert_input_error_at(ovl_copy(&o, 0, gpa, len), gpa);
			assert_input_error_at(ovl_write(&o, gpa, b, len), gpa);
			assert_input_error_at(ovl_read(&o, gpa, b, len), gpa);
			assert_input_error_at(ovl_walk_data(&o, gpa, len, walk_piece, NULL), gpa);
			assert_segments_equal(&o, before, n);
			free(before);
			refused++;
		}
		check_segments(&o);
		for (int k = 0; k < 3; k++) {
			random_range(&r, &o, &gpa, &len);
			check_read(&o, &v, gpa, len, seed, op);
			if (len)
				check_walk(&o, &v, gpa, len);
			if (len && !k)
				check_identity(&o, &v, gpa, len);
		}
		if (op % 25 == 24 || op == OPS - 1) {
			check_read(&o, &v, 0, m.size, seed, op);
			check_walk(&o, &v, 0, m.size);
		}
	}
	ck_assert(writes && copies && refused);
	free(src);
	ovl_free(&o);
	view_free(&v);
	model_free(&m);
}
END_TEST

/* A copy is of the bytes at the time of the copy, as the firmware's memmove. */
START_TEST(copies_keep_the_bytes_of_their_time)
{
	static uint8_t base_bytes[0x3000];
	struct ram_image ram;
	struct overlay o;
	uint8_t b[0x100], w[0x100];

	for (size_t i = 0; i < sizeof(base_bytes); i++)
		base_bytes[i] = (uint8_t)(i * 7 + 1);
	ram_init(&ram, 0x4000);		/* the last page a hole */
	ck_assert_ptr_null(ram_add(&ram, 0, sizeof(base_bytes), base_bytes));
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&o, &ram));

	memset(w, 0x11, sizeof(w));
	ck_assert_ptr_null(ovl_write(&o, 0x100, w, sizeof(w)));
	ck_assert_ptr_null(ovl_copy(&o, 0x2000, 0x100, 0x100));	/* written bytes */
	ck_assert_ptr_null(ovl_copy(&o, 0x2100, 0x1000, 0x100));	/* base bytes */
	ck_assert_ptr_null(ovl_copy(&o, 0x3f00, 0x3e00, 0x100));	/* hole to hole */
	/* change both sources afterwards: the copies keep what they saw */
	memset(w, 0x22, sizeof(w));
	ck_assert_ptr_null(ovl_write(&o, 0x100, w, sizeof(w)));
	ck_assert_ptr_null(ovl_copy(&o, 0x1000, 0x0, 0x100));
	ck_assert_ptr_null(ovl_read(&o, 0x2000, b, sizeof(b)));
	for (size_t i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], 0x11);
	ck_assert_ptr_null(ovl_read(&o, 0x2100, b, sizeof(b)));
	ck_assert(!memcmp(b, base_bytes + 0x1000, sizeof(b)));
	ck_assert_ptr_null(ovl_read(&o, 0x1000, b, sizeof(b)));
	ck_assert(!memcmp(b, base_bytes, sizeof(b)));
	/* the base itself is never written */
	for (size_t i = 0; i < sizeof(base_bytes); i++)
		ck_assert_uint_eq(base_bytes[i], (uint8_t)(i * 7 + 1));
	/* identity: untouched, written, copied elsewhere, copied onto itself */
	ck_assert(ovl_is_identity(&o, 0x1800, 0x100));
	ck_assert(!ovl_is_identity(&o, 0x100, 1));
	ck_assert(!ovl_is_identity(&o, 0x2100, 0x100));
	ck_assert_ptr_null(ovl_copy(&o, 0x1800, 0x1800, 0x80));
	ck_assert(ovl_is_identity(&o, 0x1800, 0x100));
	/* an overlapping copy forwards and backwards, as memmove */
	ck_assert_ptr_null(ovl_copy(&o, 0x1810, 0x1800, 0x100));
	ck_assert_ptr_null(ovl_read(&o, 0x1810, b, sizeof(b)));
	ck_assert(!memcmp(b, base_bytes + 0x1800, sizeof(b)));
	ck_assert_ptr_null(ovl_copy(&o, 0x17f0, 0x1810, 0x100));
	ck_assert_ptr_null(ovl_read(&o, 0x17f0, b, sizeof(b)));
	ck_assert(!memcmp(b, base_bytes + 0x1800, sizeof(b)));
	ovl_free(&o);
	ram_free(&ram);
}
END_TEST

/* Empty operations change nothing; an overlay of no RAM refuses every byte. */
START_TEST(empty_operations_and_empty_ram)
{
	static uint8_t data[0x1000];
	struct ram_image ram;
	struct overlay o;
	uint8_t b[4] = { 0 };

	ram_init(&ram, 0x1000);
	ck_assert_ptr_null(ram_add(&ram, 0, sizeof(data), data));
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&o, &ram));
	ck_assert_ptr_null(ovl_write(&o, 0x800, b, 0));
	ck_assert_ptr_null(ovl_copy(&o, 0x100, 0x800, 0));
	ck_assert_ptr_null(ovl_write(&o, 0x1000, b, 0));	/* at the very end */
	ck_assert_ptr_null(ovl_copy(&o, 0x1000, 0x1000, 0));
	ck_assert_uint_eq(o.n, 1);
	ck_assert_uint_eq(o.n_bufs, 0);
	ovl_free(&o);
	ram_free(&ram);

	ram_init(&ram, 0);
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&o, &ram));
	ck_assert_uint_eq(o.n, 0);
	ck_assert_ptr_null(ovl_read(&o, 0, b, 0));
	assert_input_error_at(ovl_write(&o, 0, b, 1), 0);
	assert_input_error_at(ovl_copy(&o, 0, 0, 1), 0);
	assert_input_error_at(ovl_read(&o, 0, b, 1), 0);
	ovl_free(&o);
	ram_free(&ram);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("overlay");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_operations_match_the_model, 0, SEEDS);
	tcase_add_test(tc, copies_keep_the_bytes_of_their_time);
	tcase_add_test(tc, empty_operations_and_empty_ram);
	suite_add_tcase(s, tc);
	return check_run(s);
}
