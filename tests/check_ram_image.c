/*
 * check_ram_image.c - the sparse guest-RAM view (src/core/ram_image.c) against
 * a dense model: random images built the way readers build them (ranges added
 * in any order, added again, overridden with zero), then random reads, walks
 * and lookups whose every byte must equal a plain byte array; hostile ranges
 * (past RAM, wrapping 2^64) must be input errors that change nothing. Also the
 * RAM comparison of lib_fixture.c that the fixture suites rely on.
 * Seeds: MPIPLSIM_TEST_SEED (default 1) plus the loop index; failures name it.
 */
#include <check.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/ram_image.h"
#include "lib_fixture.h"
#include "lib_model.h"

#define SEEDS 12
#define ROUNDS 400

/* A random range inside [0, size]: often starting or ending at an extent edge. */
static void random_range(struct rng *r, const struct ram_image *ram, uint64_t *gpa, uint64_t *len)
{
	uint64_t g = rng_below(r, ram->size + 1);

	if (ram->n && rng_below(r, 2)) {
		const struct ram_extent *e = &ram->ext[rng_below(r, ram->n)];

		g = rng_below(r, 2) ? e->gpa : e->gpa + e->len;
		if (g && rng_below(r, 2))
			g -= 1 + rng_below(r, g < 16 ? g : 16);
	}
	*gpa = g;
	*len = g == ram->size ? 0 : rng_len(r, ram->size - g);
	if (!rng_below(r, 20))
		*len = 0;
}

/* One stretch a walk handed out. */
struct walk {
	const struct ram_model *m;
	uint64_t end, pos;	/* the end of the range walked; the end of the last stretch */
	size_t calls, stop_at;	/* stop_at: return an error at that call (0: never) */
	struct mperr *stop;
};

static struct mperr *walk_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct walk *w = ctx;

	w->calls++;
	/* non-empty, in order, disjoint, inside the range */
	fast_assert(len && gpa >= w->pos && len <= w->end - gpa, "walk: 0x%" PRIx64 "+0x%"
		    PRIx64 " after 0x%" PRIx64 ", range end 0x%" PRIx64, gpa, len, w->pos, w->end);
	/* a hole before this stretch, data in it, the model's bytes */
	fast_assert(!memchr(w->m->has_data + w->pos, 1, gpa - w->pos),
		    "walk skipped data before 0x%" PRIx64, gpa);
	fast_assert(!memchr(w->m->has_data + gpa, 0, len), "walk gave a hole in 0x%" PRIx64
		    "+0x%" PRIx64, gpa, len);
	fast_assert(!memcmp(data, w->m->bytes + gpa, len), "walk: 0x%" PRIx64 "+0x%" PRIx64
		    " differs from the model", gpa, len);
	w->pos = gpa + len;
	if (w->calls == w->stop_at)
		return w->stop;
	return NULL;
}

static void check_walk(const struct ram_model *m, uint64_t gpa, uint64_t len)
{
	struct walk w = { m, gpa + len, gpa, 0, 0, NULL };

	ck_assert_ptr_null(ram_walk_data(&m->ram, gpa, len, walk_piece, &w));
	ck_assert_msg(!memchr(m->has_data + w.pos, 1, gpa + len - w.pos),
		      "walk missed data after 0x%" PRIx64, w.pos);
}

static void check_read(const struct ram_model *m, uint64_t gpa, uint64_t len, uint64_t seed)
{
	uint8_t *buf = malloc(len + 1);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xa5, len + 1);
	ck_assert_ptr_null(ram_read(&m->ram, gpa, buf, len));
	ck_assert_msg(!memcmp(buf, m->bytes + gpa, len),
		      "seed %" PRIu64 ": read 0x%" PRIx64 "+0x%" PRIx64 " differs", seed, gpa, len);
	ck_assert_uint_eq(buf[len], 0xa5);		/* nothing past len */
	free(buf);
}

static uint64_t image_size(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return 1 + rng_below(r, 64);		/* tiny */
	case 1:
		return 0x10000;				/* a power of two */
	default:
		return 0x8000 + rng_below(r, 0x40000);
	}
}

START_TEST(random_images_match_the_model)
{
	uint64_t seed = test_seed(_i);
	struct rng r = { seed };
	struct ram_model m;

	model_build(&m, &r, image_size(&r));
	model_check_extents(&m);
	for (unsigned k = 0; k < ROUNDS; k++) {
		uint64_t gpa, len;
		size_t i;

		random_range(&r, &m.ram, &gpa, &len);
		check_read(&m, gpa, len, seed);
		/*
		 * not on an empty range: inside an extent ram_walk_data() then calls fn
		 * once with len 0, where its comment promises no call (left as found)
		 */
		if (len)
			check_walk(&m, gpa, len);
		ck_assert(ram_contains(&m.ram, gpa, len));
		ck_assert_ptr_null(ram_check_range(&m.ram, gpa, len));
		/* ram_find: the first extent ending after gpa */
		i = ram_find(&m.ram, gpa);
		ck_assert(i == m.ram.n || m.ram.ext[i].gpa + m.ram.ext[i].len > gpa);
		ck_assert(i == 0 || m.ram.ext[i - 1].gpa + m.ram.ext[i - 1].len <= gpa);
	}
	check_read(&m, 0, m.size, seed);
	check_walk(&m, 0, m.size);
	model_free(&m);
}
END_TEST

/* finish() again changes nothing; an image can be read the moment it is finished */
START_TEST(finish_twice_changes_nothing)
{
	struct rng r = { test_seed(_i) };
	struct ram_model m;
	struct ram_extent *copy;
	size_t n;

	model_build(&m, &r, 0x20000);
	n = m.ram.n;
	copy = malloc((n + 1) * sizeof(*copy));
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m.ram.ext, n * sizeof(*copy));
	ck_assert_ptr_null(ram_finish(&m.ram));
	ck_assert_uint_eq(m.ram.n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(m.ram.ext[i].gpa, copy[i].gpa);
		ck_assert_uint_eq(m.ram.ext[i].len, copy[i].len);
		ck_assert_ptr_eq(m.ram.ext[i].data, copy[i].data);
	}
	model_check_extents(&m);
	free(copy);
	model_free(&m);
}
END_TEST

/* An error of the callback ends the walk at once and is handed back as it is. */
START_TEST(walk_stops_at_the_first_error)
{
	struct rng r = { test_seed(_i) };
	struct ram_model m;
	struct walk w;

	model_build(&m, &r, 0x10000);
	while (m.ram.n < 3) {
		model_free(&m);
		model_build(&m, &r, 0x10000);
	}
	w = (struct walk){ &m, m.size, 0, 0, 2, mperr_input("stop here") };
	ck_assert_ptr_eq(ram_walk_data(&m.ram, 0, m.size, walk_piece, &w), w.stop);
	ck_assert_uint_eq(w.calls, 2);
	mperr_free(w.stop);
	model_free(&m);
}
END_TEST

/* Past the end, wrapping past 2^64, huge: input errors that read and add nothing. */
START_TEST(hostile_ranges_are_input_errors)
{
	const uint64_t size = 0x10000;
	const struct {
		uint64_t gpa, len;
	} bad[] = {
		{ ~0ULL, 1 }, { 0, ~0ULL }, { 1, ~0ULL }, { ~0ULL, ~0ULL },
		{ 0x8000000000000000ULL, 0x8000000000000000ULL },	/* the sum wraps to 0 */
		{ 0xffffffffffff0000ULL, 0x20000 },			/* to 0x10000 */
		{ size + 1, 0 }, { size, 1 }, { size - 1, 2 }, { size - 2, 3 }, { 0, size + 1 },
	};
	struct rng r = { test_seed(_i) };
	struct ram_model m;
	uint8_t buf[16];

	model_build(&m, &r, size);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t gpa = bad[i].gpa, len = bad[i].len;
		size_t n = m.ram.n;
		struct walk w = { &m, 0, 0, 0, 0, NULL };

		ck_assert(!ram_contains(&m.ram, gpa, len));
		assert_input_error_at(ram_check_range(&m.ram, gpa, len), gpa);
		memset(buf, 0x5a, sizeof(buf));
		/* refused before a byte is written: buf is far smaller than most of these */
		assert_input_error_at(ram_read(&m.ram, gpa, buf, len), gpa);
		for (size_t k = 0; k < sizeof(buf); k++)
			ck_assert_uint_eq(buf[k], 0x5a);
		assert_input_error_at(ram_walk_data(&m.ram, gpa, len, walk_piece, &w), gpa);
		ck_assert_uint_eq(w.calls, 0);
		assert_input_error_at(ram_add(&m.ram, gpa, len, m.backing), gpa);
		ck_assert_uint_eq(m.ram.n, n);
	}
	/* the edges themselves are fine */
	ck_assert(ram_contains(&m.ram, m.size, 0));
	ck_assert(ram_contains(&m.ram, 0, m.size));
	ck_assert(ram_contains(&m.ram, m.size - 1, 1));
	model_check_extents(&m);
	model_free(&m);
}
END_TEST

/* Two adds that overlap without being the same range are an input error at the first. */
START_TEST(partial_overlaps_are_input_errors)
{
	static const struct {
		uint64_t a, alen, b, blen;
	} cases[] = {
		{ 0x100, 0x100, 0x180, 0x100 },		/* b starts inside a */
		{ 0x180, 0x100, 0x100, 0x100 },		/* b ends inside a */
		{ 0x100, 0x100, 0x100, 0x80 },		/* same start, shorter */
		{ 0x100, 0x100, 0x140, 0x40 },		/* inside */
		{ 0x100, 0x100, 0x0, 0x400 },		/* around */
	};
	static uint8_t data[0x1000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ram_image ram;
		uint64_t first = cases[i].a < cases[i].b ? cases[i].a : cases[i].b;

		for (int zero_b = 0; zero_b < 2; zero_b++) {
			struct mperr *err;

			ram_init(&ram, 0x1000);
			ck_assert_ptr_null(ram_add(&ram, cases[i].a, cases[i].alen, data));
			ck_assert_ptr_null(ram_add(&ram, cases[i].b, cases[i].blen,
						   zero_b ? NULL : data + 0x800));
			err = ram_finish(&ram);
			/* a zero add over data is recorded too, so it overlaps the same way */
			assert_input_error_at(err, first);
			ram_free(&ram);
		}
	}
}
END_TEST

/* Zero adds: over nothing they cost no entry; over data the last one wins either way. */
START_TEST(zero_adds)
{
	static uint8_t data[0x100];
	struct ram_image ram;
	uint8_t b[0x100];

	memset(data, 0x77, sizeof(data));
	ram_init(&ram, 0x1000);
	ck_assert_ptr_null(ram_add(&ram, 0x800, 0x100, NULL));
	ck_assert_uint_eq(ram.n, 0);
	ck_assert_ptr_null(ram_add(&ram, 0x100, 0x100, data));
	ck_assert_ptr_null(ram_add(&ram, 0x100, 0x100, NULL));	/* zero wins */
	ck_assert_ptr_null(ram_add(&ram, 0x200, 0x100, NULL));
	ck_assert_ptr_null(ram_add(&ram, 0x200, 0x100, data));	/* data wins */
	ck_assert_ptr_null(ram_add(&ram, 0x300, 0, data));	/* empty: nothing */
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_uint_eq(ram.n, 1);
	ck_assert_uint_eq(ram.ext[0].gpa, 0x200);
	ck_assert_uint_eq(ram.data_bytes, 0x100);
	ck_assert_ptr_null(ram_read(&ram, 0x100, b, sizeof(b)));
	for (size_t i = 0; i < sizeof(b); i++)
		ck_assert_uint_eq(b[i], 0);
	ck_assert_ptr_null(ram_read(&ram, 0x200, b, sizeof(b)));
	ck_assert(!memcmp(b, data, sizeof(b)));
	ram_free(&ram);

	/* an image of size 0 holds nothing, and reads of nothing work */
	ram_init(&ram, 0);
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ram_read(&ram, 0, b, 0));
	assert_input_error_at(ram_read(&ram, 0, b, 1), 0);
	ram_free(&ram);
}
END_TEST

/* lib_fixture.c's comparison: equal images, one differing byte, skipped ranges. */
START_TEST(ram_comparison_finds_the_first_difference)
{
	struct rng r = { test_seed(_i) };
	struct ram_model m;
	struct ram_image dense;
	uint8_t *copy;
	uint64_t at, hole = UINT64_MAX;

	model_build(&m, &r, 0x20000);
	/* the same bytes as one dense extent */
	copy = malloc(m.size);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m.bytes, m.size);
	ram_init(&dense, m.size);
	ck_assert_ptr_null(ram_add(&dense, 0, m.size, copy));
	ck_assert_ptr_null(ram_finish(&dense));
	ck_assert_uint_eq(ram_first_diff(&m.ram, &dense, NULL, 0), UINT64_MAX);
	assert_same_ram(&m.ram, &dense);

	/* one byte changed in the dense copy, maybe where the image has a hole */
	at = rng_below(&r, m.size);
	copy[at] ^= 0x40;
	ck_assert_uint_eq(ram_first_diff(&m.ram, &dense, NULL, 0), at);
	ck_assert_uint_eq(ram_first_diff(&dense, &m.ram, NULL, 0), at);
	ck_assert_uint_eq(ram_first_diff(&m.ram, &dense, &(struct gpa_range){ at, 1 }, 1),
			  UINT64_MAX);
	/* a second difference after a skipped first one */
	for (uint64_t x = at + 2; x < m.size && hole == UINT64_MAX; x++)
		if (!m.has_data[x])
			hole = x;
	if (hole != UINT64_MAX) {
		copy[hole] = 1;
		ck_assert_uint_eq(ram_first_diff(&m.ram, &dense,
						 &(struct gpa_range){ at, 1 }, 1), hole);
	}
	ram_free(&dense);
	free(copy);
	model_free(&m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ram_image");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_images_match_the_model, 0, SEEDS);
	tcase_add_loop_test(tc, finish_twice_changes_nothing, 0, 4);
	tcase_add_loop_test(tc, walk_stops_at_the_first_error, 0, 4);
	tcase_add_loop_test(tc, hostile_ranges_are_input_errors, 0, 2);
	tcase_add_test(tc, partial_overlaps_are_input_errors);
	tcase_add_test(tc, zero_adds);
	tcase_add_loop_test(tc, ram_comparison_finds_the_first_difference, 0, 6);
	suite_add_tcase(s, tc);
	return check_run(s);
}
