/*
 * lib_model.h - seeded random sparse RAM images and the dense model they must
 * equal (a plain byte array), for the unit suites of ram_image and overlay.
 * Runs are reproducible: every random choice comes from one seed, printed in
 * failure messages; MPIPLSIM_TEST_SEED changes the base seed.
 */
#ifndef MPIPLSIM_TEST_MODEL_H
#define MPIPLSIM_TEST_MODEL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ram_image.h"

/*
 * ck_assert_msg() without Check's mark point: Check records the place of every
 * passing assertion (a write to its message file), too slow for per-byte or
 * per-segment loops under valgrind.
 */
#define fast_assert(expr, ...) do { if (!(expr)) ck_abort_msg(__VA_ARGS__); } while (0)

/* splitmix64 */
struct rng {
	uint64_t s;
};

/* The seed of loop iteration i: MPIPLSIM_TEST_SEED (default 1) plus i. */
uint64_t test_seed(int i);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* A length that is often tiny, sometimes a page, sometimes up to max (max > 0). */
uint64_t rng_len(struct rng *r, uint64_t max);
/* Fill buf with random bytes, with runs of zeros now and then. */
void rng_fill(struct rng *r, uint8_t *buf, size_t len);

struct ram_model {
	struct ram_image ram;
	uint64_t size;
	uint8_t *bytes;		/* what every read of ram must give (holes zero) */
	uint8_t *has_data;	/* 1 where ram has an extent, 0 in a hole */
	uint8_t *backing;	/* size bytes that extents point into at their own gpa */
	size_t n_slots;		/* disjoint ranges added (some several times, some as zero) */
	size_t n_adds;
};

/*
 * Build a random image of size bytes through ram_add() and ram_finish(), the
 * way readers do: disjoint ranges added in shuffled order, some added again
 * (the last add wins), some overridden with zero, data from one backing
 * buffer (contiguous neighbours merge) or from separate buffers the image owns.
 */
void model_build(struct ram_model *m, struct rng *r, uint64_t size);
void model_free(struct ram_model *m);

/* Extents sorted, disjoint, non-empty, merged where contiguous, covering exactly has_data. */
void model_check_extents(const struct ram_model *m);

#endif
