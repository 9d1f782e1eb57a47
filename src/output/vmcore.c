/*
 * vmcore.c - see vmcore.h. The layout steps follow Linux 6.1
 * fs/proc/vmcore.c: update_note_header_size_elf64(),
 * merge_note_headers_elf64(), process_ptload_program_headers_elf64() and
 * set_vmcore_list_offsets().
 */
#include "output/vmcore.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define DEFAULT_PAGE_SIZE	UINT64_C(0x10000)	/* ppc64 Linux with 64K pages */
#define MAX_NOTE_SEGMENT	(UINT64_C(64) << 20)	/* past this kmalloc() fails in Linux too */
#define NOTE_HDR_SIZE		12u

struct note_seg {
	const uint8_t *data;
	uint64_t len;		/* real size: whole notes before the terminator */
	uint8_t *owned;
};

/* x rounded up to a multiple of p (a power of two); false on overflow */
static bool round_up(uint64_t x, uint64_t p, uint64_t *out)
{
	if (__builtin_add_overflow(x, p - 1, out))
		return false;
	*out &= ~(p - 1);
	return true;
}

/* update_note_header_size_elf64(): walk the notes until n_namesz == 0. */
static uint64_t notes_real_size(const uint8_t *b, uint64_t max, bool big, size_t idx,
				const struct warn_sink *w)
{
	uint64_t real = 0;

	while (max - real >= NOTE_HDR_SIZE) {
		uint32_t namesz = ld_u32(b + real, big), descsz = ld_u32(b + real + 4, big);
		uint64_t sz = NOTE_HDR_SIZE + (((uint64_t)namesz + 3) & ~UINT64_C(3)) +
			      (((uint64_t)descsz + 3) & ~UINT64_C(3));

		if (!namesz)
			break;
		if (sz > max - real) {
			warnf(w, "PT_NOTE %zu: note with n_namesz 0x%" PRIx32 " n_descsz 0x%" PRIx32
			      " exceeds p_memsz 0x%" PRIx64 "; dropped, as Linux does", idx, namesz,
			      descsz, max);
			break;
		}
		real += sz;
	}
	return real;
}

static struct mperr *read_note_seg(const struct overlay *ovl, const struct elfcore_phdr *p,
				   size_t idx, bool big, struct note_seg *s,
				   const struct warn_sink *w)
{
	struct mperr *err;

	if (p->memsz > MAX_NOTE_SEGMENT)
		return mperr_at(mperr_input("elf core header: PT_NOTE %zu at 0x%" PRIx64 ": p_memsz "
					    "0x%" PRIx64 ", more than 0x%" PRIx64, idx, p->offset,
					    p->memsz, MAX_NOTE_SEGMENT), p->offset);
	s->owned = malloc(p->memsz ? p->memsz : 1);
	if (!s->owned)
		return mperr_nomem();
	err = ovl_read(ovl, p->offset, s->owned, p->memsz);
	if (err)
		return mperr_at(mperr_prefix(err, "elf core header: PT_NOTE %zu at 0x%" PRIx64,
					     idx, p->offset), p->offset);
	s->data = s->owned;
	s->len = notes_real_size(s->owned, p->memsz, big, idx, w);
	if (!s->len)
		warnf(w, "PT_NOTE %zu at 0x%" PRIx64 ": no notes there (Linux: \"Zero PT_NOTE "
		      "entries found\")", idx, p->offset);
	return NULL;
}

/* One "KEY=value" of VMCOREINFO text into buf (NUL-terminated); false if absent. */
static bool info_get(const char *text, size_t len, const char *key, char *buf, size_t blen)
{
	size_t vlen;
	const char *v = vmcoreinfo_value(text, len, key, &vlen);

	if (!v)
		return false;
	if (vlen > blen - 1)
		vlen = blen - 1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return true;
}

static void parse_vmcoreinfo(const char *text, size_t len, struct vmcore *v,
			     const struct warn_sink *w)
{
	char buf[32];
	uint64_t ps;

	info_get(text, len, "OSRELEASE", v->osrelease, sizeof(v->osrelease));
	if (!info_get(text, len, "PAGESIZE", buf, sizeof(buf))) {
		warnf(w, "VMCOREINFO has no PAGESIZE: assuming 0x%" PRIx64, DEFAULT_PAGE_SIZE);
		return;
	}
	ps = strtoull(buf, NULL, 10);
	if (ps < 4096 || ps > (UINT64_C(1) << 24) || (ps & (ps - 1))) {
		warnf(w, "VMCOREINFO PAGESIZE=%s is not a page size: assuming 0x%" PRIx64, buf,
		      DEFAULT_PAGE_SIZE);
		return;
	}
	v->page_size = ps;
}

/* Find the VMCOREINFO note among whole notes; true if found. */
static bool scan_vmcoreinfo(const uint8_t *b, uint64_t len, bool big, struct vmcore *v,
			    const struct warn_sink *w)
{
	for (uint64_t o = 0; len - o >= NOTE_HDR_SIZE;) {
		uint32_t namesz = ld_u32(b + o, big), descsz = ld_u32(b + o + 4, big);
		uint64_t name_len = ((uint64_t)namesz + 3) & ~UINT64_C(3);
		uint64_t desc_len = ((uint64_t)descsz + 3) & ~UINT64_C(3);

		if (!namesz || NOTE_HDR_SIZE + name_len + desc_len > len - o)
			return false;
		if (namesz == 11 && !memcmp(b + o + NOTE_HDR_SIZE, "VMCOREINFO", 11)) {
			parse_vmcoreinfo((const char *)b + o + NOTE_HDR_SIZE + name_len, descsz, v, w);
			return true;
		}
		o += NOTE_HDR_SIZE + name_len + desc_len;
	}
	return false;
}

/* The 6.9+ layout builds its header with the page size: read VMCOREINFO first. */
static struct mperr *sig_vmcoreinfo(const struct overlay *ovl, const struct kernel_fadump *kf,
				    struct vmcore *v, const struct warn_sink *w)
{
	struct elfcore_phdr p = { .type = PT_NOTE, .offset = kf->vmcoreinfo_gpa,
				  .memsz = kf->vmcoreinfo_size };
	struct note_seg s = { 0 };
	struct mperr *err = read_note_seg(ovl, &p, 1, kf->big, &s, w);

	if (!err && !scan_vmcoreinfo(s.data, s.len, kf->big, v, w))
		warnf(w, "no VMCOREINFO note at 0x%" PRIx64 ": PAGESIZE 0x%" PRIx64 " assumed",
		      kf->vmcoreinfo_gpa, v->page_size);
	free(s.owned);
	return err;
}

/* Whole-file facts: e_phnum drops by nr_ptnote - 1 and the merged PT_NOTE comes first. */
static struct mperr *merge_notes(const struct overlay *ovl, const struct elfcore_hdr *eh,
				 struct vmcore *v, struct note_seg *seg, size_t *nr, uint64_t *total,
				 const struct warn_sink *w)
{
	struct mperr *err;

	*nr = 0;
	*total = 0;
	if (eh->ph[0].type != PT_NOTE)
		warnf(w, "elf core header: program header 0 is not PT_NOTE, so Linux puts the CPU "
		      "notes nowhere; the vmcore has none");
	for (size_t i = 0; i < eh->phnum; i++) {
		if (eh->ph[i].type != PT_NOTE)
			continue;
		if (i == 0) {
			/* fadump_update_elfcore_header(): the first PT_NOTE is the CPU notes */
			seg[i].data = v->cpu.buf;
			seg[i].len = v->cpu.len;
		} else {
			err = read_note_seg(ovl, &eh->ph[i], i, eh->big, &seg[i], w);
			if (err)
				return err;
		}
		(*nr)++;
		*total += seg[i].len;	/* at most 0xffff * 64 MiB: no overflow */
	}
	if (!*nr)
		return mperr_input("elf core header at 0x%" PRIx64 ": no PT_NOTE program header",
				   eh->gpa);
	v->notes = malloc(*total ? *total : 1);
	if (!v->notes)
		return mperr_nomem();
	for (size_t i = 0, o = 0; i < eh->phnum; o += seg[i].len, i++)
		if (seg[i].len)
			memcpy(v->notes + o, seg[i].data, seg[i].len);
	return NULL;
}

static bool after_6_5(const char *rel)
{
	unsigned maj = 0, min = 0;

	if (sscanf(rel, "%u.%u", &maj, &min) != 2)
		return false;
	return maj > 6 || (maj == 6 && min >= 5);
}

/* merge_note_headers_elf64(): the program headers after the merge. */
static struct mperr *merged_phdrs(const struct elfcore_hdr *eh, size_t nr, uint64_t total,
				  struct vmcore *v, const struct warn_sink *w)
{
	size_t n = eh->phnum - nr + 1;
	struct elfcore_phdr *ph;
	uint64_t note_off;

	if (n >= 0xffff)	/* PN_XNUM: would need a section header; no kernel writes that many */
		return mperr_input("elf core header at 0x%" PRIx64 ": %zu program headers after the "
				   "merge, more than an ELF header can count", eh->gpa, n);
	ph = calloc(n, sizeof(*ph));
	if (!ph)
		return mperr_nomem();
	round_up(ELFCORE_EHDR_SIZE + (uint64_t)n * ELFCORE_PHDR_SIZE, v->page_size, &note_off);
	ph[0] = (struct elfcore_phdr){ PT_NOTE, 0, note_off, 0, 0, total, total,
				       after_6_5(v->osrelease) ? 4 : 0 };
	/* Linux drops the headers right after the first, assuming the PT_NOTEs lead */
	for (size_t j = 1; j < nr; j++)
		if (eh->ph[j].type != PT_NOTE)
			warnf(w, "elf core header: program header %zu (type %" PRIu32 ") sits among "
			      "the PT_NOTEs; Linux drops it, so does this vmcore", j,
			      eh->ph[j].type);
	for (size_t j = 1; j < n; j++) {
		ph[j] = eh->ph[nr - 1 + j];
		if (ph[j].type == PT_NOTE)
			warnf(w, "elf core header: PT_NOTE %zu after other headers; Linux keeps it "
			      "unmerged, so does this vmcore", nr - 1 + j);
	}
	v->img.eh = *eh;
	v->img.eh.phnum = (uint16_t)n;
	v->img.eh.ph = ph;
	return NULL;
}

/* process_ptload_program_headers_elf64() + set_vmcore_list_offsets() */
static struct mperr *place_loads(const struct overlay *ovl, struct vmcore *v, uint64_t off)
{
	struct elfcore_hdr *eh = &v->img.eh;
	uint64_t mask = v->page_size - 1, data = 0;

	v->img.load = calloc(eh->phnum, sizeof(*v->img.load));
	if (!v->img.load)
		return mperr_nomem();
	for (size_t i = 0; i < eh->phnum; i++) {
		struct elfcore_phdr *p = &eh->ph[i];
		uint64_t start = p->offset & ~mask, end, size;
		struct mperr *err;

		if (p->type != PT_LOAD)
			continue;
		if (__builtin_add_overflow(p->offset, p->memsz, &end) || !round_up(end, v->page_size,
										    &end))
			return mperr_input("elf core header: PT_LOAD %zu: p_offset 0x%" PRIx64
					   " + p_memsz 0x%" PRIx64 " overflows", i, p->offset,
					   p->memsz);
		size = end - start;
		err = ram_check_range(ovl->base, start, size);
		if (err)
			return mperr_at(mperr_prefix(err, "elf core header: PT_LOAD %zu (paddr 0x%"
						     PRIx64 ")", i, p->paddr), start);
		/*
		 * Linux would serve overlapping segments as often as they are listed; a header
		 * listing guest RAM more than twice over is hostile, not a kernel's.
		 */
		data += size;
		if (data / 2 > ovl->base->size)
			return mperr_input("elf core header: PT_LOAD %zu: the segments add up to more "
					   "than twice the guest RAM (0x%" PRIx64 " bytes)", i,
					   ovl->base->size);
		v->img.load[v->img.n_load++] = (struct elfout_load){ start, size, off };
		p->offset = off + (p->offset - start);
		if (__builtin_add_overflow(off, size, &off))
			return mperr_input("vmcore size overflows at PT_LOAD %zu", i);
	}
	v->img.size = off;
	return NULL;
}

static struct mperr *layout(const struct overlay *ovl, const struct elfcore_hdr *eh,
			    struct vmcore *v, const struct warn_sink *w)
{
	struct note_seg *seg = calloc(eh->phnum, sizeof(*seg));
	uint64_t total = 0, elfsz, notes_sz;
	struct mperr *err;
	size_t nr = 0;

	if (!seg)
		return mperr_nomem();
	err = merge_notes(ovl, eh, v, seg, &nr, &total, w);
	for (size_t i = 1; !err && i < eh->phnum && !v->osrelease[0]; i++)
		if (seg[i].len)
			scan_vmcoreinfo(seg[i].data, seg[i].len, eh->big, v, w);
	for (size_t i = 0; i < eh->phnum; i++)
		free(seg[i].owned);
	free(seg);
	if (!err)
		err = merged_phdrs(eh, nr, total, v, w);
	if (err)
		return err;
	elfsz = v->img.eh.ph[0].offset;
	round_up(total, v->page_size, &notes_sz);
	v->img.notes = v->notes;
	v->img.notes_len = total;
	v->img.notes_foff = elfsz;
	return place_loads(ovl, v, elfsz + notes_sz);
}

/* MPIPL metadata -> ... -> ELF core header; an error means "use the fallback". */
static struct mperr *kernel_header(const struct overlay *ovl, const struct vmcore_options *o,
				   struct kernel_fadump *kf, struct vmcore *v, bool *kf_ok,
				   const struct warn_sink *w)
{
	struct mperr *err = kf_load(ovl, o->kernel_tag, kf, w);

	*kf_ok = !err;
	if (!err && kf->magic == KF_FADMPSIG)
		err = sig_vmcoreinfo(ovl, kf, v, w);
	if (!err)
		err = kf_load_elfcore(ovl, kf, o->ram, o->n_ram, v->page_size);
	return err;
}

static void warn_fallback(struct mperr *why, const struct warn_sink *w)
{
	char buf[512];

	mperr_format(why, buf, sizeof(buf));
	warnf(w, "no usable kernel ELF core header (%s): the vmcore gets one PT_LOAD per RAM "
	      "range and the thread records' notes, which is not what Linux would produce", buf);
	mperr_free(why);
}

struct mperr *vmcore_plan(const struct overlay *ovl, const struct vmcore_options *o,
			  struct vmcore *v, const struct warn_sink *w)
{
	struct kernel_fadump kf;
	struct elfcore_hdr fb = { 0 };
	const struct elfcore_hdr *eh = &kf.eh;
	struct mperr *err, *why;
	bool kf_ok;

	memset(v, 0, sizeof(*v));
	v->page_size = DEFAULT_PAGE_SIZE;
	v->crashing_cpu = KF_CPU_UNKNOWN;
	err = kf_cpu_data_load(ovl, o->pda_gpa, &v->cpu_data, w);
	if (err)
		return err;
	why = kernel_header(ovl, o, &kf, v, &kf_ok, w);
	if (kf_ok) {
		v->magic = kf.magic;
		v->crashing_cpu = kf.crashing_cpu;
		memcpy(v->crash_regs, kf.regs, sizeof(kf.regs));
	}
	if (why) {
		v->fallback = true;
		warn_fallback(why, w);
		err = kf_fallback_elfcore(&fb, kf_ok && kf.big, o->ram, o->n_ram);
		eh = &fb;
	}
	if (!err)
		err = kf_build_cpu_notes(ovl, kf_ok ? &kf : NULL, &v->cpu_data, eh->big,
					 o->pids_pir, &v->cpu, w);
	if (!err)
		err = layout(ovl, eh, v, w);
	kf_free(&kf);
	free(fb.ph);
	if (err)
		vmcore_free(v);
	return err;
}

void vmcore_free(struct vmcore *v)
{
	kf_notes_free(&v->cpu);
	free(v->notes);
	free(v->img.eh.ph);
	free(v->img.load);
	memset(v, 0, sizeof(*v));
}
