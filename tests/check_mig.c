/*
 * check_mig.c - the migration stream reader (in_mig.c, vmdesc.c) on the real
 * fixtures and on synthetic streams built here byte by byte.
 *
 * Fixtures come from $MPIPLSIM_FIXTURES (decompressed by `make fixtures`) and
 * $MPIPLSIM_SHARED (the shared .gz files); `make check` sets both. Expected
 * register values come from cpu-registers.txt (QEMU's `info registers`),
 * expected RAM from crash.raw (pmemsave), never from a run of our own code.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "input/snapshot.h"
#include "lib_fixture.h"

#define PS 4096u

/* ---------------------------------------------------------------- helpers */

static char warn_log[8192];

static void count_warning(void *ctx, const char *msg)
{
	size_t n = strlen(warn_log);

	(void)ctx;
	snprintf(warn_log + n, sizeof(warn_log) - n, "%s\n", msg);
	if (getenv("MIG_TEST_VERBOSE"))
		fprintf(stderr, "warning: %s\n", msg);
}

/* how many logged warnings contain what */
static int warnings_with(const char *what)
{
	int n = 0;

	for (const char *p = strstr(warn_log, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static const struct warn_sink sink = { count_warning, NULL };

static void open_ok(struct snapshot *s, const char *path, enum snap_format f)
{
	struct mperr *err = snapshot_open(s, path, f, &sink);
	char buf[512];

	if (err) {
		mperr_format(err, buf, sizeof(buf));
		ck_abort_msg("%s: %s", path, buf);
	}
}

/* The vCPUs of s against section "## moment" of guest's cpu-registers.txt */
static void check_regs(const struct snapshot *s, const char *guest, const char *moment)
{
	struct fx_cpu ref[16];
	int n = fx_regs(guest, moment, ref, 16);

	ck_assert_uint_eq(s->cpus.n, (size_t)n);
	ck_assert_ptr_nonnull(strstr(s->cpus.pir_source, "spr[1023]"));
	for (int i = 0; i < n; i++) {
		const struct cpu_regs *r = &s->cpus.cpu[i];

		ck_assert_uint_eq(r->index, (unsigned)i);
		ck_assert(r->pir_known);
		ck_assert_uint_eq(r->pir, ref[i].pir);
		ck_assert_uint_eq(r->have & (CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR),
				  CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR);
		ck_assert_uint_eq(ref[i].n_gpr, 32);
		for (int g = 0; g < 32; g++)
			ck_assert_msg(r->gpr[g] == ref[i].gpr[g], "cpu %d GPR%d %" PRIx64 " != %" PRIx64,
				      i, g, r->gpr[g], ref[i].gpr[g]);
		ck_assert_uint_eq(r->nip, ref[i].nip);
		ck_assert_uint_eq(r->msr, ref[i].msr);
		ck_assert_uint_eq(r->cr, ref[i].cr);
		ck_assert_uint_ge(ref[i].n_spr, 20);
		for (unsigned k = 0; k < ref[i].n_spr; k++) {
			unsigned sn = ref[i].spr[k].n;

			ck_assert_msg(cpu_has_spr(r, sn), "cpu %d spr %u not carried", i, sn);
			ck_assert_msg(r->spr[sn] == ref[i].spr[k].v, "cpu %d spr %u %" PRIx64 " != %" PRIx64,
				      i, sn, r->spr[sn], ref[i].spr[k].v);
		}
		/* QEMU keeps no decrementer or timebase in env.spr (§5.2) */
		ck_assert(!cpu_has_spr(r, SPRN_DEC));
		ck_assert(!cpu_has_spr(r, 268) && !cpu_has_spr(r, 269));
		ck_assert_uint_eq(r->spr[SPRN_PIR], r->pir);
	}
}

static void note_counts(const struct snapshot *s, uint64_t *pages, uint64_t *zeros)
{
	for (size_t i = 0; i < s->n_notes; i++) {
		char name[64];

		if (sscanf(s->notes[i], "ram block \"%63[^\"]\": %" SCNu64 " page records, %" SCNu64
			   " zero records", name, pages, zeros) == 3)
			return;
	}
	ck_abort_msg("no ram block note");
}

/* ------------------------------------------------------- fixture tests */

static void mig_vs_raw(const char *mig, const char *raw)
{
	struct snapshot m, r;

	open_ok(&m, fixture_path("", mig), SNAP_AUTO);
	open_ok(&r, fixture_path("", raw), SNAP_AUTO);
	ck_assert_int_eq(m.format, SNAP_MIG);
	ck_assert_ptr_nonnull(strstr(m.format_detail, "QEMU migration stream v3"));
	ck_assert_ptr_nonnull(strstr(m.format_detail, "powernv9"));
	/* README: one 2 GiB block "pnv.ram", guest RAM at 0 */
	ck_assert_uint_eq(m.n_blocks, 1);
	ck_assert_str_eq(m.blocks[0].name, "pnv.ram");
	ck_assert_int_eq(m.blocks[0].is_ram, 1);
	ck_assert_uint_eq(m.blocks[0].gpa, 0);
	ck_assert_uint_eq(m.blocks[0].len, r.ram.size);
	ck_assert_uint_eq(m.ram.size, 2ULL << 30);
	assert_same_ram(&m.ram, &r.ram);
	snapshot_close(&m);
	snapshot_close(&r);
}

START_TEST(crash_mig_ram_equals_raw)
{
	mig_vs_raw("crash.mig", "crash.raw");
}
END_TEST

START_TEST(master_crash_mig_ram_equals_raw)
{
	mig_vs_raw("master/crash.mig", "master/crash.raw");
}
END_TEST

START_TEST(crash_mig_registers)
{
	struct snapshot s;

	open_ok(&s, fixture_path("", "crash.mig"), SNAP_AUTO);
	check_regs(&s, "", "crash");
	snapshot_close(&s);
}
END_TEST

START_TEST(master_crash_mig_registers)
{
	struct snapshot s;

	open_ok(&s, fixture_path("", "master/crash.mig"), SNAP_AUTO);
	check_regs(&s, "master/", "crash");
	snapshot_close(&s);
}
END_TEST

START_TEST(precrash_mig_registers_and_pages)
{
	struct snapshot s;
	uint64_t pages, zeros;

	open_ok(&s, fixture_path("", "precrash.mig"), SNAP_AUTO);
	check_regs(&s, "", "precrash");
	note_counts(&s, &pages, &zeros);
	/* each page sent exactly once (snapshot-formats.md §3.1: 12,297 PAGE + 511,991 ZERO) */
	ck_assert_uint_eq(pages, 12297);
	ck_assert_uint_eq(pages + zeros, s.ram.size / PS);
	ck_assert_uint_eq(s.ram.data_bytes, pages * PS);
	snapshot_close(&s);
}
END_TEST

START_TEST(crash_mig_gz_equals_plain)
{
	struct snapshot g, p;

	open_ok(&g, shared_path("", "crash.mig.gz"), SNAP_AUTO);
	open_ok(&p, fixture_path("", "crash.mig"), SNAP_AUTO);
	ck_assert(g.in.gzipped);
	ck_assert_int_eq(g.format, SNAP_MIG);
	ck_assert_ptr_nonnull(strstr(g.format_detail, "gzip"));
	assert_same_ram(&g.ram, &p.ram);
	ck_assert_uint_eq(g.cpus.n, p.cpus.n);
	ck_assert_mem_eq(g.cpus.cpu, p.cpus.cpu, p.cpus.n * sizeof(*p.cpus.cpu));
	snapshot_close(&g);
	snapshot_close(&p);
}
END_TEST

/* ---------------------------------------------- synthetic stream builder */

struct sb {
	uint8_t *p;
	size_t n, cap;
};

static void sb_put(struct sb *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void sb_u8(struct sb *b, uint8_t v)
{
	sb_put(b, &v, 1);
}

static void sb_be16(struct sb *b, uint16_t v)
{
	uint8_t x[2];

	st_be16(x, v);
	sb_put(b, x, 2);
}

static void sb_be32(struct sb *b, uint32_t v)
{
	uint8_t x[4];

	st_be32(x, v);
	sb_put(b, x, 4);
}

static void sb_be64(struct sb *b, uint64_t v)
{
	uint8_t x[8];

	st_be64(x, v);
	sb_put(b, x, 8);
}

static void sb_str(struct sb *b, const char *s)
{
	sb_u8(b, (uint8_t)strlen(s));
	sb_put(b, s, strlen(s));
}

static void sb_fill(struct sb *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_u8(b, v);
}

static void sb_header(struct sb *b)
{
	sb_put(b, "QEVM", 4);
	sb_be32(b, 3);
}

static void sb_config(struct sb *b, const char *machine)
{
	sb_u8(b, 0x07);
	sb_be32(b, (uint32_t)strlen(machine));
	sb_put(b, machine, strlen(machine));
}

static void sb_sec(struct sb *b, uint8_t type, uint32_t id, const char *name, uint32_t inst,
		   uint32_t ver)
{
	sb_u8(b, type);
	sb_be32(b, id);
	sb_str(b, name);
	sb_be32(b, inst);
	sb_be32(b, ver);
}

static void sb_part(struct sb *b, uint8_t type, uint32_t id)
{
	sb_u8(b, type);
	sb_be32(b, id);
}

static void sb_footer(struct sb *b, uint32_t id)
{
	sb_u8(b, 0x7e);
	sb_be32(b, id);
}

enum { F_ZERO = 0x02, F_MEM_SIZE = 0x04, F_PAGE = 0x08, F_EOS = 0x10, F_CONT = 0x20,
       F_FLUSH = 0x200 };

/* a PAGE (filled with byte) or ZERO (fill byte) record; block NULL with F_CONT */
static void sb_page(struct sb *b, uint64_t addr, unsigned flags, const char *block, uint8_t byte)
{
	sb_be64(b, addr | flags);
	if (!(flags & F_CONT))
		sb_str(b, block);
	if (flags & F_PAGE)
		sb_fill(b, byte, PS);
	else
		sb_u8(b, byte);
}

static void sb_eos(struct sb *b)
{
	sb_be64(b, F_EOS);
}

/* START "ram" id 2 with a MEM_SIZE list of n blocks, then EOS and footer */
static void sb_ram_start(struct sb *b, int n, const char *const *names, const uint64_t *lens)
{
	uint64_t total = 0;

	for (int i = 0; i < n; i++)
		total += lens[i];
	sb_sec(b, 0x01, 2, "ram", 0, 4);
	sb_be64(b, total | F_MEM_SIZE);
	for (int i = 0; i < n; i++) {
		sb_str(b, names[i]);
		sb_be64(b, lens[i]);
	}
	sb_eos(b);
	sb_footer(b, 2);
}

#define JSON_TIMER                                                                              \
	"{\"name\":\"timer\",\"instance_id\":0,\"vmsd_name\":\"timer\",\"version\":2,"        \
	"\"fields\":[{\"name\":\"cpu_ticks_offset\",\"type\":\"int64\",\"size\":8},"            \
	"{\"name\":\"unused\",\"type\":\"unused_buffer\",\"size\":8},"                          \
	"{\"name\":\"cpu_clock_offset\",\"type\":\"int64\",\"size\":8}]}"

#define JSON_CPU_FIELDS                                                                         \
	"\"fields\":[{\"name\":\"unused\",\"type\":\"unused_buffer\",\"size\":8},"             \
	"{\"name\":\"env.gpr\",\"array_len\":32,\"type\":\"uint64\",\"size\":8},"               \
	"{\"name\":\"env.crf\",\"array_len\":8,\"type\":\"uint32\",\"size\":4},"                \
	"{\"name\":\"env.nip\",\"type\":\"uint64\",\"size\":8},"                                \
	"{\"name\":\"env.spr\",\"array_len\":1024,\"type\":\"uint64\",\"size\":8},"             \
	"{\"name\":\"env.spe_acc\",\"type\":\"uint64\",\"size\":8},"                            \
	"{\"name\":\"env.reserve_addr\",\"type\":\"uint64\",\"size\":8},"                       \
	"{\"name\":\"env.msr\",\"type\":\"uint64\",\"size\":8},"                                \
	"{\"name\":\"env.hflags_compat_nmsr\",\"type\":\"uint64\",\"size\":8}],"                \
	"\"subsections\":[{\"vmsd_name\":\"cpu/fpu\",\"version\":1,\"fields\":["                \
	"{\"name\":\"env.vsr\",\"array_len\":32,\"type\":\"fpr\",\"size\":8},"                  \
	"{\"name\":\"env.fpscr\",\"type\":\"uint64\",\"size\":8}]}]"

static void sb_timer(struct sb *b, uint32_t id)
{
	sb_sec(b, 0x04, id, "timer", 0, 2);
	sb_fill(b, 0x11, 24);
	sb_footer(b, id);
}

/* test value of SPR n of cpu inst */
static uint64_t spr_val(uint32_t inst, unsigned n)
{
	return n == SPRN_PIR ? inst * 4 : 0x5000000000000000ULL | (uint64_t)inst << 32 | n;
}

static void sb_cpu(struct sb *b, uint32_t id, uint32_t inst)
{
	static const uint32_t crf[8] = { 8, 8, 0, 0, 2, 2, 2, 0x18 };	/* 0x18: only 4 bits count */

	sb_sec(b, 0x04, id, "cpu", inst, 5);
	sb_be64(b, 0);
	for (int i = 0; i < 32; i++)
		sb_be64(b, 0x1000 + i + inst * 0x100);
	for (int i = 0; i < 8; i++)
		sb_be32(b, crf[i]);
	sb_be64(b, 0xc000000000001000ULL + inst);	/* nip */
	for (unsigned n = 0; n < 1024; n++)
		sb_be64(b, spr_val(inst, n));
	sb_be64(b, 0);
	sb_be64(b, ~0ULL);
	sb_be64(b, 0x9000000000001033ULL);	/* msr */
	sb_be64(b, 0);
	sb_u8(b, 0x05);
	sb_str(b, "cpu/fpu");
	sb_be32(b, 1);
	sb_fill(b, 0, 33 * 8);
	sb_footer(b, id);
}

/* EOF, then the vmdescription with the given device entries */
static void sb_vmdesc(struct sb *b, const char *devices)
{
	char json[8192];
	int n = snprintf(json, sizeof(json), "{\"page_size\":4096,\"devices\":[%s]}", devices);

	ck_assert_int_lt(n, (int)sizeof(json));
	sb_u8(b, 0x00);
	sb_u8(b, 0x06);
	sb_be32(b, (uint32_t)n);
	sb_put(b, json, (size_t)n);
}

/* A typical small stream: header, config, ram START, one PART with pages, END, timer. */
static void sb_small(struct sb *b)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 4 * PS };

	sb_header(b);
	sb_config(b, "powernv9");
	sb_ram_start(b, 1, names, lens);
	sb_part(b, 0x02, 2);
	sb_page(b, 0, F_PAGE, "pnv.ram", 0xaa);
	sb_page(b, PS, F_ZERO | F_CONT, NULL, 0);
	sb_eos(b);
	sb_footer(b, 2);
	sb_part(b, 0x03, 2);
	sb_eos(b);
	sb_footer(b, 2);
	sb_timer(b, 3);
}

static struct mperr *open_bytes(struct snapshot *s, const uint8_t *p, size_t len)
{
	static char path[64];
	int fd = memfd_create("mig", MFD_CLOEXEC);
	struct mperr *err;

	ck_assert_int_ge(fd, 0);
	for (size_t o = 0; o < len;) {
		ssize_t w = write(fd, p + o, len - o);

		ck_assert_int_gt(w, 0);
		o += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err = snapshot_open(s, path, SNAP_MIG, &sink);
	close(fd);
	return err;
}

static void sb_open_ok(struct snapshot *s, const struct sb *b)
{
	struct mperr *err = open_bytes(s, b->p, b->n);
	char buf[512];

	if (err) {
		mperr_format(err, buf, sizeof(buf));
		ck_abort_msg("synthetic stream: %s", buf);
	}
}

/* The stream must fail as bad input with the given offset (SIZE_MAX: any offset). */
static void expect_err_len(const struct sb *b, size_t len, size_t off, const char *what)
{
	struct snapshot s;
	struct mperr *err = open_bytes(&s, b->p, len);
	char buf[512];

	ck_assert_msg(err, "%s: no error", what);
	mperr_format(err, buf, sizeof(buf));
	if (getenv("MIG_TEST_VERBOSE"))
		fprintf(stderr, "%s: %s (off 0x%" PRIx64 ")\n", what, buf, err->off);
	ck_assert_msg(err->kind == MPERR_INPUT, "%s: kind %d: %s", what, err->kind, buf);
	ck_assert_msg(err->has_off, "%s: no offset: %s", what, buf);
	ck_assert_msg(off == SIZE_MAX || err->off == off,
		      "%s: offset 0x%" PRIx64 ", expected 0x%zx: %s", what, err->off, off, buf);
	ck_assert_msg(err->off <= len, "%s: offset 0x%" PRIx64 " past the end 0x%zx", what,
		      err->off, len);
	ck_assert_msg(buf[0] && strlen(err->msg) > 10, "%s: empty message", what);
	mperr_free(err);
}

static void expect_err(const struct sb *b, size_t off, const char *what)
{
	expect_err_len(b, b->n, off, what);
}

static void ram_byte_is(const struct snapshot *s, uint64_t gpa, uint8_t v)
{
	uint8_t page[PS], want[PS];
	struct mperr *err = ram_read(&s->ram, gpa, page, PS);

	ck_assert_ptr_null(err);
	memset(want, v, PS);
	ck_assert_msg(!memcmp(page, want, PS), "page 0x%" PRIx64 ": 0x%02x..., expected 0x%02x", gpa,
		      page[0], v);
}

/* ------------------------------------------------------- synthetic tests */

START_TEST(sy_small_stream)
{
	struct sb b = { 0 };
	struct snapshot s;

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	sb_open_ok(&s, &b);
	ck_assert_uint_eq(s.ram.size, 4 * PS);
	ck_assert_str_eq(s.format_detail, "QEMU migration stream v3, machine powernv9");
	ram_byte_is(&s, 0, 0xaa);
	ram_byte_is(&s, PS, 0);
	ram_byte_is(&s, 3 * PS, 0);
	ck_assert_uint_eq(s.ram.data_bytes, PS);
	ck_assert_uint_eq(s.cpus.n, 0);
	/* the data is indexed in place, not copied */
	ck_assert_uint_eq(s.ram.n, 1);
	ck_assert(s.ram.ext[0].data >= s.in.map && s.ram.ext[0].data < s.in.map + s.in.len);
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* ZERO, PAGE, CONTINUE across sections, MULTIFD_FLUSH, re-sent page, ZERO after PAGE */
START_TEST(sy_page_flags)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 8 * PS };
	struct sb b = { 0 };
	struct snapshot s;
	uint64_t pages, zeros;

	sb_header(&b);
	sb_config(&b, "powernv10");
	sb_ram_start(&b, 1, names, lens);
	sb_part(&b, 0x02, 2);
	sb_page(&b, 0, F_PAGE, "pnv.ram", 0x01);
	sb_page(&b, PS, F_PAGE | F_CONT, NULL, 0x02);
	sb_be64(&b, F_FLUSH);
	sb_page(&b, 2 * PS, F_PAGE | F_CONT, NULL, 0x03);
	sb_page(&b, 3 * PS, F_ZERO | F_CONT, NULL, 0);
	sb_page(&b, 4 * PS, F_PAGE | F_CONT, NULL, 0x05);
	sb_eos(&b);
	sb_footer(&b, 2);
	/* block context persists: this section starts with CONTINUE */
	sb_part(&b, 0x02, 2);
	sb_page(&b, PS, F_PAGE | F_CONT, NULL, 0x22);	/* re-sent: last wins */
	sb_page(&b, 2 * PS, F_ZERO | F_CONT, NULL, 0);	/* became zero */
	sb_page(&b, 3 * PS, F_PAGE | F_CONT, NULL, 0x44);	/* zero, then data */
	sb_be64(&b, F_FLUSH);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_u8(&b, 0x08);	/* MIG_CMD_SWITCHOVER_START, QEMU 10 */
	sb_be16(&b, 0x0b);
	sb_be16(&b, 0);
	sb_part(&b, 0x03, 2);
	sb_page(&b, 7 * PS, F_PAGE | F_CONT, NULL, 0x77);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	sb_open_ok(&s, &b);
	ram_byte_is(&s, 0, 0x01);
	ram_byte_is(&s, PS, 0x22);
	ram_byte_is(&s, 2 * PS, 0);
	ram_byte_is(&s, 3 * PS, 0x44);
	ram_byte_is(&s, 4 * PS, 0x05);
	ram_byte_is(&s, 5 * PS, 0);
	ram_byte_is(&s, 7 * PS, 0x77);
	ck_assert_uint_eq(s.ram.data_bytes, 5 * PS);
	note_counts(&s, &pages, &zeros);
	ck_assert_uint_eq(pages, 7);
	ck_assert_uint_eq(zeros, 2);
	ck_assert_ptr_nonnull(strstr(s.format_detail, "powernv10"));
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* MEM_SIZE with two blocks: only pnv.ram is guest RAM, the ROM never mixes in */
START_TEST(sy_two_blocks)
{
	static const char *const names[] = { "/rom@etc/acpi", "pnv.ram" };
	static const uint64_t lens[] = { 2 * PS, 4 * PS };
	struct sb b = { 0 };
	struct snapshot s;

	sb_header(&b);
	sb_ram_start(&b, 2, names, lens);
	sb_part(&b, 0x03, 2);
	sb_page(&b, 0, F_PAGE, "/rom@etc/acpi", 0xee);
	sb_page(&b, PS, F_PAGE | F_CONT, NULL, 0xef);
	sb_page(&b, PS, F_PAGE, "pnv.ram", 0x10);
	sb_page(&b, 0, F_ZERO, "/rom@etc/acpi", 0x5a);	/* fill byte in a ROM: ignored */
	sb_page(&b, 0, F_PAGE, "pnv.ram", 0x11);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	sb_open_ok(&s, &b);
	ck_assert_uint_eq(s.n_blocks, 2);
	ck_assert_str_eq(s.blocks[0].name, "/rom@etc/acpi");
	ck_assert_int_eq(s.blocks[0].is_ram, 0);
	ck_assert_str_eq(s.blocks[1].name, "pnv.ram");
	ck_assert_int_eq(s.blocks[1].is_ram, 1);
	ck_assert_uint_eq(s.blocks[1].gpa, 0);
	ck_assert_uint_eq(s.ram.size, 4 * PS);
	ram_byte_is(&s, 0, 0x11);
	ram_byte_is(&s, PS, 0x10);
	ck_assert_uint_eq(s.ram.data_bytes, 2 * PS);
	ck_assert_str_eq(s.format_detail, "QEMU migration stream v3, machine unknown");
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* Without "pnv.ram" (memory-backend id), the largest block is RAM */
START_TEST(sy_backend_block_is_largest)
{
	static const char *const names[] = { "vga.rom", "ram0", "small" };
	static const uint64_t lens[] = { PS, 8 * PS, 2 * PS };
	struct sb b = { 0 };
	struct snapshot s;

	sb_header(&b);
	sb_ram_start(&b, 3, names, lens);
	sb_part(&b, 0x03, 2);
	sb_page(&b, 0, F_PAGE, "ram0", 0x33);
	sb_page(&b, 0, F_PAGE, "small", 0x44);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	sb_open_ok(&s, &b);
	ck_assert_uint_eq(s.ram.size, 8 * PS);
	ck_assert_int_eq(s.blocks[1].is_ram, 1);
	ck_assert_int_eq(s.blocks[0].is_ram + s.blocks[2].is_ram, 0);
	ram_byte_is(&s, 0, 0x33);
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* Very old QEMU: a ZERO record with a non-zero fill byte; only that page is materialised */
START_TEST(sy_zero_fill_byte)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 1024 * PS };
	struct sb b = { 0 };
	struct snapshot s;

	sb_header(&b);
	sb_ram_start(&b, 1, names, lens);
	sb_part(&b, 0x03, 2);
	sb_page(&b, 5 * PS, F_ZERO, "pnv.ram", 0x5a);
	sb_page(&b, 9 * PS, F_ZERO | F_CONT, NULL, 0x5a);
	sb_page(&b, 10 * PS, F_ZERO | F_CONT, NULL, 0);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	warn_log[0] = '\0';
	sb_open_ok(&s, &b);
	ck_assert_int_eq(warnings_with("fill byte"), 1);
	ram_byte_is(&s, 5 * PS, 0x5a);
	ram_byte_is(&s, 9 * PS, 0x5a);
	ram_byte_is(&s, 10 * PS, 0);
	ram_byte_is(&s, 6 * PS, 0);
	ck_assert_uint_eq(s.ram.data_bytes, 2 * PS);
	ck_assert_uint_eq(s.ram.n_owned, 1);	/* one shared page per fill byte */
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* configuration subsections of newer QEMU (§2.3) */
START_TEST(sy_config_subsections)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 2 * PS };
	struct sb b = { 0 };
	struct snapshot s;

	sb_header(&b);
	sb_config(&b, "powernv9");
	sb_u8(&b, 0x05);
	sb_str(&b, "configuration/target-page-bits");
	sb_be32(&b, 1);
	sb_be32(&b, 12);
	sb_u8(&b, 0x05);
	sb_str(&b, "configuration/capabilities");
	sb_be32(&b, 1);
	sb_be32(&b, 2);
	sb_str(&b, "x-future-cap");
	sb_str(&b, "events");
	sb_u8(&b, 0x05);
	sb_str(&b, "configuration/uuid");
	sb_be32(&b, 1);
	sb_fill(&b, 0x42, 16);
	sb_ram_start(&b, 1, names, lens);
	sb_part(&b, 0x03, 2);
	sb_page(&b, PS, F_PAGE, "pnv.ram", 0x99);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	warn_log[0] = '\0';
	sb_open_ok(&s, &b);
	ck_assert_int_eq(warnings_with("capability"), 2);	/* two we do not know */
	ck_assert_int_eq(warnings_with("no cpu sections"), 1);
	ram_byte_is(&s, PS, 0x99);
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* A configuration subsection we do not know, described by newer QEMU's JSON */
START_TEST(sy_config_unknown_sub_by_json)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 2 * PS };
	struct sb b = { 0 };
	struct snapshot s;
	char json[1024];
	size_t sub_off;
	int n;

	sb_header(&b);
	sb_config(&b, "powernv11");
	sub_off = b.n;
	sb_u8(&b, 0x05);
	sb_str(&b, "configuration/future");
	sb_be32(&b, 2);
	sb_be32(&b, 7);
	sb_be64(&b, 8);
	sb_ram_start(&b, 1, names, lens);
	sb_part(&b, 0x03, 2);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_u8(&b, 0x00);
	n = snprintf(json, sizeof(json),
		     "{\"page_size\":4096,\"configuration\":{\"vmsd_name\":\"configuration\",\"version\":1,"
		     "\"fields\":[],\"subsections\":[{\"vmsd_name\":\"configuration/future\",\"version\":2,"
		     "\"fields\":[{\"name\":\"a\",\"type\":\"uint32\",\"size\":4},"
		     "{\"name\":\"b\",\"type\":\"uint64\",\"size\":8}]}]},\"devices\":[]}");
	sb_u8(&b, 0x06);
	sb_be32(&b, (uint32_t)n);
	sb_put(&b, json, (size_t)n);
	sb_open_ok(&s, &b);
	snapshot_close(&s);
	/* without the description the same subsection cannot be skipped */
	memcpy(memmem(b.p + b.n - n, (size_t)n, "configuration/future", 20), "configuration/xxxxxx",
	       20);
	expect_err(&b, sub_off, "unknown configuration subsection");
	free(b.p);
}
END_TEST

static void check_synthetic_cpu(const struct cpu_regs *r, uint32_t inst)
{
	ck_assert_uint_eq(r->pir, inst * 4);
	ck_assert(r->pir_known);
	ck_assert_uint_eq(r->gpr[0], 0x1000 + inst * 0x100);
	ck_assert_uint_eq(r->gpr[31], 0x1000 + 31 + inst * 0x100);
	ck_assert_uint_eq(r->cr, 0x88002228);
	ck_assert_uint_eq(r->nip, 0xc000000000001000ULL + inst);
	ck_assert_uint_eq(r->msr, 0x9000000000001033ULL);
	for (unsigned n = 0; n < CPU_NR_SPRS; n++) {
		bool kept = n != 22 && n != 268 && n != 269 && n != 284 && n != 285 && n != 286 &&
			    n != 308 && n != 309 && n != 310 && n != 849 && n != 136 && n != 259;

		ck_assert_msg(cpu_has_spr(r, n) == kept, "spr %u", n);
		if (kept)
			ck_assert_uint_eq(r->spr[n], spr_val(inst, n));
	}
}

START_TEST(sy_cpu_sections)
{
	struct sb b = { 0 };
	struct snapshot s;

	sb_small(&b);
	sb_cpu(&b, 5, 0);
	sb_cpu(&b, 6, 1);
	sb_vmdesc(&b, JSON_TIMER ",{\"name\":\"cpu\",\"instance_id\":0,\"vmsd_name\":\"cpu\","
		      "\"version\":5," JSON_CPU_FIELDS "},{\"name\":\"cpu\",\"instance_id\":1,"
		      "\"vmsd_name\":\"cpu\",\"version\":5," JSON_CPU_FIELDS "}");
	sb_open_ok(&s, &b);
	ck_assert_uint_eq(s.cpus.n, 2);
	check_synthetic_cpu(&s.cpus.cpu[0], 0);
	check_synthetic_cpu(&s.cpus.cpu[1], 1);
	ck_assert_str_eq(s.cpus.pir_source, "migration stream: cpu section spr[1023] (PIR)");
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* A cpu whose env.gpr has 4-byte elements (32-bit target) is refused */
START_TEST(sy_cpu_field_size)
{
	struct sb b = { 0 };
	char devs[4096];
	size_t off;

	sb_small(&b);
	off = b.n;
	sb_cpu(&b, 5, 0);
	snprintf(devs, sizeof(devs), "%s", JSON_TIMER ",{\"name\":\"cpu\",\"instance_id\":0,"
		 "\"vmsd_name\":\"cpu\",\"version\":5," JSON_CPU_FIELDS "}");
	/* 32 x 8 -> 64 x 4: same bytes, wrong shape */
	memcpy(strstr(devs, "\"array_len\":32,\"type\":\"uint64\",\"size\":8"),
	       "\"array_len\":64,\"type\":\"uint32\",\"size\":4",
	       strlen("\"array_len\":64,\"type\":\"uint32\",\"size\":4"));
	sb_vmdesc(&b, devs);
	expect_err(&b, off + 17 + 8, "cpu gpr size");
	free(b.p);
}
END_TEST

/* mapped-ram (§4): header per block, bitmap, pages at pages_offset + i * page_size */
static void sb_mapped(struct sb *b, uint64_t ps_hdr, uint64_t bm_shift)
{
	static const uint64_t len = 16 * PS;
	uint64_t bm_off, pages_off;

	sb_header(b);
	sb_config(b, "powernv9");
	sb_u8(b, 0x05);
	sb_str(b, "configuration/capabilities");
	sb_be32(b, 1);
	sb_be32(b, 1);
	sb_str(b, "mapped-ram");
	sb_sec(b, 0x01, 2, "ram", 0, 4);
	sb_be64(b, len | F_MEM_SIZE);
	sb_str(b, "pnv.ram");
	sb_be64(b, len);
	bm_off = b->n + 28;
	pages_off = (bm_off + 8 + 0xfffff) & ~0xfffffULL;
	sb_be32(b, 1);
	sb_be64(b, ps_hdr);
	sb_be64(b, bm_off + bm_shift);
	sb_be64(b, pages_off);
	/* bitmap: pages 0, 1, 3, 15 (little-endian host long); page 2 is stale data */
	sb_u8(b, 0x0b);
	sb_u8(b, 0x80);
	sb_fill(b, 0, 6);
	sb_fill(b, 0, pages_off - b->n);
	sb_fill(b, 0xa0, PS);
	sb_fill(b, 0xa1, PS);
	sb_fill(b, 0xa2, PS);
	sb_fill(b, 0xa3, PS);
	sb_fill(b, 0, 11 * PS);
	sb_fill(b, 0xaf, PS);
	sb_be64(b, F_FLUSH);
	sb_eos(b);
	sb_footer(b, 2);
	sb_part(b, 0x03, 2);
	sb_eos(b);
	sb_footer(b, 2);
	sb_timer(b, 3);
	sb_vmdesc(b, JSON_TIMER);
}

START_TEST(sy_mapped_ram)
{
	struct sb b = { 0 };
	struct snapshot s;
	uint64_t pages, zeros;

	sb_mapped(&b, PS, 0);
	sb_open_ok(&s, &b);
	ck_assert_uint_eq(s.ram.size, 16 * PS);
	ram_byte_is(&s, 0, 0xa0);
	ram_byte_is(&s, PS, 0xa1);
	ram_byte_is(&s, 2 * PS, 0);	/* bit clear: zero, whatever the file holds */
	ram_byte_is(&s, 3 * PS, 0xa3);
	ram_byte_is(&s, 15 * PS, 0xaf);
	ck_assert_uint_eq(s.ram.data_bytes, 4 * PS);
	note_counts(&s, &pages, &zeros);
	ck_assert_uint_eq(pages, 4);
	ck_assert_uint_eq(zeros, 12);
	ck_assert_ptr_nonnull(strstr(s.format_detail, "mapped-ram"));
	snapshot_close(&s);
	free(b.p);
}
END_TEST

START_TEST(sy_mapped_ram_bad_header)
{
	struct sb b = { 0 };
	size_t hdr;

	sb_mapped(&b, 2 * PS, 0);	/* page size mismatch */
	hdr = (size_t)((uint8_t *)memmem(b.p, b.n, "pnv.ram", 7) - b.p) + 7 + 8;
	expect_err(&b, hdr + 4, "mapped-ram page size");
	free(b.p);
	memset(&b, 0, sizeof(b));
	sb_mapped(&b, PS, 1ULL << 40);	/* bitmap far beyond the file */
	expect_err(&b, hdr + 12, "mapped-ram bitmap offset");
	free(b.p);
	memset(&b, 0, sizeof(b));
	sb_mapped(&b, PS, 0);
	st_be32(b.p + hdr, 2);	/* header version */
	expect_err(&b, hdr, "mapped-ram version");
	st_be32(b.p + hdr, 1);
	st_be64(b.p + hdr + 20, ~0ULL & ~0xfffULL);	/* pages_offset + len overflows */
	expect_err(&b, hdr + 12, "mapped-ram pages offset");
	free(b.p);
}
END_TEST

static void sb_command(struct sb *b, uint16_t cmd, uint16_t len, uint8_t byte)
{
	sb_u8(b, 0x08);
	sb_be16(b, cmd);
	sb_be16(b, len);
	sb_fill(b, byte, len);
}

static void sb_caps(struct sb *b, const char *cap)
{
	sb_u8(b, 0x05);
	sb_str(b, "configuration/capabilities");
	sb_be32(b, 1);
	sb_be32(b, 1);
	sb_str(b, cap);
}

/* postcopy-ram (POSTCOPY_ADVISE with 16 bytes) adds a page size to hugepage blocks (§3.2) */
START_TEST(sy_postcopy_page_size)
{
	struct sb b = { 0 };
	struct snapshot s;

	sb_header(&b);
	sb_command(&b, 1, 0, 0);	/* OPEN_RETURN_PATH */
	sb_command(&b, 3, 16, 0);	/* POSTCOPY_ADVISE */
	sb_command(&b, 2, 4, 0x11);	/* PING */
	sb_config(&b, "powernv9");
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	sb_be64(&b, 6 * PS | F_MEM_SIZE);
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 4 * PS);
	sb_be64(&b, 0x200000);	/* its page size: 2 MiB hugepages */
	sb_str(&b, "rom");
	sb_be64(&b, 2 * PS);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_part(&b, 0x03, 2);
	sb_page(&b, 3 * PS, F_PAGE, "pnv.ram", 0x31);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	warn_log[0] = '\0';
	sb_open_ok(&s, &b);
	ck_assert_int_eq(warnings_with("postcopy page size 0x200000"), 1);
	ck_assert_uint_eq(s.n_blocks, 2);
	ram_byte_is(&s, 3 * PS, 0x31);
	snapshot_close(&s);
	free(b.p);
}
END_TEST

/* x-ignore-shared adds be64 mr->addr per block; a shared RAM block is not in the file */
START_TEST(sy_ignore_shared)
{
	struct sb b = { 0 };
	struct snapshot s;
	size_t entry;

	sb_header(&b);
	sb_config(&b, "powernv9");
	sb_caps(&b, "x-ignore-shared");
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	sb_be64(&b, 4 * PS | F_MEM_SIZE);
	entry = b.n;
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 4 * PS);
	sb_be64(&b, 0);	/* mr->addr */
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_part(&b, 0x03, 2);
	sb_page(&b, PS, F_PAGE, "pnv.ram", 0x21);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	sb_open_ok(&s, &b);
	ram_byte_is(&s, PS, 0x21);
	snapshot_close(&s);
	free(b.p);

	/* the same with no page of the RAM block: it was shared memory, left out */
	memset(&b, 0, sizeof(b));
	sb_header(&b);
	sb_config(&b, "powernv9");
	sb_caps(&b, "x-ignore-shared");
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	sb_be64(&b, 4 * PS | F_MEM_SIZE);
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 4 * PS);
	sb_be64(&b, 0);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	expect_err(&b, entry, "shared RAM left out");
	free(b.p);
}
END_TEST

START_TEST(bad_commands)
{
	struct sb b = { 0 }, rest = { 0 };
	size_t off;

	sb_header(&b);
	off = b.n;
	sb_command(&b, 0x0b, 2, 0);	/* SWITCHOVER_START with a payload */
	sb_small(&rest);
	sb_put(&b, rest.p + 8, rest.n - 8);	/* all but the header */
	free(rest.p);
	sb_vmdesc(&b, JSON_TIMER);
	expect_err(&b, off, "switchover with payload");
	b.p[off + 2] = 5;	/* POSTCOPY_RUN */
	expect_err(&b, off, "postcopy run");
	free(b.p);
}
END_TEST

/* ------------------------------------------------------ malformed streams */

START_TEST(bad_magic_and_version)
{
	struct sb b = { 0 };

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	memcpy(b.p, "QEMU", 4);
	expect_err(&b, 0, "v1 magic");
	memcpy(b.p, "XEVM", 4);
	expect_err(&b, 0, "bad magic");
	memcpy(b.p, "QEVM", 4);
	st_be32(b.p + 4, 2);
	expect_err(&b, 4, "version 2");
	st_be32(b.p + 4, 4);
	expect_err(&b, 4, "version 4");
	expect_err_len(&b, 5, 0, "short header");
	free(b.p);
}
END_TEST

/* Every proper prefix of a complete stream is an input error with an offset inside it. */
START_TEST(truncated_everywhere)
{
	struct sb b = { 0 };
	struct snapshot s;

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	sb_open_ok(&s, &b);
	snapshot_close(&s);
	for (size_t len = 0; len < b.n; len++)
		expect_err_len(&b, len, SIZE_MAX, "prefix");
	free(b.p);
}
END_TEST

START_TEST(unknown_record_type)
{
	struct sb b = { 0 };
	size_t off;

	sb_small(&b);
	off = b.n;
	sb_u8(&b, 0x09);
	sb_vmdesc(&b, JSON_TIMER);
	expect_err(&b, off, "record type 0x09");
	b.p[off] = 0x7e;
	expect_err(&b, off, "stray footer");
	b.p[off] = 0x06;
	expect_err(&b, off, "vmdescription before EOF");
	b.p[off] = 0x08;	/* a postcopy command */
	expect_err(&b, off, "command");
	free(b.p);
}
END_TEST

START_TEST(footer_mismatch)
{
	struct sb b = { 0 };
	size_t off;

	sb_small(&b);
	off = b.n - 5;	/* the timer's footer */
	sb_vmdesc(&b, JSON_TIMER);
	st_be32(b.p + off + 1, 7);
	expect_err(&b, off, "footer id");
	st_be32(b.p + off + 1, 3);
	b.p[off] = 0x7f;
	expect_err(&b, off, "footer byte");
	b.p[off] = 0x05;
	expect_err(&b, off, "unlisted subsection");
	free(b.p);
}
END_TEST

/* A RAM section header with a footer for another section */
START_TEST(ram_footer_mismatch)
{
	struct sb b = { 0 };
	size_t off;

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	off = (size_t)((uint8_t *)memmem(b.p, b.n, "\x7e\x00\x00\x00\x02", 5) - b.p);
	b.p[off + 4] = 9;
	expect_err(&b, off, "ram START footer");
	free(b.p);
}
END_TEST

static size_t ram_part_at(struct sb *b)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 4 * PS };

	sb_header(b);
	sb_ram_start(b, 1, names, lens);
	sb_part(b, 0x03, 2);
	return b->n;
}

static void ram_tail(struct sb *b)
{
	sb_eos(b);
	sb_footer(b, 2);
	sb_vmdesc(b, "");
}

START_TEST(bad_ram_records)
{
	static const struct {
		unsigned flags;
		const char *what;
	} bad[] = {
		{ 0x40, "XBZRLE" }, { 0x100, "compress" }, { 0x80, "hook" }, { 0x01, "FULL" },
		{ 0x400, "unknown flag" }, { F_PAGE | F_ZERO, "page and zero" },
		{ F_EOS | F_PAGE, "EOS and page" }, { 0, "no flag" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sb b = { 0 };
		size_t off = ram_part_at(&b);

		sb_be64(&b, bad[i].flags);
		sb_str(&b, "pnv.ram");
		sb_fill(&b, 0, PS);
		ram_tail(&b);
		expect_err(&b, off, bad[i].what);
		free(b.p);
	}
}
END_TEST

START_TEST(page_beyond_block)
{
	struct sb b = { 0 };
	size_t off = ram_part_at(&b);

	sb_page(&b, 4 * PS, F_PAGE, "pnv.ram", 1);
	ram_tail(&b);
	expect_err(&b, off, "page beyond block");
	free(b.p);
}
END_TEST

START_TEST(unknown_block_name)
{
	struct sb b = { 0 };
	size_t off = ram_part_at(&b);

	sb_page(&b, 0, F_PAGE, "pnv.rom", 1);
	ram_tail(&b);
	expect_err(&b, off, "unknown block");
	free(b.p);
}
END_TEST

START_TEST(continue_without_block)
{
	struct sb b = { 0 };
	size_t off = ram_part_at(&b);

	sb_page(&b, 0, F_PAGE | F_CONT, NULL, 1);
	ram_tail(&b);
	expect_err(&b, off, "continue first");
	free(b.p);
}
END_TEST

START_TEST(block_size_mismatch)
{
	struct sb b = { 0 };
	size_t off;

	sb_header(&b);
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	sb_be64(&b, 4 * PS | F_MEM_SIZE);
	off = b.n;
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 8 * PS);	/* more than the list total */
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	expect_err(&b, off, "block longer than the total");
	free(b.p);
	memset(&b, 0, sizeof(b));
	sb_header(&b);
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	sb_be64(&b, 8 * PS | F_MEM_SIZE);
	off = b.n;
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 4 * PS + 1);	/* not a page multiple */
	sb_str(&b, "rom");
	sb_be64(&b, 4 * PS - 1);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	expect_err(&b, off, "block length not page aligned");
	free(b.p);
}
END_TEST

START_TEST(second_block_list_and_page_before_list)
{
	static const char *const names[] = { "pnv.ram" };
	static const uint64_t lens[] = { 4 * PS };
	struct sb b = { 0 };
	size_t off;

	sb_header(&b);
	sb_sec(&b, 0x01, 2, "ram", 0, 4);
	off = b.n;
	sb_page(&b, 0, F_PAGE, "pnv.ram", 1);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	expect_err(&b, off, "page before block list");
	free(b.p);
	memset(&b, 0, sizeof(b));
	sb_header(&b);
	sb_ram_start(&b, 1, names, lens);
	sb_part(&b, 0x02, 2);
	off = b.n;
	sb_be64(&b, 4 * PS | F_MEM_SIZE);
	sb_str(&b, "pnv.ram");
	sb_be64(&b, 4 * PS);
	ram_tail(&b);
	expect_err(&b, off, "second block list");
	free(b.p);
}
END_TEST

START_TEST(part_without_start)
{
	struct sb b = { 0 };
	size_t off;

	sb_header(&b);
	off = b.n;
	sb_part(&b, 0x02, 2);
	sb_eos(&b);
	sb_footer(&b, 2);
	sb_vmdesc(&b, "");
	expect_err(&b, off, "PART without START");
	free(b.p);
}
END_TEST

START_TEST(device_without_description)
{
	struct sb b = { 0 };
	size_t off;

	sb_small(&b);
	off = b.n;
	sb_sec(&b, 0x04, 9, "serial", 0, 3);
	sb_fill(&b, 0, 11);
	sb_footer(&b, 9);
	sb_vmdesc(&b, JSON_TIMER);
	expect_err(&b, off + 20, "device without JSON entry");
	/* no vmdescription at all (suppress-vmdesc): the first device section fails */
	b.n -= 5 + strlen("{\"page_size\":4096,\"devices\":[" JSON_TIMER "]}");
	expect_err(&b, SIZE_MAX, "no vmdescription");
	free(b.p);
}
END_TEST

START_TEST(bad_json)
{
	struct sb b = { 0 };
	size_t json_off;
	uint8_t save;

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	json_off = b.n - strlen("{\"page_size\":4096,\"devices\":[" JSON_TIMER "]}");
	save = b.p[json_off + 1];
	b.p[json_off + 1] = '#';	/* not JSON */
	expect_err(&b, SIZE_MAX, "invalid JSON");
	b.p[json_off + 1] = save;
	/* the description says 25 bytes, the data has 24: the footer is misplaced */
	b.p[json_off + (size_t)((uint8_t *)memmem(b.p + json_off, b.n - json_off, "\"size\":8", 8) -
				(b.p + json_off)) + 7] = '9';
	expect_err(&b, SIZE_MAX, "field size mismatch");
	free(b.p);
}
END_TEST

START_TEST(trailing_garbage)
{
	struct sb b = { 0 };
	size_t off;

	sb_small(&b);
	sb_vmdesc(&b, JSON_TIMER);
	off = b.n;
	sb_put(&b, "junk", 4);	/* the JSON no longer ends the file */
	expect_err(&b, SIZE_MAX, "trailing data");
	(void)off;
	free(b.p);
}
END_TEST

/* Negative tests on a real fixture, by layout facts that do not depend on its contents */
static void fixture_copy(struct sb *b, const char *rel)
{
	const char *path = fixture_path("", rel);
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *m;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ck_assert(m != MAP_FAILED);
	memset(b, 0, sizeof(*b));
	sb_put(b, m, (size_t)st.st_size);
	munmap(m, (size_t)st.st_size);
	close(fd);
}

START_TEST(fixture_damaged)
{
	struct sb b;

	fixture_copy(&b, "crash.mig");
	st_be32(b.p + 4, 2);
	expect_err(&b, 4, "fixture version 2");
	st_be32(b.p + 4, 3);
	expect_err_len(&b, b.n / 2, SIZE_MAX, "fixture cut in half");
	expect_err_len(&b, b.n - 1, SIZE_MAX, "fixture without its last JSON byte");
	free(b.p);
}
END_TEST

static Suite *mig_suite(void)
{
	Suite *s = suite_create("mig");
	TCase *fix = tcase_create("fixtures");
	TCase *syn = tcase_create("synthetic");
	TCase *bad = tcase_create("malformed");

	tcase_set_timeout(fix, 300);
	tcase_add_test(fix, crash_mig_ram_equals_raw);
	tcase_add_test(fix, master_crash_mig_ram_equals_raw);
	tcase_add_test(fix, crash_mig_registers);
	tcase_add_test(fix, master_crash_mig_registers);
	tcase_add_test(fix, precrash_mig_registers_and_pages);
	tcase_add_test(fix, crash_mig_gz_equals_plain);
	tcase_add_test(fix, fixture_damaged);
	suite_add_tcase(s, fix);

	tcase_add_test(syn, sy_small_stream);
	tcase_add_test(syn, sy_page_flags);
	tcase_add_test(syn, sy_two_blocks);
	tcase_add_test(syn, sy_backend_block_is_largest);
	tcase_add_test(syn, sy_zero_fill_byte);
	tcase_add_test(syn, sy_config_subsections);
	tcase_add_test(syn, sy_config_unknown_sub_by_json);
	tcase_add_test(syn, sy_cpu_sections);
	tcase_add_test(syn, sy_cpu_field_size);
	tcase_add_test(syn, sy_mapped_ram);
	tcase_add_test(syn, sy_mapped_ram_bad_header);
	tcase_add_test(syn, sy_postcopy_page_size);
	tcase_add_test(syn, sy_ignore_shared);
	suite_add_tcase(s, syn);

	tcase_set_timeout(bad, 300);
	tcase_add_test(bad, bad_magic_and_version);
	tcase_add_test(bad, truncated_everywhere);
	tcase_add_test(bad, unknown_record_type);
	tcase_add_test(bad, footer_mismatch);
	tcase_add_test(bad, ram_footer_mismatch);
	tcase_add_test(bad, bad_ram_records);
	tcase_add_test(bad, page_beyond_block);
	tcase_add_test(bad, unknown_block_name);
	tcase_add_test(bad, continue_without_block);
	tcase_add_test(bad, block_size_mismatch);
	tcase_add_test(bad, second_block_list_and_page_before_list);
	tcase_add_test(bad, part_without_start);
	tcase_add_test(bad, device_without_description);
	tcase_add_test(bad, bad_json);
	tcase_add_test(bad, trailing_garbage);
	tcase_add_test(bad, bad_commands);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return check_run(mig_suite());
}
