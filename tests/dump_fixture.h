/*
 * dump_fixture.h - helpers shared by check_elf.c and check_kdump.c: fixture
 * paths from the environment, expected registers read from the fixture's
 * cpu-registers.txt (QEMU's `info registers`, independent of our code), an
 * extent-by-extent RAM comparison, scratch files, and ppc64 note builders for
 * synthetic dumps. Static functions: include from one test file only each.
 */
#ifndef MPIPLSIM_DUMP_FIXTURE_H
#define MPIPLSIM_DUMP_FIXTURE_H

#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "input/snapshot.h"

/* $MPIPLSIM_FIXTURES/name (decompressed fixtures) or $MPIPLSIM_SHARED/name */
static inline char *fx_path(const char *env, const char *name)
{
	const char *dir = getenv(env);
	struct stat st;
	char *p;

	if (!dir || !*dir)
		ck_abort_msg("%s is not set: run through `make check` or export it", env);
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		ck_abort_msg("out of memory");
	if (stat(p, &st) < 0)
		ck_abort_msg("fixture %s is missing (run `make fixtures`)", p);
	return p;
}

static inline void fx_open(struct snapshot *s, const char *name, enum snap_format f)
{
	char *p = fx_path("MPIPLSIM_FIXTURES", name);
	struct mperr *err = snapshot_open(s, p, f, NULL);

	if (err) {
		char buf[512];

		mperr_format(err, buf, sizeof(buf));
		ck_abort_msg("opening %s: %s", p, buf);
	}
	free(p);
}

/* ---- RAM comparison, extent by extent ---- */

struct cmp_ctx {
	const struct ram_extent *e;	/* extent of the other image being compared */
	uint64_t pos;			/* next gpa of e not yet covered */
	uint64_t bad;			/* first differing gpa, or UINT64_MAX */
};

static inline void cmp_gap(struct cmp_ctx *c, uint64_t to)
{
	if (to > c->pos && c->bad == UINT64_MAX &&
	    !mem_is_zero(c->e->data + (c->pos - c->e->gpa), to - c->pos)) {
		const uint8_t *p = c->e->data + (c->pos - c->e->gpa);
		uint64_t i = 0;

		while (!p[i])
			i++;
		c->bad = c->pos + i;
	}
}

static inline struct mperr *cmp_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct cmp_ctx *c = ctx;
	const uint8_t *mine = c->e->data + (gpa - c->e->gpa);

	cmp_gap(c, gpa);	/* a hole in the other image: must be zero in e */
	if (c->bad == UINT64_MAX && memcmp(mine, data, len)) {
		uint64_t i = 0;

		while (mine[i] == data[i])
			i++;
		c->bad = gpa + i;
	}
	c->pos = gpa + len;
	return NULL;
}

/* Bytes of a differ from b somewhere in a's extents: the first such gpa, else UINT64_MAX. */
static inline uint64_t ram_diff_one_way(const struct ram_image *a, const struct ram_image *b)
{
	for (size_t i = 0; i < a->n; i++) {
		struct cmp_ctx c = { &a->ext[i], a->ext[i].gpa, UINT64_MAX };
		struct mperr *err = ram_walk_data(b, a->ext[i].gpa, a->ext[i].len, cmp_piece, &c);

		ck_assert_ptr_null(err);
		cmp_gap(&c, a->ext[i].gpa + a->ext[i].len);
		if (c.bad != UINT64_MAX)
			return c.bad;
	}
	return UINT64_MAX;
}

/* Same size and byte-identical contents (holes read as zero). */
static inline void assert_same_ram(const struct ram_image *a, const struct ram_image *b)
{
	uint64_t bad;

	ck_assert_uint_eq(a->size, b->size);
	bad = ram_diff_one_way(a, b);
	ck_assert_msg(bad == UINT64_MAX, "RAM differs at 0x%" PRIx64, bad);
	bad = ram_diff_one_way(b, a);
	ck_assert_msg(bad == UINT64_MAX, "RAM differs at 0x%" PRIx64, bad);
}

/* ---- expected registers: cpu-registers.txt, part "## crash" ---- */

struct fx_regs {
	uint64_t nip, msr, ctr, lr, xer, cr, gpr[32];
};

/* Value after the word key in line (e.g. "LR c00000000007bcec"), if present. */
static inline int fx_field(const char *line, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p += n)
		if ((p == line || p[-1] == ' ') && p[n] == ' ') {
			*v = strtoull(p + n, NULL, 16);
			return 1;
		}
	return 0;
}

/* The crash part of cpu-registers.txt at shared path rel; returns the CPU count (<= max). */
static inline int fx_crash_regs(const char *rel, struct fx_regs *r, int max)
{
	char *p = fx_path("MPIPLSIM_SHARED", rel), line[512];
	FILE *f = fopen(p, "r");
	int in_crash = 0, cpu = -1;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned g;

		if (!strncmp(line, "## ", 3))
			in_crash = !strncmp(line, "## crash", 8);
		if (!in_crash)
			continue;
		if (!strncmp(line, "CPU#", 4) && (line[5] == '\n' || line[5] == '\r')) {
			cpu = atoi(line + 4);
			ck_assert_int_lt(cpu, max);
			memset(&r[cpu], 0, sizeof(r[cpu]));
			continue;
		}
		if (cpu < 0)
			continue;
		fx_field(line, "NIP", &r[cpu].nip);
		fx_field(line, "LR", &r[cpu].lr);
		fx_field(line, "CTR", &r[cpu].ctr);
		fx_field(line, "XER", &r[cpu].xer);
		fx_field(line, "MSR", &r[cpu].msr);
		if (!strncmp(line, "CR ", 3))
			r[cpu].cr = strtoull(line + 3, NULL, 16);
		if (sscanf(line, "GPR%u", &g) == 1 && g + 3 < 32) {
			char *q = line + 5;

			for (unsigned k = 0; k < 4; k++)
				r[cpu].gpr[g + k] = strtoull(q, &q, 16);
		}
	}
	fclose(f);
	free(p);
	return cpu + 1;
}

/* The crash registers of both fixture vCPUs, PIRs 0 and 4 (fixtures README). */
static inline void assert_crash_regs(const struct snapshot *s, const char *regs_file)
{
	static const uint32_t pir[2] = { 0, 4 };
	struct fx_regs want[4];

	ck_assert_int_eq(fx_crash_regs(regs_file, want, 4), 2);
	ck_assert_uint_eq(s->cpus.n, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct cpu_regs *r = &s->cpus.cpu[i];

		ck_assert_uint_eq(r->index, i);
		ck_assert_uint_eq(r->pir, pir[i]);
		ck_assert(r->pir_known);
		ck_assert_uint_eq(r->have, CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR);
		ck_assert_uint_eq(r->nip, want[i].nip);
		ck_assert_uint_eq(r->msr, want[i].msr);
		ck_assert_uint_eq(r->cr, want[i].cr);
		ck_assert(cpu_has_spr(r, SPRN_CTR) && cpu_has_spr(r, SPRN_LR) &&
			  cpu_has_spr(r, SPRN_XER));
		ck_assert_uint_eq(r->spr[SPRN_CTR], want[i].ctr);
		ck_assert_uint_eq(r->spr[SPRN_LR], want[i].lr);
		ck_assert_uint_eq(r->spr[SPRN_XER], want[i].xer);
		/* QEMU writes DAR and DSISR as 0 (arch_dump.c): not carried */
		ck_assert(!cpu_has_spr(r, SPRN_DAR) && !cpu_has_spr(r, SPRN_DSISR));
		for (unsigned g = 0; g < 32; g++)
			ck_assert_msg(r->gpr[g] == want[i].gpr[g], "cpu %u GPR%u 0x%" PRIx64
				      " != 0x%" PRIx64, i, g, r->gpr[g], want[i].gpr[g]);
	}
}

/* ---- scratch files and error checks ---- */

/* Write buf to a new temporary file; returns its path (caller unlinks and frees). */
static inline char *scratch_write(const void *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	if (asprintf(&path, "%s/mpiplsim-test.XXXXXX", dir && *dir ? dir : "/tmp") < 0)
		ck_abort_msg("out of memory");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(len ? fwrite(buf, 1, len, f) : 0, len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static inline struct mperr *open_bytes(struct snapshot *s, const void *buf, size_t len,
				enum snap_format f)
{
	char *path = scratch_write(buf, len);
	struct mperr *err = snapshot_open(s, path, f, NULL);

	if (err && err != mperr_nomem())
		err->file = "synthetic";	/* path is freed below */
	unlink(path);
	free(path);
	return err;
}

/* The bytes must be rejected as bad input, with the place (offset) in the error. */
static inline struct mperr *expect_input_error(const void *buf, size_t len, enum snap_format f)
{
	struct snapshot s;
	struct mperr *err = open_bytes(&s, buf, len, f);
	char msg[512];

	ck_assert_msg(err != NULL, "malformed input of %zu bytes accepted", len);
	mperr_format(err, msg, sizeof(msg));
	ck_assert_msg(err->kind == MPERR_INPUT, "kind %d: %s", err->kind, msg);
	ck_assert_msg(err->has_off, "no offset in: %s", msg);
	ck_assert_msg(msg[0] && !(msg[strlen(msg) - 1] == '.'), "message: %s", msg);
	return err;	/* caller checks more fields, then mperr_free() */
}

static inline void must_open(struct snapshot *s, const void *buf, size_t len, enum snap_format f)
{
	struct mperr *err = open_bytes(s, buf, len, f);

	if (err) {
		char msg[512];

		mperr_format(err, msg, sizeof(msg));
		ck_abort_msg("synthetic dump rejected: %s", msg);
	}
}

/* Every file in dir (fuzz regressions) must open or fail cleanly; returns the count. */
static inline int replay_dir(const char *dir, enum snap_format f)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct snapshot s;
		struct mperr *err;
		char *p;

		if (de->d_name[0] == '.')
			continue;
		ck_assert_int_ge(asprintf(&p, "%s/%s", dir, de->d_name), 0);
		err = snapshot_open(&s, p, f, NULL);
		if (err) {
			ck_assert_msg(err->kind == MPERR_INPUT, "%s: kind %d", p, err->kind);
			mperr_free(err);
		} else {
			snapshot_close(&s);
		}
		free(p);
		n++;
	}
	closedir(d);
	return n;
}

/* ---- ppc64 notes for synthetic dumps (snapshot-formats.md §6.3, §6.4) ---- */

#define NOTE_PRSTATUS_SIZE (12 + 8 + 504)
#define NOTE_FPREG_SIZE (12 + 8 + 264)

/* One "CORE" note with a zero desc of descsz bytes at p; returns its size. */
static inline size_t put_note(uint8_t *p, bool big, uint32_t type, uint32_t descsz)
{
	memset(p, 0, 20 + descsz);
	st_u32(p, 5, big);
	st_u32(p + 4, descsz, big);
	st_u32(p + 8, type, big);
	memcpy(p + 12, "CORE", 5);
	return 20 + ((descsz + 3) & ~3u);
}

/* NT_PRSTATUS + NT_PRFPREG for each CPU; registers made from the CPU number. */
static inline size_t put_cpu_notes(uint8_t *p, bool big, unsigned ncpu)
{
	size_t n = 0;

	for (unsigned c = 0; c < ncpu; c++) {
		uint8_t *reg = p + n + 20 + 112;

		n += put_note(p + n, big, 1, 504);
		for (unsigned g = 0; g < 32; g++)
			st_u64(reg + 8 * g, 0x1000 * c + g, big);
		st_u64(reg + 8 * 32, 0xc000000000001000ull + c, big);	/* nip */
		st_u64(reg + 8 * 33, 0x9000000000001033ull, big);	/* msr */
		st_u64(reg + 8 * 35, 0x100 + c, big);			/* ctr */
		st_u64(reg + 8 * 36, 0x200 + c, big);			/* lr */
		st_u64(reg + 8 * 37, 0x20000000 + c, big);		/* xer */
		st_u64(reg + 8 * 38, 0x22000000 + c, big);		/* ccr */
		n += put_note(p + n, big, 2, 264);
	}
	return n;
}

static inline void assert_synthetic_cpus(const struct snapshot *s, unsigned ncpu)
{
	ck_assert_uint_eq(s->cpus.n, ncpu);
	for (unsigned c = 0; c < ncpu; c++) {
		const struct cpu_regs *r = &s->cpus.cpu[c];

		ck_assert_uint_eq(r->nip, 0xc000000000001000ull + c);
		ck_assert_uint_eq(r->msr, 0x9000000000001033ull);
		ck_assert_uint_eq(r->spr[SPRN_CTR], 0x100 + c);
		ck_assert_uint_eq(r->spr[SPRN_LR], 0x200 + c);
		ck_assert_uint_eq(r->spr[SPRN_XER], 0x20000000 + c);
		ck_assert_uint_eq(r->cr, 0x22000000 + c);
		ck_assert_uint_eq(r->gpr[31], 0x1000 * c + 31);
		/* no device tree in a synthetic dump: the convention, marked as a guess */
		ck_assert_uint_eq(r->pir, 4 * c);
		ck_assert(!r->pir_known);
	}
}

#endif
