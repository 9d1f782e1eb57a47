/*
 * dump_fixture.h - helpers shared by check_elf.c and check_kdump.c on top of
 * lib_fixture.h: opening a fixture, its crash registers against QEMU's,
 * scratch files, and ppc64 note builders for synthetic dumps. Static
 * functions: include from one test file only each.
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
#include "lib_fixture.h"

/* Open the decompressed fixture name (e.g. "master/crash.kdump"); fails the test on error. */
static inline void fx_open(struct snapshot *s, const char *name, enum snap_format f)
{
	const char *p = fixture_path("", name);
	struct mperr *err = snapshot_open(s, p, f, NULL);

	if (err) {
		char buf[512];

		mperr_format(err, buf, sizeof(buf));
		ck_abort_msg("opening %s: %s", p, buf);
	}
}

/* The crash registers of every vCPU of guest ("" or "master/"), as QEMU printed them. */
static inline void assert_crash_regs(const struct snapshot *s, const char *guest)
{
	struct fx_cpu want[4];
	int n = fx_regs(guest, "crash", want, 4);

	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(s->cpus.n, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct cpu_regs *r = &s->cpus.cpu[i];

		ck_assert_uint_eq(r->index, i);
		ck_assert_uint_eq(r->pir, want[i].pir);
		ck_assert(r->pir_known);
		ck_assert_uint_eq(r->have, CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR);
		ck_assert_uint_eq(r->nip, want[i].nip);
		ck_assert_uint_eq(r->msr, want[i].msr);
		ck_assert_uint_eq(r->cr, want[i].cr);
		ck_assert(cpu_has_spr(r, SPRN_CTR) && cpu_has_spr(r, SPRN_LR) &&
			  cpu_has_spr(r, SPRN_XER));
		ck_assert_uint_eq(r->spr[SPRN_CTR], fx_spr(&want[i], SPRN_CTR));
		ck_assert_uint_eq(r->spr[SPRN_LR], fx_spr(&want[i], SPRN_LR));
		ck_assert_uint_eq(r->spr[SPRN_XER], fx_spr(&want[i], SPRN_XER));
		/* QEMU writes DAR and DSISR as 0 (arch_dump.c): not carried */
		ck_assert(!cpu_has_spr(r, SPRN_DAR) && !cpu_has_spr(r, SPRN_DSISR));
		ck_assert_uint_eq(want[i].n_gpr, 32);
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
