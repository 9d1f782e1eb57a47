/*
 * lib_fixture.h - the helpers every Check suite shares (one copy): paths of the
 * real fixtures, the suite runner with its skip count, RAM comparison and the
 * expected registers read from a fixture's cpu-registers.txt (QEMU's
 * `info registers`, independent of our code).
 */
#ifndef MPIPLSIM_TEST_FIXTURE_H
#define MPIPLSIM_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

struct ram_image;

/* ---- fixture paths ---- */

/*
 * "$MPIPLSIM_FIXTURES/<guest><name>" (decompressed); fails the test if unset or
 * missing. The string lives as long as the process (a snapshot may keep it).
 */
const char *fixture_path(const char *guest, const char *name);
/* "$MPIPLSIM_SHARED/<guest><name>" (the shared fixture folder itself) */
const char *shared_path(const char *guest, const char *name);

/* The two real guests: "" (skiboot v7.0) and "master/" */
extern const char *const fixture_guests[2];

/* ---- running a suite ---- */

/*
 * Run every test of s (CK_NORMAL), print "N passed, N failed, N skipped" as the
 * last line, and return the process exit status (failure if any test failed).
 */
struct Suite;
int check_run(struct Suite *s);

/*
 * A test that cannot run: prints "SKIP: <test>: <why>" and counts the test as
 * skipped, not passed. Use through TEST_SKIP(), which also leaves the test.
 */
void test_skip(const char *test, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define TEST_SKIP(...) do { test_skip(__func__, __VA_ARGS__); return; } while (0)

/* err is an input error at offset (or gpa) off; frees it. */
struct mperr;
void assert_input_error_at(struct mperr *err, uint64_t off);

/* ---- RAM comparison (holes read as zero) ---- */

struct gpa_range {
	uint64_t gpa, len;
};

/*
 * The first guest-physical address at which a and b differ outside the ranges
 * skip[0..n_skip), or UINT64_MAX if none. Fails the test if the sizes differ.
 */
uint64_t ram_first_diff(const struct ram_image *a, const struct ram_image *b,
			const struct gpa_range *skip, size_t n_skip);
/* Same size and byte-identical contents. */
void assert_same_ram(const struct ram_image *a, const struct ram_image *b);

/* ---- expected registers: cpu-registers.txt ---- */

#define FX_MAX_SPR 48

struct fx_cpu {
	uint32_t pir;		/* from the file's first line ("CPU#0 = PIR 0, ...") */
	uint64_t nip, msr, cr;
	uint64_t gpr[32];
	unsigned n_gpr;
	struct {
		unsigned n;	/* SPR number */
		uint64_t v;
	} spr[FX_MAX_SPR];	/* every named SPR QEMU printed, in its order */
	unsigned n_spr;
};

/*
 * The vCPUs of section "## <moment> ..." of <guest>cpu-registers.txt in
 * $MPIPLSIM_SHARED; returns their number (at most max, at least 1).
 */
int fx_regs(const char *guest, const char *moment, struct fx_cpu *out, int max);
/* SPR n of c (fails the test if QEMU did not print it). */
uint64_t fx_spr(const struct fx_cpu *c, unsigned n);

#endif
