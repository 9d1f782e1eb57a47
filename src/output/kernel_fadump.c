/* kernel_fadump.c - see kernel_fadump.h */
#include "output/kernel_fadump.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/cpu_state.h"
#include "tables/mpipl_tables.h"

#define FDM_HDR_SIZE		0x10u	/* opal_fadump_mem_struct before rgn[] */
#define FDM_RGN_SIZE		24u
#define FDM_SIZE		(FDM_HDR_SIZE + KF_MAX_REGIONS * FDM_RGN_SIZE)
#define OPAL_FADUMP_VERSION	0x1
#define MAGIC_FADMPINF		UINT64_C(0x4641444d50494e46)	/* "FADMPINF" MSB first */
#define MAGIC_FADMPSIG		UINT64_C(0x4641444d50534947)	/* "FADMPSIG" */
#define PT_REGS_SIZE		(KF_PT_REGS_WORDS * 8u)
#define INF_REGS_OFF		0x18u	/* magic, elfcorehdr_addr, crashing_cpu, pad */
#define SIG_REGS_OFF		0x28u	/* magic, version, cpu, vmcoreinfo raddr/size, sizes */
#define EHDR_SIZE		ELFCORE_EHDR_SIZE
#define PHDR_SIZE		ELFCORE_PHDR_SIZE
#define PF_RWX			(PF_R | PF_W | PF_X)
#define KERNEL_VA_BASE		UINT64_C(0xc000000000000000)	/* __va() on ppc64 */

#define MAX_THREADS		65536u	/* beyond any machine; bounds the notes buffer */
#define MAX_REG_ENTRIES		65536u	/* hostboot writes up to 182 */

/* pt_regs word indices (arch/powerpc/include/asm/ptrace.h) */
enum { R_NIP = 32, R_MSR = 33, R_CTR = 35, R_LINK = 36, R_XER = 37, R_CCR = 38, R_DAR = 41,
       R_DSISR = 42 };

static struct mperr *read_at(const struct overlay *ovl, uint64_t gpa, void *buf, size_t len,
			     const char *what)
{
	struct mperr *err = ovl_read(ovl, gpa, buf, len);

	return err ? mperr_at(mperr_prefix(err, "%s at 0x%" PRIx64, what, gpa), gpa) : NULL;
}

static struct mperr *load_fdm(const struct overlay *ovl, uint64_t tag, struct kernel_fadump *kf,
			      const struct warn_sink *w)
{
	uint8_t h[FDM_HDR_SIZE], r[FDM_RGN_SIZE];
	struct mperr *err;

	kf->fdm_gpa = tag;
	err = read_at(ovl, tag, h, sizeof(h), "opal_fadump_mem_struct");
	if (err)
		return err;
	kf->fdm_version = h[0];
	kf->region_cnt = ld_be16(h + 4);
	kf->registered_regions = ld_be16(h + 6);
	kf->fdh_gpa = ld_be64(h + 8);
	if (kf->fdm_version != OPAL_FADUMP_VERSION)
		warnf(w, "opal_fadump_mem_struct at 0x%" PRIx64 ": version 0x%x, expected 0x%x "
		      "(Linux warns and goes on)", tag, kf->fdm_version, OPAL_FADUMP_VERSION);
	if (!kf->registered_regions)
		return mperr_at(mperr_input("opal_fadump_mem_struct at 0x%" PRIx64 ": "
					    "registered_regions is 0: fadump was not registered, "
					    "Linux does not enter capture mode", tag), tag);
	if (kf->region_cnt > KF_MAX_REGIONS)
		return mperr_at(mperr_input("opal_fadump_mem_struct at 0x%" PRIx64 ": region_cnt "
					    "%u exceeds FADUMP_MAX_MEM_REGS (%u)", tag,
					    kf->region_cnt, KF_MAX_REGIONS), tag);
	if (kf->region_cnt > kf->registered_regions)
		warnf(w, "opal_fadump_mem_struct at 0x%" PRIx64 ": %u regions, only %u registered; "
		      "Linux warns that the vmcore may be corrupted", tag, kf->region_cnt,
		      kf->registered_regions);
	kf->n_rgn = kf->region_cnt;
	for (unsigned i = 0; i < kf->n_rgn; i++) {
		uint64_t gpa = tag + FDM_HDR_SIZE + (uint64_t)i * FDM_RGN_SIZE;

		err = read_at(ovl, gpa, r, sizeof(r), "opal_fadump_mem_struct region");
		if (err)
			return err;
		kf->rgn[i] = (struct kf_region){ ld_be64(r), ld_be64(r + 8), ld_be64(r + 16) };
	}
	return NULL;
}

static void load_regs(const uint8_t *p, bool big, uint64_t *regs)
{
	for (unsigned i = 0; i < KF_PT_REGS_WORDS; i++)
		regs[i] = ld_u64(p + 8 * i, big);
}

static struct mperr *load_fdh(const struct overlay *ovl, struct kernel_fadump *kf)
{
	uint8_t h[SIG_REGS_OFF + PT_REGS_SIZE];
	uint64_t gpa = kf->fdh_gpa, le, be;
	struct mperr *err = read_at(ovl, gpa, h, 8, "crash info header");

	if (err)
		return err;
	le = ld_le64(h);
	be = ld_be64(h);
	if (le == MAGIC_FADMPINF || be == MAGIC_FADMPINF)
		kf->magic = KF_FADMPINF;
	else if (le == MAGIC_FADMPSIG || be == MAGIC_FADMPSIG)
		kf->magic = KF_FADMPSIG;
	else
		return mperr_at(mperr_input("crash info header at 0x%" PRIx64 ": magic 0x%016" PRIx64
					    " (bytes as stored), expected FADMPINF or FADMPSIG",
					    gpa, be), gpa);
	kf->big = be == MAGIC_FADMPINF || be == MAGIC_FADMPSIG;
	if (kf->magic == KF_FADMPINF) {
		err = read_at(ovl, gpa, h, INF_REGS_OFF + PT_REGS_SIZE, "crash info header");
		if (err)
			return err;
		kf->elfcorehdr_gpa = ld_u64(h + 8, kf->big);
		kf->crashing_cpu = ld_u32(h + 0x10, kf->big);
		load_regs(h + INF_REGS_OFF, kf->big, kf->regs);
		return NULL;
	}
	err = read_at(ovl, gpa, h, SIG_REGS_OFF + PT_REGS_SIZE, "crash info header");
	if (err)
		return err;
	kf->hdr_version = ld_u32(h + 0x08, kf->big);
	kf->crashing_cpu = ld_u32(h + 0x0c, kf->big);
	kf->vmcoreinfo_gpa = ld_u64(h + 0x10, kf->big);
	kf->vmcoreinfo_size = ld_u64(h + 0x18, kf->big);
	if (ld_u32(h + 0x20, kf->big) != PT_REGS_SIZE)
		return mperr_at(mperr_input("crash info header at 0x%" PRIx64 ": pt_regs_sz 0x%"
					    PRIx32 ", expected 0x%x (ppc64 pt_regs)", gpa,
					    ld_u32(h + 0x20, kf->big), PT_REGS_SIZE), gpa);
	load_regs(h + SIG_REGS_OFF, kf->big, kf->regs);
	return NULL;
}

struct mperr *kf_load(const struct overlay *ovl, uint64_t kernel_tag, struct kernel_fadump *kf,
		      const struct warn_sink *w)
{
	struct mperr *err;

	memset(kf, 0, sizeof(*kf));
	if (!kernel_tag)
		return mperr_input("MPIPL metadata: kernel tag is 0: no fadump kernel metadata");
	err = load_fdm(ovl, kernel_tag, kf, w);
	return err ? err : load_fdh(ovl, kf);
}

void kf_free(struct kernel_fadump *kf)
{
	free(kf->eh.ph);
	kf->eh.ph = NULL;
}

static struct mperr *field_is(const char *name, uint64_t v, uint64_t want)
{
	return v == want ? NULL : mperr_input("%s 0x%" PRIx64 ", expected 0x%" PRIx64, name, v, want);
}

/* The checks of fs/proc/vmcore.c parse_crash_elf64_headers(), plus e_phoff (Linux assumes 64). */
static struct mperr *check_ehdr(const struct elfcore_hdr *e)
{
	struct mperr *err;

	if (memcmp(e->ident, "\177ELF", 4) || e->ident[4] != 2 || e->ident[6] != 1 ||
	    (e->ident[5] != 1 && e->ident[5] != 2))
		return mperr_input("e_ident %02x %02x %02x %02x class %u data %u version %u, "
				   "expected an ELFCLASS64 ELF, version 1", e->ident[0],
				   e->ident[1], e->ident[2], e->ident[3], e->ident[4], e->ident[5],
				   e->ident[6]);
	if ((err = field_is("e_type", e->type, ET_CORE)) ||
	    (err = field_is("e_machine", e->machine, EM_PPC64)) ||
	    (err = field_is("e_version", e->version, 1)) ||
	    (err = field_is("e_phoff", e->phoff, EHDR_SIZE)) ||
	    (err = field_is("e_ehsize", e->ehsize, EHDR_SIZE)) ||
	    (err = field_is("e_phentsize", e->phentsize, PHDR_SIZE)))
		return err;
	return e->phnum ? NULL : mperr_input("e_phnum is 0");
}

static void parse_ehdr(const uint8_t *b, struct elfcore_hdr *e)
{
	bool big = b[5] == 2;

	memcpy(e->ident, b, 16);
	e->big = big;
	e->type = big ? ld_be16(b + 16) : ld_le16(b + 16);
	e->machine = big ? ld_be16(b + 18) : ld_le16(b + 18);
	e->version = ld_u32(b + 20, big);
	e->entry = ld_u64(b + 24, big);
	e->phoff = ld_u64(b + 32, big);
	e->shoff = ld_u64(b + 40, big);
	e->flags = ld_u32(b + 48, big);
	e->ehsize = big ? ld_be16(b + 52) : ld_le16(b + 52);
	e->phentsize = big ? ld_be16(b + 54) : ld_le16(b + 54);
	e->phnum = big ? ld_be16(b + 56) : ld_le16(b + 56);
	e->shentsize = big ? ld_be16(b + 58) : ld_le16(b + 58);
	e->shnum = big ? ld_be16(b + 60) : ld_le16(b + 60);
	e->shstrndx = big ? ld_be16(b + 62) : ld_le16(b + 62);
}

static void parse_phdr(const uint8_t *b, bool big, struct elfcore_phdr *p)
{
	p->type = ld_u32(b, big);
	p->flags = ld_u32(b + 4, big);
	p->offset = ld_u64(b + 8, big);
	p->vaddr = ld_u64(b + 16, big);
	p->paddr = ld_u64(b + 24, big);
	p->filesz = ld_u64(b + 32, big);
	p->memsz = ld_u64(b + 40, big);
	p->align = ld_u64(b + 48, big);
}

static struct mperr *read_elfcore(const struct overlay *ovl, struct elfcore_hdr *e, uint64_t gpa)
{
	uint8_t b[EHDR_SIZE], *ph;
	struct mperr *err = read_at(ovl, gpa, b, sizeof(b), "elf core header");
	size_t len;

	if (err)
		return err;
	parse_ehdr(b, e);
	e->gpa = gpa;
	err = check_ehdr(e);
	if (err)
		return mperr_at(mperr_prefix(err, "elf core header at 0x%" PRIx64, gpa), gpa);
	len = (size_t)e->phnum * PHDR_SIZE;
	ph = malloc(len);
	e->ph = calloc(e->phnum, sizeof(*e->ph));
	if (!ph || !e->ph) {
		free(ph);
		return mperr_nomem();
	}
	/* the program headers follow the ELF header, whatever e_phoff says (vmcore.c) */
	err = read_at(ovl, gpa + EHDR_SIZE, ph, len, "elf core program headers");
	for (unsigned i = 0; !err && i < e->phnum; i++)
		parse_phdr(ph + (size_t)i * PHDR_SIZE, e->big, &e->ph[i]);
	free(ph);
	return err;
}

static void init_ehdr(struct elfcore_hdr *e, bool big)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	memset(e, 0, sizeof(*e));
	memcpy(e->ident, ident, sizeof(ident));
	e->ident[5] = big ? 2 : 1;
	e->big = big;
	e->type = ET_CORE;
	e->machine = EM_PPC64;
	e->version = 1;
	e->phoff = EHDR_SIZE;
	e->flags = big ? 1 : 2;		/* ELFv1 ABI for BE, ELFv2 for LE kernels */
	e->ehsize = EHDR_SIZE;
	e->phentsize = PHDR_SIZE;
}

static void add_load(struct elfcore_hdr *e, uint64_t gpa, uint64_t len, uint64_t offset)
{
	e->ph[e->phnum++] = (struct elfcore_phdr){ PT_LOAD, PF_RWX, offset, KERNEL_VA_BASE + gpa, gpa,
					      len, len, 0 };
}

/* Linux 6.9+ fadump_populate_elfcorehdr(): the capture kernel builds the header itself. */
static struct mperr *synth_elfcore(struct kernel_fadump *kf, const struct kf_range *ram,
				   size_t n_ram, uint64_t page_size)
{
	struct elfcore_hdr *e = &kf->eh;
	uint64_t dest = kf->n_rgn ? kf->rgn[0].dest : 0, top = 0, ra_start = dest, ra_end;

	init_ehdr(e, kf->big);
	e->ph = calloc(2 + kf->n_rgn + 2 * n_ram, sizeof(*e->ph));
	if (!e->ph)
		return mperr_nomem();
	e->ph[e->phnum++] = (struct elfcore_phdr){ .type = PT_NOTE };
	e->ph[e->phnum++] = (struct elfcore_phdr){ PT_NOTE, 0, kf->vmcoreinfo_gpa, 0,
					      kf->vmcoreinfo_gpa, kf->vmcoreinfo_size,
					      kf->vmcoreinfo_size, 0 };
	for (unsigned i = 0; i < kf->n_rgn; i++) {
		add_load(e, kf->rgn[i].src, kf->rgn[i].size, dest);
		dest += kf->rgn[i].size;
		if (kf->rgn[i].src + kf->rgn[i].size > top)
			top = kf->rgn[i].src + kf->rgn[i].size;
	}
	/*
	 * The reservation ends with the page(s) holding opal_fadump_mem_struct
	 * (opal_fadump_setup_metadata), so it ends at the kernel tag + PAGE_ALIGN(its size).
	 */
	ra_end = kf->fdm_gpa + ((FDM_SIZE + page_size - 1) & ~(page_size - 1));
	for (size_t i = 0; i < n_ram; i++) {
		uint64_t s = ram[i].gpa, end = ram[i].gpa + ram[i].len;

		if (s < top) {
			if (end <= top)
				continue;
			s = top;
		}
		if (ra_start < end && ra_end > s) {
			if (s < ra_start)
				add_load(e, s, ra_start - s, s);
			if (ra_end < end)
				add_load(e, ra_end, end - ra_end, ra_end);
		} else {
			add_load(e, s, end - s, s);
		}
	}
	return NULL;
}

struct mperr *kf_fallback_elfcore(struct elfcore_hdr *e, bool big, const struct kf_range *ram,
				  size_t n_ram)
{
	init_ehdr(e, big);
	e->ph = calloc(1 + n_ram, sizeof(*e->ph));
	if (!e->ph)
		return mperr_nomem();
	e->ph[e->phnum++] = (struct elfcore_phdr){ .type = PT_NOTE };
	for (size_t i = 0; i < n_ram; i++)
		add_load(e, ram[i].gpa, ram[i].len, ram[i].gpa);
	return NULL;
}

struct mperr *kf_load_elfcore(const struct overlay *ovl, struct kernel_fadump *kf,
			      const struct kf_range *ram, size_t n_ram, uint64_t page_size)
{
	if (kf->magic == KF_FADMPSIG)
		return synth_elfcore(kf, ram, n_ram, page_size);
	return read_elfcore(ovl, &kf->eh, kf->elfcorehdr_gpa);
}

static void cd_invalid(struct kf_cpu_data *cd, const char *why)
{
	cd->valid = false;
	snprintf(cd->why, sizeof(cd->why), "%s", why);
}

/* The records of all threads must lie in RAM before anything reads them. */
static struct mperr *cd_check(const struct overlay *ovl, struct kf_cpu_data *cd, uint64_t pda,
			      const struct warn_sink *w)
{
	uint64_t span = (uint64_t)cd->n_threads * cd->thread_size;
	uint8_t h[THREAD_HDR_SIZE];
	struct mperr *err;

	if (cd->n_threads > MAX_THREADS)
		return mperr_at(mperr_input("processor dump area at 0x%" PRIx64 ": act_size 0x%"
					    PRIx32 " / thread_size 0x%" PRIx32 " = %" PRIu32
					    " threads, more than %u", pda, cd->act_size,
					    cd->thread_size, cd->n_threads, MAX_THREADS), pda);
	err = ram_check_range(ovl->base, cd->dest, span);
	if (!err)
		err = ram_check_range(ovl->base, cd->dest, THREAD_HDR_SIZE);
	if (err)
		return mperr_at(mperr_prefix(err, "thread records at 0x%" PRIx64, cd->dest),
				cd->dest);
	err = read_at(ovl, cd->dest, h, sizeof(h), "first thread header");
	if (err)
		return err;
	/* u32 arithmetic, as Linux does: offsetof(offset) + offset */
	cd->regs_offset = (uint32_t)(THREAD_OFFSET_OFF + ld_be32(h + THREAD_OFFSET_OFF));
	if (!ld_be32(h + THREAD_OFFSET_OFF))
		warnf(w, "first thread header at 0x%" PRIx64 ": offset 0 (the QEMU v2 series, "
		      "mpipl.md §7 B2): Linux reads each register array 16 bytes early, and the "
		      "notes of the other CPUs reproduce that", cd->dest);
	cd->ecnt = ld_be32(h + THREAD_ECNT_OFF);
	cd->esize = ld_be32(h + THREAD_ESIZE_OFF);
	if (cd->ecnt > MAX_REG_ENTRIES)
		return mperr_at(mperr_input("first thread header at 0x%" PRIx64 ": ecnt %" PRIu32
					    ", more than %u register entries", cd->dest, cd->ecnt,
					    MAX_REG_ENTRIES), cd->dest);
	return NULL;
}

struct mperr *kf_cpu_data_load(const struct overlay *ovl, uint64_t pda_gpa,
			       struct kf_cpu_data *cd, const struct warn_sink *w)
{
	uint8_t a[PDA_SIZE];
	struct mperr *err = read_at(ovl, pda_gpa, a, sizeof(a), "processor dump area");
	uint64_t dest_raw;

	memset(cd, 0, sizeof(*cd));
	if (err)
		return err;
	cd->thread_size = ld_be32(a + PDA_THREAD_SIZE_OFF);
	cd->version = a[PDA_VERSION_OFF];
	dest_raw = ld_be64(a + PDA_DEST_ADDR_OFF);
	cd->act_size = ld_be32(a + PDA_ACT_SIZE_OFF);
	cd->dest = dest_raw & ~HRMOR_BIT;
	/* skiboot publishes no CPU tag without these (post_mpipl_arch_regs_data) */
	if (!dest_raw) {
		cd_invalid(cd, "processor dump area dest_addr is 0: skiboot publishes no CPU data");
		return NULL;
	}
	if (!cd->act_size) {
		cd_invalid(cd, "processor dump area act_size is 0: skiboot publishes no CPU data");
		return NULL;
	}
	/* is_opal_fadump_cpu_data_valid() */
	if (!cd->thread_size || cd->thread_size > cd->act_size) {
		snprintf(cd->why, sizeof(cd->why), "thread_size 0x%" PRIx32 " with act_size 0x%"
			 PRIx32 ": Linux ignores the CPU state data", cd->thread_size,
			 cd->act_size);
		return NULL;
	}
	if (cd->version != PDA_VERSION_P9)
		warnf(w, "processor dump area at 0x%" PRIx64 ": CPU data version 0x%x, expected "
		      "0x%x (Linux warns and goes on)", pda_gpa, cd->version, PDA_VERSION_P9);
	cd->n_threads = cd->act_size / cd->thread_size;
	err = cd_check(ovl, cd, pda_gpa, w);
	if (err)
		return mperr_in_table(err, "processor dump area");
	cd->valid = true;
	return NULL;
}

/* opal_fadump_set_regval_regnum() (opal-fadump.h) */
static void set_reg(uint64_t *regs, uint32_t type, uint32_t num, uint64_t val)
{
	static const struct { uint32_t num; unsigned word; } spr[] = {
		{ SPRN_CTR, R_CTR }, { SPRN_LR, R_LINK }, { SPRN_XER, R_XER },
		{ SPRN_DAR, R_DAR }, { SPRN_DSISR, R_DSISR },
		{ REG_NIP, R_NIP }, { REG_MSR, R_MSR }, { REG_CR, R_CCR },
	};

	if (type == REG_GPR) {
		if (num < 32)
			regs[num] = val;
		return;
	}
	for (size_t i = 0; i < sizeof(spr) / sizeof(spr[0]); i++)
		if (spr[i].num == num)
			regs[spr[i].word] = val;
}

/* opal_fadump_read_regs(): entries at the record + regs_offset, stride esize. */
static struct mperr *read_thread_regs(const struct overlay *ovl, const struct kf_cpu_data *cd,
				      uint64_t rec, uint64_t *regs)
{
	uint8_t e[REG_ENTRY_SIZE];

	memset(regs, 0, KF_PT_REGS_WORDS * sizeof(*regs));
	for (uint32_t i = 0; i < cd->ecnt; i++) {
		uint64_t gpa = rec + cd->regs_offset + (uint64_t)i * cd->esize;
		struct mperr *err = read_at(ovl, gpa, e, sizeof(e), "register entry");

		if (err)
			return mperr_in_table(err, "thread record");
		set_reg(regs, ld_be32(e + REG_TYPE_OFF), ld_be32(e + REG_NUM_OFF),
			ld_be64(e + REG_VAL_OFF));
	}
	return NULL;
}

/* append_elf_note(buf, "CORE", NT_PRSTATUS, prstatus) with only pr_pid and pr_reg set. */
static void put_note(struct kf_notes *n, bool big, uint32_t pid, uint32_t pir,
		     const uint64_t *regs)
{
	uint8_t *p = n->buf + n->len;

	memset(p, 0, KF_NOTE_SIZE);
	st_u32(p, 5, big);
	st_u32(p + 4, KF_PRSTATUS_SIZE, big);
	st_u32(p + 8, NT_PRSTATUS, big);
	memcpy(p + 12, "CORE", 4);
	p += 20;
	st_u32(p + KF_PRSTATUS_PID, pid, big);
	for (unsigned i = 0; i < KF_PT_REGS_WORDS; i++)
		st_u64(p + KF_PRSTATUS_REG + 8 * i, regs[i], big);
	n->pir[n->n++] = pir;
	n->len += KF_NOTE_SIZE;
}

static struct mperr *thread_notes(const struct overlay *ovl, const struct kernel_fadump *kf,
				  const struct kf_cpu_data *cd, bool big, bool pids_pir,
				  struct kf_notes *out)
{
	uint64_t regs[KF_PT_REGS_WORDS];
	uint8_t h[THREAD_HDR_SIZE];

	for (uint32_t i = 0; i < cd->n_threads; i++) {
		uint64_t rec = cd->dest + (uint64_t)i * cd->thread_size;
		struct mperr *err = read_at(ovl, rec, h, sizeof(h), "thread header");
		uint32_t pir = ld_be32(h + THREAD_PIR_OFF);

		if (err)
			return mperr_in_entry(err, "thread record", i);
		if (kf && pir == kf->crashing_cpu) {
			put_note(out, big, pids_pir ? pir : 0, pir, kf->regs);
			continue;
		}
		if (h[THREAD_CORE_STATE_OFF] == CORE_STATE_INACTIVE)
			continue;
		err = read_thread_regs(ovl, cd, rec, regs);
		if (err)
			return mperr_in_entry(err, "thread record", i);
		put_note(out, big, pids_pir ? pir : 0, pir, regs);
	}
	return NULL;
}

struct mperr *kf_build_cpu_notes(const struct overlay *ovl, const struct kernel_fadump *kf,
				 const struct kf_cpu_data *cd, bool big, bool pids_pir,
				 struct kf_notes *out, const struct warn_sink *w)
{
	struct mperr *err;

	memset(out, 0, sizeof(*out));
	out->slots = cd->valid ? cd->n_threads : 1;	/* fadump_setup_cpu_notes_buf(num_cpus) */
	out->buf = malloc(out->slots * KF_NOTE_SIZE);
	out->pir = calloc(out->slots, sizeof(*out->pir));
	if (!out->buf || !out->pir) {
		kf_notes_free(out);
		return mperr_nomem();
	}
	if (cd->valid) {
		err = thread_notes(ovl, kf, cd, big, pids_pir, out);
		if (err) {
			kf_notes_free(out);
			return err;
		}
	}
	if (out->n)
		return NULL;
	if (!kf || kf->crashing_cpu == KF_CPU_UNKNOWN) {
		kf_notes_free(out);
		return mperr_input("no CPU notes: %s, and the crashing CPU is %s; Linux builds no "
				   "vmcore", cd->valid ? "every thread record is inactive" : cd->why,
				   kf ? "unknown (crash info header crashing_cpu 0xffffffff)"
				      : "unknown (no crash info header)");
	}
	warnf(w, "no usable thread records (%s): one NT_PRSTATUS note from the crash info "
	      "header's registers (PIR 0x%" PRIx32 "), as Linux does",
	      cd->valid ? "every thread record is inactive" : cd->why, kf->crashing_cpu);
	put_note(out, big, pids_pir ? kf->crashing_cpu : 0, kf->crashing_cpu, kf->regs);
	return NULL;
}

void kf_notes_free(struct kf_notes *n)
{
	free(n->buf);
	free(n->pir);
	memset(n, 0, sizeof(*n));
}
