/* lib_fixture.c - see lib_fixture.h */
#include "lib_fixture.h"

#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cpu_state.h"
#include "core/ram_image.h"

const char *const fixture_guests[2] = { "", "master/" };

/* ------------------------------------------------------------ fixture paths */

/* Every path handed out, kept for the life of the process (snapshots keep their path). */
static char **paths;
static size_t n_paths;

static const char *env_path(const char *var, const char *guest, const char *name)
{
	const char *dir = getenv(var);
	char *p, **grown;

	ck_assert_msg(dir && *dir, "%s is not set: run the tests with make check", var);
	ck_assert_int_ge(asprintf(&p, "%s/%s%s", dir, guest, name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "fixture %s is missing (%s; try make fixtures)", p,
		      strerror(errno));
	for (size_t i = 0; i < n_paths; i++)
		if (!strcmp(paths[i], p)) {
			free(p);
			return paths[i];
		}
	grown = realloc(paths, (n_paths + 1) * sizeof(*paths));
	ck_assert_ptr_nonnull(grown);
	paths = grown;
	paths[n_paths++] = p;
	return p;
}

const char *fixture_path(const char *guest, const char *name)
{
	return env_path("MPIPLSIM_FIXTURES", guest, name);
}

const char *shared_path(const char *guest, const char *name)
{
	return env_path("MPIPLSIM_SHARED", guest, name);
}

/* ---------------------------------------------------------- running a suite */

/*
 * Skipped tests are written, one line each, to a temporary file that the
 * forked test processes share with the runner (CK_FORK=no works the same).
 */
static int skip_fd = -1;

void test_skip(const char *test, const char *fmt, ...)
{
	size_t n = strlen(test);
	va_list ap;

	if (n > 3 && !strcmp(test + n - 3, "_fn"))	/* START_TEST(x) defines x_fn */
		n -= 3;
	printf("SKIP: %.*s: ", (int)n, test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (skip_fd >= 0)
		ck_assert_int_eq(write(skip_fd, "s\n", 2), 2);
}

int check_run(Suite *s)
{
	FILE *log = tmpfile();
	SRunner *sr = srunner_create(s);
	int run, failed, skipped = 0, c;

	if (!log) {
		perror("check_run: tmpfile");
		return EXIT_FAILURE;
	}
	skip_fd = fileno(log);
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rewind(log);
	while ((c = getc(log)) != EOF)
		skipped += c == '\n';
	fclose(log);
	skip_fd = -1;
	if (skipped > run - failed) {	/* a skipped test cannot also pass or fail */
		printf("check_run: %d tests skipped of %d run, %d failed\n", skipped, run, failed);
		return EXIT_FAILURE;
	}
	printf("%d passed, %d failed, %d skipped\n", run - failed - skipped, failed, skipped);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void assert_input_error_at(struct mperr *err, uint64_t off)
{
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	ck_assert(err->has_off);
	ck_assert_uint_eq(err->off, off);
	mperr_free(err);
}

/* ------------------------------------------------------------ RAM comparison */

#define CMP_CHUNK (1u << 20)

struct cmp_ctx {
	const struct ram_image *other;
	const struct gpa_range *skip;
	size_t n_skip;
	uint8_t *buf;
	uint64_t bad;		/* first differing gpa found, or UINT64_MAX */
};

/* End of the skipped range holding gpa, or 0 if none does. */
static uint64_t skipped_until(const struct cmp_ctx *c, uint64_t gpa)
{
	for (size_t i = 0; i < c->n_skip; i++)
		if (gpa >= c->skip[i].gpa && gpa - c->skip[i].gpa < c->skip[i].len)
			return c->skip[i].gpa + c->skip[i].len;
	return 0;
}

/* One stretch of data of one image against the same addresses of the other. */
static struct mperr *cmp_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct cmp_ctx *c = ctx;

	for (uint64_t o = 0; o < len; o += CMP_CHUNK) {
		size_t n = len - o < CMP_CHUNK ? (size_t)(len - o) : CMP_CHUNK;
		struct mperr *err = ram_read(c->other, gpa + o, c->buf, n);

		if (err)
			return err;
		if (!memcmp(data + o, c->buf, n))
			continue;
		for (size_t i = 0; i < n; i++) {
			uint64_t at = gpa + o + i, end;

			if (data[o + i] == c->buf[i])
				continue;
			end = skipped_until(c, at);
			if (!end) {
				c->bad = at;
				return mperr_input("differs");	/* stops the walk */
			}
			if (end - (gpa + o) >= n)
				break;
			i = end - (gpa + o) - 1;
		}
	}
	return NULL;
}

/* First difference inside the data of a (b's holes read as zero). */
static uint64_t diff_one_way(const struct ram_image *a, const struct ram_image *b,
			     const struct gpa_range *skip, size_t n_skip, uint8_t *buf)
{
	struct cmp_ctx c = { b, skip, n_skip, buf, UINT64_MAX };
	struct mperr *err = ram_walk_data(a, 0, a->size, cmp_piece, &c);

	if (err && c.bad == UINT64_MAX) {
		char msg[512];

		mperr_format(err, msg, sizeof(msg));
		ck_abort_msg("comparing RAM: %s", msg);
	}
	mperr_free(err);
	return c.bad;
}

uint64_t ram_first_diff(const struct ram_image *a, const struct ram_image *b,
			const struct gpa_range *skip, size_t n_skip)
{
	uint8_t *buf = malloc(CMP_CHUNK);
	uint64_t ab, ba;

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(a->size, b->size);
	/* a byte that differs is data in a, in b, or both: the lower find is the first */
	ab = diff_one_way(a, b, skip, n_skip, buf);
	ba = diff_one_way(b, a, skip, n_skip, buf);
	free(buf);
	return ab < ba ? ab : ba;
}

void assert_same_ram(const struct ram_image *a, const struct ram_image *b)
{
	uint64_t bad = ram_first_diff(a, b, NULL, 0);
	uint8_t x = 0, y = 0;

	if (bad == UINT64_MAX)
		return;
	ck_assert_ptr_null(ram_read(a, bad, &x, 1));
	ck_assert_ptr_null(ram_read(b, bad, &y, 1));
	ck_abort_msg("RAM differs at 0x%" PRIx64 ": 0x%02x vs 0x%02x", bad, x, y);
}

/* ------------------------------------------------ cpu-registers.txt (QEMU HMP) */

static const struct {
	const char *name;
	int spr;	/* -1 NIP, -2 MSR, -3 CR */
} reg_names[] = {
	{ "NIP", -1 }, { "MSR", -2 }, { "CR", -3 }, { "XER", SPRN_XER }, { "LR", SPRN_LR },
	{ "CTR", SPRN_CTR }, { "HID0", 1008 }, { "SRR0", SPRN_SRR0 }, { "SRR1", SPRN_SRR1 },
	{ "PVR", SPRN_PVR }, { "VRSAVE", 256 }, { "SPRG0", 272 }, { "SPRG1", 273 },
	{ "SPRG2", 274 }, { "SPRG3", 275 }, { "SPRG4", 276 }, { "SPRG5", 277 }, { "SPRG6", 278 },
	{ "SPRG7", 279 }, { "HSRR0", SPRN_HSRR0 }, { "HSRR1", SPRN_HSRR1 }, { "CFAR", SPRN_CFAR },
	{ "LPCR", SPRN_LPCR }, { "PTCR", 464 }, { "DAR", SPRN_DAR }, { "DSISR", SPRN_DSISR },
};

/* Consume the name/value token(s) at tok[*i] into c. */
static void reg_token(struct fx_cpu *c, char **tok, int n, int *i)
{
	if (!strncmp(tok[*i], "GPR", 3) && *i + 4 < n) {
		unsigned base = (unsigned)atoi(tok[*i] + 3);

		for (int k = 1; k <= 4 && base + k - 1 < 32; k++)
			c->gpr[base + k - 1] = strtoull(tok[*i + k], NULL, 16);
		c->n_gpr += 4;
		*i += 5;
		return;
	}
	for (size_t k = 0; k < sizeof(reg_names) / sizeof(reg_names[0]); k++) {
		uint64_t v;

		if (strcmp(tok[*i], reg_names[k].name) || *i + 1 >= n)
			continue;
		v = strtoull(tok[*i + 1], NULL, 16);
		if (reg_names[k].spr == -1) {
			c->nip = v;
		} else if (reg_names[k].spr == -2) {
			c->msr = v;
		} else if (reg_names[k].spr == -3) {
			c->cr = v;
		} else {
			ck_assert_uint_lt(c->n_spr, FX_MAX_SPR);
			c->spr[c->n_spr].n = (unsigned)reg_names[k].spr;
			c->spr[c->n_spr++].v = v;
		}
		*i += 2;
		return;
	}
	(*i)++;
}

int fx_regs(const char *guest, const char *moment, struct fx_cpu *out, int max)
{
	const char *path = shared_path(guest, "cpu-registers.txt");
	FILE *f = fopen(path, "r");
	char line[512];
	uint32_t pirs[64];
	int n_pir = 0, n = 0, in = 0;
	size_t ml = strlen(moment);

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *tok[64], *save, *t;
		int nt = 0, i = 0;

		/* "# QEMU 'info registers' (HMP) of every vCPU; CPU#0 = PIR 0, CPU#1 = PIR 4" */
		if (line[0] == '#' && line[1] != '#') {
			for (char *p = strstr(line, "CPU#"); p && n_pir < 64; p = strstr(p + 1, "CPU#")) {
				int ci;
				unsigned pir;

				if (sscanf(p, "CPU#%d = PIR %u", &ci, &pir) == 2 && ci == n_pir)
					pirs[n_pir++] = pir;
			}
			continue;
		}
		if (!strncmp(line, "## ", 3)) {
			in = !strncmp(line + 3, moment, ml) && strchr(" \r\n", line[3 + ml]);
			continue;
		}
		if (!in)
			continue;
		/* master/cpu-registers.txt has CRLF lines */
		for (t = strtok_r(line, " \t\r\n", &save); t && nt < 64;
		     t = strtok_r(NULL, " \t\r\n", &save))
			tok[nt++] = t;
		if (nt == 1 && !strncmp(tok[0], "CPU#", 4)) {
			ck_assert_int_lt(n, max);
			ck_assert_int_eq(atoi(tok[0] + 4), n);
			ck_assert_msg(n < n_pir, "%s: no PIR for CPU#%d in the first line", path, n);
			memset(&out[n], 0, sizeof(out[n]));
			out[n].pir = pirs[n];
			n++;
			continue;
		}
		while (n && i < nt)
			reg_token(&out[n - 1], tok, nt, &i);
	}
	fclose(f);
	ck_assert_msg(n > 0, "%s: no CPUs in section \"%s\"", path, moment);
	return n;
}

uint64_t fx_spr(const struct fx_cpu *c, unsigned n)
{
	for (unsigned k = 0; k < c->n_spr; k++)
		if (c->spr[k].n == n)
			return c->spr[k].v;
	ck_abort_msg("SPR %u of PIR %u is not in cpu-registers.txt", n, c->pir);
	return 0;
}
