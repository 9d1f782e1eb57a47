/*
 * check_vmcore.c - the ELF vmcore (kernel_fadump.c, vmcore.c, elf_out.c).
 *
 * Fixture part: runs $MPIPLSIM on both real guests ($MPIPLSIM_FIXTURES and
 * its master/) and checks the vmcore byte by byte against what this file
 * reads itself from crash.raw (the kernel's fadump structures, found from
 * the kernel tag in tables.json), cpu-registers.txt (QEMU's registers) and
 * the post-MPIPL image of the same run. Nothing here knows the guests'
 * sizes, CPU counts, PIRs or crashing CPU: all are read from those files.
 *
 * Synthetic part: kf_build_cpu_notes() on thread records built here.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/cpu_state.h"
#include "output/kernel_fadump.h"
#include "core/overlay.h"
#include "core/ram_image.h"
#include "output/vmcore.h"
#include "lib_fixture.h"

#define NGUESTS 2
#define PRSTATUS_SIZE 0x1f8u
#define PR_PID 0x20u
#define PR_REG 0x70u
#define NWORDS 48u

/* ------------------------------------------------------------ helpers */

struct map {
	const uint8_t *p;
	size_t len;
};

static struct map map_file(const char *path)
{
	struct map m = { NULL, 0 };
	struct stat st;
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	m.len = (size_t)st.st_size;
	m.p = m.len ? mmap(NULL, m.len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	ck_assert_msg(!m.len || m.p != MAP_FAILED, "mmap %s", path);
	close(fd);
	return m;
}

static void unmap(struct map *m)
{
	if (m->len)
		munmap((void *)(uintptr_t)m->p, m->len);
	m->p = NULL;
	m->len = 0;
}

static char tmpdir[256];

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* Run mpiplsim with args; stderr to errfile. Returns the exit status. */
static int run_sim(const char *args, const char *errfile)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>%s", env_or("MPIPLSIM", "build/mpiplsim"), args,
		 errfile);
	st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st), "could not run: %s", cmd);
	return WEXITSTATUS(st);
}

static bool file_contains(const char *path, const char *what)
{
	struct map m = map_file(path);
	bool r = m.len && memmem(m.p, m.len, what, strlen(what));

	unmap(&m);
	return r;
}

/* ------------------------------------------- what this file reads itself */

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct kernel {
	uint64_t tag, fdh, elfhdr;
	uint32_t crashing_cpu;
	uint64_t regs[NWORDS];
	uint8_t ident[16];
	uint16_t machine, phnum;
	uint32_t flags;
	struct phdr ph[64];
	uint64_t rgn_src, rgn_dest, rgn_size;	/* first boot-memory region */
	uint64_t page_size;
	uint32_t pir[16];			/* from cpu-registers.txt, in its order */
	unsigned n_cpu;
};

struct guest {
	const char *name, *dir;		/* "v7.0", "" or "master/" */
	const char *raw, *mig;			/* the decompressed fixtures */
	char core[512], core_pir[512], core_noregs[512], post[512];
	struct kernel k;
	struct fx_cpu qemu[16];			/* "## crash" of cpu-registers.txt */
};

static struct guest guests[NGUESTS] = {
	{ .name = "skiboot v7.0 guest", .dir = "" },
	{ .name = "skiboot master guest", .dir = "master/" },
};

static void phdr_load(const uint8_t *b, struct phdr *p)
{
	p->type = ld_le32(b);
	p->flags = ld_le32(b + 4);
	p->offset = ld_le64(b + 8);
	p->vaddr = ld_le64(b + 16);
	p->paddr = ld_le64(b + 24);
	p->filesz = ld_le64(b + 32);
	p->memsz = ld_le64(b + 40);
	p->align = ld_le64(b + 48);
}

static uint64_t tables_kernel_tag(const struct guest *g)
{
	const char *path = shared_path(g->dir, "tables.json");
	json_error_t jerr;
	json_t *root = NULL, *e;
	size_t i;
	uint64_t tag = 0;

	root = json_load_file(path, 0, &jerr);
	ck_assert_msg(root, "%s: %s", path, jerr.text);
	json_array_foreach(root, i, e) {
		const char *f = json_string_value(json_object_get(e, "file"));
		json_t *m = json_object_get(e, "metadata");

		if (f && !strcmp(f, "crash.raw") && m)
			tag = strtoull(json_string_value(json_object_get(m, "kernel_tag")), NULL, 16);
	}
	json_decref(root);
	ck_assert_msg(tag, "%s: no kernel_tag for crash.raw", path);
	return tag;
}

/* QEMU's crash registers of every vCPU; its PIRs in the file's order */
static void read_qemu_regs(struct guest *g)
{
	int n = fx_regs(g->dir, "crash", g->qemu, 16);

	for (int i = 0; i < n; i++)
		g->k.pir[i] = g->qemu[i].pir;
	g->k.n_cpu = (unsigned)n;
}

/* VMCOREINFO text value of key in the note at p (LE note header). */
static uint64_t vmcoreinfo_num(const uint8_t *p, const char *key)
{
	uint32_t namesz = ld_le32(p), descsz = ld_le32(p + 4);
	const char *d = (const char *)p + 12 + ((namesz + 3) & ~3u);
	size_t kl = strlen(key);

	for (size_t o = 0; o + kl < descsz; o++)
		if ((o == 0 || d[o - 1] == '\n') && !strncmp(d + o, key, kl) && d[o + kl] == '=')
			return strtoull(d + o + kl + 1, NULL, 0);
	return 0;
}

/* Follow kernel tag -> opal_fadump_mem_struct -> crash info header -> ELF header in crash.raw. */
static void read_kernel(struct guest *g)
{
	struct map raw = map_file(g->raw);
	struct kernel *k = &g->k;
	const uint8_t *fdm, *fdh, *eh;

	k->tag = tables_kernel_tag(g);
	ck_assert(k->tag + 0x28 <= raw.len);
	fdm = raw.p + k->tag;
	ck_assert_int_eq(fdm[0], 1);			/* version */
	k->fdh = ld_be64(fdm + 8);
	k->rgn_src = ld_be64(fdm + 0x10);
	k->rgn_dest = ld_be64(fdm + 0x18);
	k->rgn_size = ld_be64(fdm + 0x20);
	ck_assert(k->fdh + 0x198 <= raw.len);
	fdh = raw.p + k->fdh;
	ck_assert_msg(!memcmp(fdh, "FNIPMDAF", 8), "%s: crash info header magic", g->name);
	k->elfhdr = ld_le64(fdh + 8);
	k->crashing_cpu = ld_le32(fdh + 0x10);
	for (unsigned i = 0; i < NWORDS; i++)
		k->regs[i] = ld_le64(fdh + 0x18 + 8 * i);
	ck_assert(k->elfhdr + 64 <= raw.len);
	eh = raw.p + k->elfhdr;
	memcpy(k->ident, eh, 16);
	k->machine = ld_le16(eh + 18);
	k->flags = ld_le32(eh + 48);
	k->phnum = ld_le16(eh + 56);
	ck_assert(k->phnum <= 64);
	for (unsigned i = 0; i < k->phnum; i++)
		phdr_load(eh + 64 + 56 * i, &k->ph[i]);
	/* the VMCOREINFO note: at its boot-memory source in crash.raw (PT_NOTE 1 points at the copy) */
	ck_assert_int_eq(k->ph[1].type, PT_NOTE);
	k->page_size = vmcoreinfo_num(raw.p + k->ph[1].offset - k->rgn_dest + k->rgn_src,
				      "PAGESIZE");
	ck_assert_msg(k->page_size >= 4096, "%s: no PAGESIZE", g->name);
	unmap(&raw);
	read_qemu_regs(g);
}

static void setup(void)
{
	char args[4096], err[600];

	snprintf(tmpdir, sizeof(tmpdir), "%s/check_vmcore.XXXXXX", env_or("TMPDIR", "/tmp"));
	ck_assert(mkdtemp(tmpdir));
	for (int i = 0; i < NGUESTS; i++) {
		struct guest *g = &guests[i];

		g->raw = fixture_path(g->dir, "crash.raw");
		g->mig = fixture_path(g->dir, "crash.mig");
		snprintf(g->core, sizeof(g->core), "%s/core%d", tmpdir, i);
		snprintf(g->core_pir, sizeof(g->core_pir), "%s/core%d.pir", tmpdir, i);
		snprintf(g->core_noregs, sizeof(g->core_noregs), "%s/core%d.noregs", tmpdir, i);
		snprintf(g->post, sizeof(g->post), "%s/post%d.img", tmpdir, i);
		snprintf(err, sizeof(err), "%s/err%d", tmpdir, i);
		read_kernel(g);
		snprintf(args, sizeof(args), "%s --vmcore %s -o %s", g->mig, g->core, g->post);
		ck_assert_int_eq(run_sim(args, err), 0);
		snprintf(args, sizeof(args), "%s --vmcore %s --vmcore-pids=pir", g->mig, g->core_pir);
		ck_assert_int_eq(run_sim(args, err), 0);
		snprintf(args, sizeof(args), "%s --vmcore %s --no-registers", g->raw, g->core_noregs);
		ck_assert_int_eq(run_sim(args, err), 0);
	}
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* ------------------------------------------------ reading the vmcore */

struct core {
	struct map m;
	GElf_Ehdr eh;
	struct phdr ph[64];
	size_t phnum;
	const uint8_t *note[64];		/* NT_PRSTATUS descs, in order */
	uint32_t note_type[64];
	unsigned n_notes;
	const uint8_t *vmcoreinfo;		/* note header */
	size_t notes_len;
};

static void core_open(struct core *c, const char *path)
{
	const uint8_t *n;
	size_t o = 0;

	memset(c, 0, sizeof(*c));
	c->m = map_file(path);
	ck_assert(c->m.len >= 64 && !memcmp(c->m.p, "\177ELF", 4));
	c->phnum = ld_le16(c->m.p + 56);
	ck_assert(c->phnum <= 64);
	for (size_t i = 0; i < c->phnum; i++)
		phdr_load(c->m.p + 64 + 56 * i, &c->ph[i]);
	ck_assert_int_eq(c->ph[0].type, PT_NOTE);
	ck_assert(c->ph[0].offset + c->ph[0].filesz <= c->m.len);
	n = c->m.p + c->ph[0].offset;
	c->notes_len = c->ph[0].filesz;
	while (o + 12 <= c->notes_len) {
		uint32_t namesz = ld_le32(n + o), descsz = ld_le32(n + o + 4);
		size_t sz = 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);

		ck_assert(o + sz <= c->notes_len);
		if (namesz == 5 && !memcmp(n + o + 12, "CORE", 5)) {
			ck_assert_uint_eq(descsz, PRSTATUS_SIZE);
			ck_assert_uint_eq(ld_le32(n + o + 8), 1);	/* NT_PRSTATUS */
			ck_assert(c->vmcoreinfo == NULL);		/* CPU notes come first */
			c->note[c->n_notes++] = n + o + 20;
		} else if (namesz == 11 && !memcmp(n + o + 12, "VMCOREINFO", 11)) {
			c->vmcoreinfo = n + o;
		} else {
			ck_abort_msg("unexpected note at 0x%zx", o);
		}
		o += sz;
	}
	ck_assert_uint_eq(o, c->notes_len);
}

static uint64_t pr_reg(const uint8_t *desc, unsigned w)
{
	return ld_le64(desc + PR_REG + 8 * w);
}

static int kernel_loads(const struct kernel *k, const struct phdr **out)
{
	int n = 0;

	for (unsigned i = 0; i < k->phnum; i++)
		if (k->ph[i].type == PT_LOAD)
			out[n++] = &k->ph[i];
	return n;
}

/* ------------------------------------------------------ fixture tests */

START_TEST(header_is_the_kernels)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		unsigned nr_notes = 0;
		struct core c;

		core_open(&c, guests[gi].core);
		for (unsigned i = 0; i < k->phnum; i++)
			nr_notes += k->ph[i].type == PT_NOTE;
		ck_assert_msg(!memcmp(c.m.p, k->ident, 16), "%s: e_ident", guests[gi].name);
		ck_assert_uint_eq(ld_le16(c.m.p + 16), ET_CORE);
		ck_assert_uint_eq(ld_le16(c.m.p + 18), k->machine);
		ck_assert_uint_eq(ld_le32(c.m.p + 48), k->flags);
		ck_assert_uint_eq(c.phnum, k->phnum - nr_notes + 1u);
		ck_assert_uint_eq(ld_le64(c.m.p + 32), 64);		/* e_phoff */
		ck_assert_uint_eq(ld_le16(c.m.p + 58), 0);		/* e_shentsize as Linux */
		ck_assert_uint_eq(ld_le16(c.m.p + 60), 0);		/* no sections */
		/* merged PT_NOTE: after the page-padded headers, vaddr/paddr/flags 0, align 0 (6.1) */
		ck_assert_uint_eq(c.ph[0].offset, (64 + 56 * c.phnum + k->page_size - 1) /
						  k->page_size * k->page_size);
		ck_assert_uint_eq(c.ph[0].vaddr | c.ph[0].paddr | c.ph[0].flags | c.ph[0].align, 0);
		ck_assert_uint_eq(c.ph[0].filesz, c.ph[0].memsz);
		for (size_t o = 64 + 56 * c.phnum; o < c.ph[0].offset; o++)
			ck_assert_msg(!c.m.p[o], "header padding at 0x%zx not zero", o);
		unmap(&c.m);
	}
}
END_TEST

START_TEST(loads_match_kernel_header_page_aligned)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		const struct phdr *kl[64];
		int n = kernel_loads(k, kl), j = 0;
		uint64_t P = k->page_size, next;
		struct core c;

		core_open(&c, guests[gi].core);
		next = (c.ph[0].offset + c.ph[0].filesz + P - 1) / P * P;	/* notes padded */
		for (size_t o = c.ph[0].offset + c.ph[0].filesz; o < next; o++)
			ck_assert_msg(!c.m.p[o], "notes padding at 0x%zx not zero", o);
		for (size_t i = 1; i < c.phnum; i++, j++) {
			const struct phdr *p = &c.ph[i];

			ck_assert_uint_eq(p->type, PT_LOAD);
			ck_assert_int_lt(j, n);
			ck_assert_uint_eq(p->paddr, kl[j]->paddr);
			ck_assert_uint_eq(p->vaddr, kl[j]->vaddr);
			ck_assert_uint_eq(p->memsz, kl[j]->memsz);
			ck_assert_uint_eq(p->filesz, kl[j]->filesz);
			ck_assert_uint_eq(p->flags, kl[j]->flags);
			/* the page holding the first byte starts at the previous segment's end */
			ck_assert_uint_eq(p->offset - kl[j]->offset % P, next);
			ck_assert_uint_eq(next % P, 0);
			next += (kl[j]->offset + kl[j]->memsz + P - 1) / P * P - kl[j]->offset / P * P;
		}
		ck_assert_int_eq(j, n);
		ck_assert_uint_eq(c.m.len, next);
		unmap(&c.m);
	}
}
END_TEST

/* CPU notes: one per CPU in PIR order, the crashing CPU's from the crash info header. */
START_TEST(cpu_notes_order_pids_and_crash_regs)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		uint32_t sorted[16];
		struct core c, cp;
		bool seen_crash = false;

		memcpy(sorted, k->pir, sizeof(sorted));
		for (unsigned a = 0; a < k->n_cpu; a++)
			for (unsigned b = a + 1; b < k->n_cpu; b++)
				if (sorted[b] < sorted[a]) {
					uint32_t t = sorted[a];

					sorted[a] = sorted[b];
					sorted[b] = t;
				}
		core_open(&c, guests[gi].core);
		core_open(&cp, guests[gi].core_pir);
		ck_assert_uint_eq(c.n_notes, k->n_cpu);
		ck_assert_uint_eq(cp.n_notes, k->n_cpu);
		ck_assert_msg(c.vmcoreinfo, "%s: no VMCOREINFO note", guests[gi].name);
		for (unsigned i = 0; i < c.n_notes; i++) {
			ck_assert_uint_eq(ld_le32(c.note[i] + PR_PID), 0);
			ck_assert_uint_eq(ld_le32(cp.note[i] + PR_PID), sorted[i]);
			/* apart from pr_pid the two files' notes are equal */
			ck_assert(!memcmp(c.note[i] + PR_PID + 4, cp.note[i] + PR_PID + 4,
					  PRSTATUS_SIZE - PR_PID - 4));
			for (unsigned o = 0; o < PRSTATUS_SIZE; o++)
				if (o < PR_PID || (o >= PR_PID + 4 && o < PR_REG) ||
				    o >= PR_REG + 8 * NWORDS)
					ck_assert_msg(!c.note[i][o], "note %u byte 0x%x", i, o);
			if (sorted[i] == k->crashing_cpu) {
				seen_crash = true;
				for (unsigned w = 0; w < NWORDS; w++)
					ck_assert_uint_eq(pr_reg(c.note[i], w), k->regs[w]);
			}
		}
		ck_assert_msg(seen_crash, "%s: no note for crashing CPU %" PRIu32, guests[gi].name,
			      k->crashing_cpu);
		unmap(&c.m);
		unmap(&cp.m);
	}
}
END_TEST

/* A firmware thread's note has exactly the registers Linux maps, and zero elsewhere. */
START_TEST(other_cpu_notes_from_thread_records)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct guest *g = &guests[gi];
		struct core cp;
		unsigned checked = 0;

		core_open(&cp, g->core_pir);
		for (unsigned i = 0; i < cp.n_notes; i++) {
			uint32_t pir = ld_le32(cp.note[i] + PR_PID);
			unsigned idx = 0;
			uint64_t expect[NWORDS] = { 0 };
			const struct fx_cpu *q;

			if (pir == g->k.crashing_cpu)
				continue;
			while (idx < g->k.n_cpu && g->k.pir[idx] != pir)
				idx++;
			ck_assert_uint_lt(idx, g->k.n_cpu);
			q = &g->qemu[idx];
			ck_assert_uint_eq(q->n_gpr, 32);
			memcpy(expect, q->gpr, sizeof(q->gpr));
			expect[32] = q->nip;
			expect[33] = q->msr;
			expect[35] = fx_spr(q, SPRN_CTR);
			expect[36] = fx_spr(q, SPRN_LR);
			expect[37] = fx_spr(q, SPRN_XER);
			expect[38] = q->cr;
			expect[41] = fx_spr(q, SPRN_DAR);
			expect[42] = fx_spr(q, SPRN_DSISR);
			for (unsigned w = 0; w < NWORDS; w++)
				ck_assert_msg(pr_reg(cp.note[i], w) == expect[w],
					      "%s PIR %u pr_reg[%u] 0x%" PRIx64 ", QEMU says 0x%"
					      PRIx64, g->name, pir, w, pr_reg(cp.note[i], w),
					      expect[w]);
			checked++;
		}
		ck_assert_uint_eq(checked, g->k.n_cpu - 1);
		unmap(&cp.m);
	}
}
END_TEST

/* The VMCOREINFO note is the crashed kernel's, read from the copy. */
START_TEST(vmcoreinfo_note_from_the_copy)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		struct map raw = map_file(guests[gi].raw);
		const uint8_t *src = raw.p + k->ph[1].offset - k->rgn_dest + k->rgn_src;
		size_t len = 12 + 12 + ((ld_le32(src + 4) + 3) & ~3u);
		struct core c;

		core_open(&c, guests[gi].core);
		ck_assert(c.vmcoreinfo);
		ck_assert(!memcmp(c.vmcoreinfo, src, len));
		ck_assert_uint_eq((size_t)(c.vmcoreinfo - c.m.p - c.ph[0].offset) + len,
				  c.notes_len);
		/* at the crash moment the copy holds nothing there yet */
		ck_assert(memcmp(raw.p + k->ph[1].offset, src, len));
		unmap(&c.m);
		unmap(&raw);
	}
}
END_TEST

/* Boot memory equals crash.raw at its source; every PT_LOAD equals the post-MPIPL image. */
START_TEST(load_bytes)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		struct map raw = map_file(guests[gi].raw), post = map_file(guests[gi].post);
		struct core c;

		core_open(&c, guests[gi].core);
		for (size_t i = 1; i < c.phnum; i++) {
			const struct phdr *p = &c.ph[i];
			uint64_t fileoff = p->offset;
			const uint8_t *src;

			ck_assert(fileoff + p->memsz <= c.m.len);
			if (p->paddr >= k->rgn_src && p->paddr + p->memsz <= k->rgn_src + k->rgn_size) {
				ck_assert(p->paddr + p->memsz <= raw.len);
				ck_assert_msg(!memcmp(c.m.p + fileoff, raw.p + p->paddr, p->memsz),
					      "%s: boot memory PT_LOAD %zu differs from crash.raw",
					      guests[gi].name, i);
			}
			src = post.p + (p->paddr >= k->rgn_src && p->paddr < k->rgn_src + k->rgn_size ?
					p->paddr - k->rgn_src + k->rgn_dest : p->paddr);
			ck_assert_msg(!memcmp(c.m.p + fileoff, src, p->memsz),
				      "%s: PT_LOAD %zu differs from the post-MPIPL image",
				      guests[gi].name, i);
		}
		unmap(&c.m);
		unmap(&raw);
		unmap(&post);
	}
}
END_TEST

START_TEST(sparse_and_deterministic)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		char again[600], args[1400], err[700], cmd[1400];
		struct stat st;

		snprintf(again, sizeof(again), "%s/again%d", tmpdir, gi);
		snprintf(err, sizeof(err), "%s/again%d.err", tmpdir, gi);
		snprintf(args, sizeof(args), "%s --vmcore %s", guests[gi].mig, again);
		ck_assert_int_eq(run_sim(args, err), 0);
		snprintf(cmd, sizeof(cmd), "cmp -s %s %s", again, guests[gi].core);
		ck_assert_msg(system(cmd) == 0, "%s: two runs differ", guests[gi].name);
		ck_assert_int_eq(stat(again, &st), 0);
		/* the guests hold ~50 MiB of data in 2 GiB: allocated blocks far below the size */
		ck_assert_msg((uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size / 4,
			      "%s: vmcore not sparse (%jd blocks for %jd bytes)", guests[gi].name,
			      (intmax_t)st.st_blocks, (intmax_t)st.st_size);
		unlink(again);
	}
}
END_TEST

START_TEST(no_registers_one_note_from_crash_info_header)
{
	for (int gi = 0; gi < NGUESTS; gi++) {
		const struct kernel *k = &guests[gi].k;
		struct core c;

		core_open(&c, guests[gi].core_noregs);
		ck_assert_uint_eq(c.n_notes, 1);
		ck_assert_uint_eq(ld_le32(c.note[0] + PR_PID), 0);
		for (unsigned w = 0; w < NWORDS; w++)
			ck_assert_uint_eq(pr_reg(c.note[0], w), k->regs[w]);
		unmap(&c.m);
	}
}
END_TEST

/* A private sparse copy of crash.raw with one field changed. */
static void poke_copy(const struct guest *g, const char *copy, uint64_t gpa, const void *b,
		      size_t n)
{
	char cmd[1400];
	int fd;

	snprintf(cmd, sizeof(cmd), "cp --sparse=always %s %s", g->raw, copy);
	ck_assert_int_eq(system(cmd), 0);
	fd = open(copy, O_WRONLY);
	ck_assert(fd >= 0);
	ck_assert_int_eq(pwrite(fd, b, n, (off_t)gpa), (ssize_t)n);
	close(fd);
}

START_TEST(bad_magic_falls_back_with_warning)
{
	const struct guest *g = &guests[0];
	char copy[600], core[600], err[600], args[2000];
	struct core c;

	snprintf(copy, sizeof(copy), "%s/badmagic.raw", tmpdir);
	snprintf(core, sizeof(core), "%s/badmagic.core", tmpdir);
	snprintf(err, sizeof(err), "%s/badmagic.err", tmpdir);
	poke_copy(g, copy, g->k.fdh, "XXXXXXXX", 8);
	snprintf(args, sizeof(args), "%s --cpu-state %s --vmcore %s", copy, g->mig, core);
	ck_assert_int_eq(run_sim(args, err), 0);
	ck_assert(file_contains(err, "expected FADMPINF or FADMPSIG"));
	ck_assert(file_contains(err, "not what Linux would produce"));
	core_open(&c, core);
	ck_assert_uint_eq(c.phnum, 2);		/* notes + one RAM range */
	ck_assert_uint_eq(c.ph[1].paddr, 0);
	ck_assert_uint_eq(c.ph[1].vaddr, UINT64_C(0xc000000000000000));
	ck_assert_uint_eq(c.n_notes, g->k.n_cpu);	/* every thread from its record */
	ck_assert(!c.vmcoreinfo);
	unmap(&c.m);
	/* no crash info header and no thread data: no vmcore at all */
	unlink(core);
	snprintf(args, sizeof(args), "%s --no-registers --vmcore %s", copy, core);
	ck_assert_int_eq(run_sim(args, err), 1);
	ck_assert(file_contains(err, "no vmcore"));
	ck_assert_int_eq(access(core, F_OK), -1);
	unlink(copy);
}
END_TEST

START_TEST(unknown_crashing_cpu_without_threads_is_an_error)
{
	const struct guest *g = &guests[1];
	char copy[600], core[600], err[600], args[2000];
	static const uint8_t unknown[4] = { 0xff, 0xff, 0xff, 0xff };

	snprintf(copy, sizeof(copy), "%s/nocpu.raw", tmpdir);
	snprintf(core, sizeof(core), "%s/nocpu.core", tmpdir);
	snprintf(err, sizeof(err), "%s/nocpu.err", tmpdir);
	poke_copy(g, copy, g->k.fdh + 0x10, unknown, 4);
	snprintf(args, sizeof(args), "%s --no-registers --vmcore %s -o %s.img", copy, core, core);
	ck_assert_int_eq(run_sim(args, err), 1);
	ck_assert(file_contains(err, "crashing CPU is unknown"));
	ck_assert_int_eq(access(core, F_OK), -1);
	snprintf(args, sizeof(args), "%s.img", core);
	ck_assert_int_eq(access(args, F_OK), -1);		/* no output appears alone */
	unlink(copy);
}
END_TEST

START_TEST(unregistered_fadump_falls_back)
{
	const struct guest *g = &guests[0];
	char copy[600], core[600], err[600], args[2000];
	static const uint8_t zero[2] = { 0, 0 };
	struct core c;

	snprintf(copy, sizeof(copy), "%s/unreg.raw", tmpdir);
	snprintf(core, sizeof(core), "%s/unreg.core", tmpdir);
	snprintf(err, sizeof(err), "%s/unreg.err", tmpdir);
	poke_copy(g, copy, g->k.tag + 6, zero, 2);	/* registered_regions */
	snprintf(args, sizeof(args), "%s --cpu-state %s --vmcore %s", copy, g->mig, core);
	ck_assert_int_eq(run_sim(args, err), 0);
	ck_assert(file_contains(err, "registered_regions is 0"));
	core_open(&c, core);
	ck_assert_uint_eq(c.phnum, 2);
	unmap(&c.m);
	unlink(copy);
}
END_TEST

/* --------------------------------------------------- synthetic records */

#define SYN_RAM 0x100000u
#define SYN_DEST 0x10000u

static uint8_t syn[SYN_RAM];

static void syn_thread(unsigned i, uint32_t tsize, uint32_t pir, uint8_t state,
		       const uint32_t (*regs)[3], unsigned n)
{
	uint8_t *t = syn + SYN_DEST + i * tsize;

	st_be32(t, pir);
	t[4] = state;
	st_be32(t + 8, 0x10);
	st_be32(t + 12, n);
	st_be32(t + 16, 0x10);
	st_be32(t + 20, 0x10);
	for (unsigned k = 0; k < n; k++) {
		st_be32(t + 0x18 + 16 * k, regs[k][0]);
		st_be32(t + 0x18 + 16 * k + 4, regs[k][1]);
		st_be64(t + 0x18 + 16 * k + 8, regs[k][2]);
	}
}

START_TEST(synthetic_notes_follow_linux)
{
	/*
	 * type, num, value: GPR1, NIP, CR, LR, an unknown SPR, a type-3 (TIMA) entry
	 * numbered 1, GPR 40. Linux maps every non-GPR type by number, so the TIMA
	 * entry lands in XER (opal_fadump_set_regval_regnum).
	 */
	static const uint32_t regs[7][3] = {
		{ 1, 1, 0x111 }, { 2, 0x7d0, 0x222 }, { 2, 0x7d2, 0x333 }, { 2, 8, 0x444 },
		{ 2, 1023, 0x555 }, { 3, 1, 0x666 }, { 1, 40, 0x777 },
	};
	const uint32_t tsize = 0x18 + 7 * 0x10;
	struct kernel_fadump kf = { .crashing_cpu = 8 };
	struct mperr *err;
	struct kf_cpu_data cd;
	struct ram_image ram;
	struct overlay ovl;
	struct kf_notes n;

	memset(syn, 0, sizeof(syn));
	syn_thread(0, tsize, 0, 0, regs, 7);
	syn_thread(1, tsize, 4, 0x0f, regs, 7);		/* inactive core: skipped */
	syn_thread(2, tsize, 8, 0, regs, 7);		/* crashing: kernel regs, in place */
	syn_thread(3, tsize, 12, 0, regs, 7);
	st_be32(syn, tsize);				/* processor dump area at 0 */
	syn[4] = 1;
	st_be64(syn + 0x20, SYN_DEST | (UINT64_C(1) << 63));
	st_be32(syn + 0x2c, 4 * tsize);
	for (unsigned w = 0; w < NWORDS; w++)
		kf.regs[w] = 0x1000 + w;
	ram_init(&ram, SYN_RAM);
	ck_assert_ptr_null(ram_add(&ram, 0, SYN_RAM, syn));
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&ovl, &ram));
	ck_assert_ptr_null(kf_cpu_data_load(&ovl, 0, &cd, NULL));
	ck_assert(cd.valid);
	ck_assert_uint_eq(cd.n_threads, 4);
	ck_assert_ptr_null(kf_build_cpu_notes(&ovl, &kf, &cd, false, true, &n, NULL));
	ck_assert_uint_eq(n.n, 3);
	ck_assert_uint_eq(n.len, 3 * KF_NOTE_SIZE);
	ck_assert_uint_eq(n.pir[0], 0);
	ck_assert_uint_eq(n.pir[1], 8);
	ck_assert_uint_eq(n.pir[2], 12);
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *d = n.buf + i * KF_NOTE_SIZE + 20;

		ck_assert_uint_eq(ld_le32(d + PR_PID), n.pir[i]);
		for (unsigned w = 0; w < NWORDS; w++) {
			uint64_t want = n.pir[i] == 8 ? 0x1000 + w
				      : w == 1 ? 0x111 : w == 32 ? 0x222 : w == 38 ? 0x333
				      : w == 36 ? 0x444 : w == 37 ? 0x666 : 0;

			ck_assert_uint_eq(ld_le64(d + PR_REG + 8 * w), want);
		}
	}
	kf_notes_free(&n);
	/* big-endian kernel: the same notes in the other byte order */
	ck_assert_ptr_null(kf_build_cpu_notes(&ovl, &kf, &cd, true, false, &n, NULL));
	ck_assert_uint_eq(ld_be32(n.buf + 4), PRSTATUS_SIZE);
	ck_assert_uint_eq(ld_be64(n.buf + 20 + PR_REG + 8), 0x111);
	kf_notes_free(&n);
	/* every record inactive and no crashing CPU: no notes, an error */
	for (unsigned i = 0; i < 4; i++)
		syn[SYN_DEST + i * tsize + 4] = 0x0f;
	kf.crashing_cpu = KF_CPU_UNKNOWN;
	err = kf_build_cpu_notes(&ovl, &kf, &cd, false, false, &n, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	ovl_free(&ovl);
	ram_free(&ram);
}
END_TEST

START_TEST(synthetic_bad_counts_are_errors)
{
	struct kf_cpu_data cd;
	struct ram_image ram;
	struct overlay ovl;
	struct mperr *err;

	memset(syn, 0, sizeof(syn));
	st_be32(syn, 1);				/* thread_size 1: 0x80000 threads */
	st_be64(syn + 0x20, SYN_DEST);
	st_be32(syn + 0x2c, 0x80000);
	ram_init(&ram, SYN_RAM);
	ck_assert_ptr_null(ram_add(&ram, 0, SYN_RAM, syn));
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&ovl, &ram));
	err = kf_cpu_data_load(&ovl, 0, &cd, NULL);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->kind, MPERR_INPUT);
	mperr_free(err);
	st_be32(syn, 0x100);				/* records past the end of RAM */
	st_be64(syn + 0x20, SYN_RAM - 0x100);
	st_be32(syn + 0x2c, 0x200);
	err = kf_cpu_data_load(&ovl, 0, &cd, NULL);
	ck_assert_ptr_nonnull(err);
	mperr_free(err);
	st_be64(syn + 0x20, 0);				/* dest 0: no CPU data, not an error */
	ck_assert_ptr_null(kf_cpu_data_load(&ovl, 0, &cd, NULL));
	ck_assert(!cd.valid);
	ovl_free(&ovl);
	ram_free(&ram);
}
END_TEST

/*
 * A little fadump guest in either byte order and either crash info header
 * layout (mpipl.md §5): boot memory [0, 0x8000) copied to 0x10000, the
 * reservation [0x10000, 0x1a000) ending with opal_fadump_mem_struct at
 * 0x19000, VMCOREINFO (PAGESIZE 4096) in the copy, 2 thread records.
 */
#define G_RAM 0x40000u
#define G_DEST 0x10000u
#define G_TAG 0x19000u
#define G_FDH 0x18000u
#define G_VMCI 0x13000u
#define G_PDA 0x20000u
#define G_THR 0x21000u

static uint8_t g_ram[G_RAM];

static void st16(uint8_t *p, uint16_t v, bool big)
{
	v = big ? htobe16(v) : htole16(v);
	memcpy(p, &v, 2);
}

static void build_guest(bool big, bool sig, const char *osrelease)
{
	char desc[128];
	uint8_t *e = g_ram + G_FDH + 0x198, *p;
	static const uint64_t ph[5][4] = {	/* type, offset, paddr, size */
		{ PT_NOTE, 0, 0, 0 }, { PT_NOTE, G_VMCI, G_VMCI, 0x100 },
		{ PT_LOAD, G_DEST, 0, 0x8000 }, { PT_LOAD, 0x8000, 0x8000, 0x8000 },
		{ PT_LOAD, 0x1a000, 0x1a000, G_RAM - 0x1a000 },
	};
	int n;

	memset(g_ram, 0, sizeof(g_ram));
	/* opal_fadump_mem_struct, always big-endian */
	g_ram[G_TAG] = 1;
	st_be16(g_ram + G_TAG + 4, 1);
	st_be16(g_ram + G_TAG + 6, 1);
	st_be64(g_ram + G_TAG + 8, G_FDH);
	st_be64(g_ram + G_TAG + 0x18, G_DEST);
	st_be64(g_ram + G_TAG + 0x20, 0x8000);
	p = g_ram + G_FDH;
	memcpy(p, sig ? "FADMPSIG" : "FADMPINF", 8);
	if (!big)	/* the kernel stores the u64 natively: reversed on LE */
		for (int i = 0; i < 4; i++) {
			uint8_t t = p[i];

			p[i] = p[7 - i];
			p[7 - i] = t;
		}
	if (sig) {
		st_u32(p + 8, 1, big);
		st_u32(p + 0xc, 4, big);		/* crashing PIR */
		st_u64(p + 0x10, G_VMCI, big);
		st_u64(p + 0x18, 0x100, big);
		st_u32(p + 0x20, 0x180, big);
		st_u32(p + 0x24, 0x100, big);
		for (unsigned w = 0; w < NWORDS; w++)
			st_u64(p + 0x28 + 8 * w, 0x5000 + w, big);
	} else {
		st_u64(p + 8, G_FDH + 0x198, big);
		st_u32(p + 0x10, 4, big);
		for (unsigned w = 0; w < NWORDS; w++)
			st_u64(p + 0x18 + 8 * w, 0x5000 + w, big);
		memcpy(e, "\177ELF\2\1\1", 7);
		e[5] = big ? 2 : 1;
		st16(e + 16, ET_CORE, big);
		st16(e + 18, EM_PPC64, big);
		st_u32(e + 20, 1, big);
		st_u64(e + 32, 64, big);
		st_u32(e + 48, big ? 1 : 2, big);
		st16(e + 52, 64, big);
		st16(e + 54, 56, big);
		st16(e + 56, 5, big);
		for (int i = 0; i < 5; i++) {
			uint8_t *q = e + 64 + 56 * i;

			st_u32(q, (uint32_t)ph[i][0], big);
			st_u32(q + 4, ph[i][0] == PT_LOAD ? 7 : 0, big);
			st_u64(q + 8, ph[i][1], big);
			st_u64(q + 16, ph[i][0] == PT_LOAD ? UINT64_C(0xc000000000000000) + ph[i][2] : 0,
			       big);
			st_u64(q + 24, ph[i][2], big);
			st_u64(q + 32, ph[i][3], big);
			st_u64(q + 40, ph[i][3], big);
		}
	}
	n = snprintf(desc, sizeof(desc), "OSRELEASE=%s\nPAGESIZE=4096\n", osrelease);
	st_u32(g_ram + G_VMCI, 11, big);
	st_u32(g_ram + G_VMCI + 4, (uint32_t)n, big);
	memcpy(g_ram + G_VMCI + 12, "VMCOREINFO", 11);
	memcpy(g_ram + G_VMCI + 24, desc, (size_t)n);
	/* processor dump area and two records (PIR 0 and 4), GPR1 and NIP each */
	st_be32(g_ram + G_PDA, 0x38);
	g_ram[G_PDA + 4] = 1;
	st_be64(g_ram + G_PDA + 0x20, G_THR | UINT64_C(1) << 63);
	st_be32(g_ram + G_PDA + 0x2c, 2 * 0x38);
	for (uint32_t i = 0; i < 2; i++) {
		p = g_ram + G_THR + 0x38 * i;
		st_be32(p, 4 * i);
		st_be32(p + 8, 0x10);
		st_be32(p + 12, 2);
		st_be32(p + 16, 0x10);
		st_be32(p + 20, 0x10);
		st_be32(p + 0x18, 1);
		st_be32(p + 0x1c, 1);
		st_be64(p + 0x20, 0x100 + i);
		st_be32(p + 0x28, 2);
		st_be32(p + 0x2c, 0x7d0);
		st_be64(p + 0x30, 0x200 + i);
	}
}

/* Both layouts, both byte orders: the same vmcore, as 6.1 and 6.9+ capture kernels build it. */
START_TEST(synthetic_layouts_and_byte_orders)
{
	static const uint64_t want_paddr[3] = { 0, 0x8000, 0x1a000 };
	static const uint64_t want_gpa[3] = { G_DEST, 0x8000, 0x1a000 };

	for (int big = 0; big < 2; big++)
		for (int sig = 0; sig < 2; sig++) {
			struct kf_range r = { 0, G_RAM };
			struct vmcore_options o = { G_TAG, G_PDA, false, &r, 1 };
			struct ram_image ram;
			struct overlay ovl;
			struct vmcore v;
			struct mperr *err;

			build_guest(big, sig, sig ? "6.9.0" : "6.1.0");
			ram_init(&ram, G_RAM);
			ck_assert_ptr_null(ram_add(&ram, 0, G_RAM, g_ram));
			ck_assert_ptr_null(ram_finish(&ram));
			ck_assert_ptr_null(ovl_init(&ovl, &ram));
			err = vmcore_plan(&ovl, &o, &v, NULL);
			if (err) {
				char buf[512];

				mperr_format(err, buf, sizeof(buf));
				ck_abort_msg("big %d sig %d: %s", big, sig, buf);
			}
			ck_assert(!v.fallback);
			ck_assert_int_eq(v.img.eh.big, big);
			ck_assert_uint_eq(v.page_size, 4096);
			ck_assert_uint_eq(v.img.eh.phnum, 4);
			ck_assert_uint_eq(v.img.eh.ph[0].offset, 0x1000);
			ck_assert_uint_eq(v.img.eh.ph[0].align, sig ? 4 : 0);	/* 6.9 vs 6.1 */
			ck_assert_uint_eq(v.cpu.n, 2);
			ck_assert_uint_eq(v.img.notes_len, 2 * KF_NOTE_SIZE + 24 + 32);	/* 30-byte text */
			ck_assert_uint_eq(ld_u32(v.img.notes + 4, big), PRSTATUS_SIZE);
			/* PIR 0 from its record, PIR 4 (crashing) from the crash info header */
			ck_assert_uint_eq(ld_u64(v.img.notes + 20 + PR_REG + 8, big), 0x100);
			ck_assert_uint_eq(ld_u64(v.img.notes + 20 + PR_REG + 8 * 32, big), 0x200);
			ck_assert_uint_eq(ld_u64(v.img.notes + KF_NOTE_SIZE + 20 + PR_REG + 8, big),
					  0x5001);
			for (int i = 0; i < 3; i++) {
				ck_assert_uint_eq(v.img.eh.ph[i + 1].paddr, want_paddr[i]);
				ck_assert_uint_eq(v.img.load[i].gpa, want_gpa[i]);
			}
			ck_assert_uint_eq(v.img.load[0].foff, 0x2000);
			ck_assert_uint_eq(v.img.eh.ph[1].offset, 0x2000);
			ck_assert_uint_eq(v.img.size, 0x2000 + 0x8000 + 0x8000 + G_RAM - 0x1a000);
			vmcore_free(&v);
			ovl_free(&ovl);
			ram_free(&ram);
		}
}
END_TEST

/* elf_out through libelf: a big-endian file reads back as written. */
START_TEST(synthetic_write_big_endian)
{
	struct kf_range r = { 0, G_RAM };
	struct vmcore_options o = { G_TAG, G_PDA, true, &r, 1 };
	char path[] = "/tmp/check_vmcore_be.XXXXXX";
	struct ram_image ram;
	struct overlay ovl;
	struct vmcore v;
	struct map m;
	int fd = mkstemp(path);

	ck_assert(fd >= 0);
	build_guest(true, false, "6.1.0");
	g_ram[0x8000 + 0x123] = 0xab;			/* a byte in the in-place PT_LOAD */
	ram_init(&ram, G_RAM);
	ck_assert_ptr_null(ram_add(&ram, 0, G_RAM, g_ram));
	ck_assert_ptr_null(ram_finish(&ram));
	ck_assert_ptr_null(ovl_init(&ovl, &ram));
	ck_assert_ptr_null(vmcore_plan(&ovl, &o, &v, NULL));
	ck_assert_ptr_null(elfout_write(&v.img, &ovl, fd, NULL));
	ck_assert_int_eq(ftruncate(fd, (off_t)v.img.size), 0);
	close(fd);
	m = map_file(path);
	ck_assert_uint_eq(m.len, v.img.size);
	ck_assert_uint_eq(m.p[5], 2);				/* ELFDATA2MSB */
	ck_assert_uint_eq(ld_be16(m.p + 56), 4);		/* e_phnum */
	ck_assert_uint_eq(ld_be32(m.p + 48), 1);		/* e_flags as the kernel's */
	ck_assert_uint_eq(ld_be64(m.p + 64 + 8), 0x1000);	/* merged PT_NOTE p_offset */
	ck_assert_uint_eq(ld_be32(m.p + 0x1000 + 20 + PR_PID), 0);	/* pr_pid = PIR 0 */
	ck_assert_uint_eq(ld_be32(m.p + 0x1000 + KF_NOTE_SIZE + 20 + PR_PID), 4);
	ck_assert_uint_eq(m.p[ld_be64(m.p + 64 + 2 * 56 + 8) + 0x123], 0xab);
	unmap(&m);
	unlink(path);
	vmcore_free(&v);
	ovl_free(&ovl);
	ram_free(&ram);
}
END_TEST

static Suite *vmcore_suite(void)
{
	Suite *s = suite_create("vmcore");
	TCase *fx = tcase_create("fixtures"), *syn_tc = tcase_create("synthetic");

	tcase_add_unchecked_fixture(fx, setup, teardown);
	tcase_set_timeout(fx, 600);
	tcase_add_test(fx, header_is_the_kernels);
	tcase_add_test(fx, loads_match_kernel_header_page_aligned);
	tcase_add_test(fx, cpu_notes_order_pids_and_crash_regs);
	tcase_add_test(fx, other_cpu_notes_from_thread_records);
	tcase_add_test(fx, vmcoreinfo_note_from_the_copy);
	tcase_add_test(fx, load_bytes);
	tcase_add_test(fx, sparse_and_deterministic);
	tcase_add_test(fx, no_registers_one_note_from_crash_info_header);
	tcase_add_test(fx, bad_magic_falls_back_with_warning);
	tcase_add_test(fx, unknown_crashing_cpu_without_threads_is_an_error);
	tcase_add_test(fx, unregistered_fadump_falls_back);
	tcase_add_test(syn_tc, synthetic_notes_follow_linux);
	tcase_add_test(syn_tc, synthetic_bad_counts_are_errors);
	tcase_add_test(syn_tc, synthetic_layouts_and_byte_orders);
	tcase_add_test(syn_tc, synthetic_write_big_endian);
	suite_add_tcase(s, syn_tc);
	suite_add_tcase(s, fx);
	return s;
}

int main(void)
{
	return check_run(vmcore_suite());
}
