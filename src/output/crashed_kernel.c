/* crashed_kernel.c - see crashed_kernel.h */
#include "output/crashed_kernel.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/overlay.h"

#define PT_NOTE_	4u
#define R_NIP		32	/* pt_regs words (arch/powerpc/include/asm/ptrace.h) */
#define R_LINK		36

/* err's text into buf, err freed; false if it was out of memory (the caller returns it) */
static bool why(struct mperr *err, char *buf, size_t len)
{
	if (err == mperr_nomem())
		return false;
	mperr_format(err, buf, len);
	mperr_free(err);
	return true;
}

/* True if a RAM block of the snapshot holds gpa (a vmcore leaves fadump's reservation out). */
static bool in_snapshot(const struct snapshot *snap, uint64_t gpa)
{
	for (size_t i = 0; i < snap->n_blocks; i++)
		if (snap->blocks[i].is_ram && gpa >= snap->blocks[i].gpa &&
		    gpa - snap->blocks[i].gpa < snap->blocks[i].len)
			return true;
	return !snap->n_blocks;
}

static void load_fadump(struct crashed_kernel *k, const struct snapshot *snap,
			const struct overlay *ovl, const struct mpipl_tables *t,
			struct kernel_fadump *kf, bool *kf_ok)
{
	struct mperr *err;

	*kf_ok = false;
	k->crashing_cpu = KF_CPU_UNKNOWN;
	if (!t) {
		k->fadump = CK_NO_TABLES;
		snprintf(k->fadump_why, sizeof(k->fadump_why), "no MPIPL tables in the snapshot");
		return;
	}
	k->kernel_tag = t->meta.kernel_tag;
	if (!k->kernel_tag) {
		k->fadump = CK_NO_TAG;
		snprintf(k->fadump_why, sizeof(k->fadump_why), "MPIPL metadata at 0x%" PRIx64
			 ": kernel tag is 0, the kernel never registered fadump metadata",
			 t->meta.gpa);
		return;
	}
	if (!in_snapshot(snap, k->kernel_tag)) {
		k->fadump = CK_UNREADABLE;
		snprintf(k->fadump_why, sizeof(k->fadump_why), "kernel tag 0x%" PRIx64 ": no memory "
			 "of the snapshot there (a vmcore leaves fadump's reservation out)",
			 k->kernel_tag);
		return;
	}
	err = kf_load(ovl, k->kernel_tag, kf, NULL);
	k->fdm_gpa = kf->fdm_gpa;
	k->fdh_gpa = kf->fdh_gpa;
	k->region_cnt = kf->region_cnt;
	k->registered_regions = kf->registered_regions;
	if (err) {
		k->fadump = kf->fdm_gpa && !kf->registered_regions ? CK_NOT_REGISTERED
								    : CK_UNREADABLE;
		why(err, k->fadump_why, sizeof(k->fadump_why));
		return;
	}
	*kf_ok = true;
	k->fadump = CK_REGISTERED;
	k->magic = kf->magic;
	k->hdr_version = kf->hdr_version;
	k->crashing_cpu = kf->crashing_cpu;
	k->crash_nip = kf->regs[R_NIP];
	k->crash_lr = kf->regs[R_LINK];
	k->crash_recorded = kf->crashing_cpu != KF_CPU_UNKNOWN;
}

/*
 * The crash info header points at the preserved copy of the note
 * (fadump_relocate()); before the MPIPL that copy does not exist yet, and
 * after it both hold the same bytes: read the source.
 */
static uint64_t unrelocate(const struct kernel_fadump *kf, uint64_t gpa)
{
	for (unsigned i = 0; i < kf->n_rgn; i++) {
		const struct kf_region *r = &kf->rgn[i];

		if (gpa >= r->dest && gpa - r->dest < r->size)
			return r->src + (gpa - r->dest);
	}
	return gpa;
}

/* Where the crash info header says VMCOREINFO lies: directly (FADMPSIG), or the ELF core
 * header's second PT_NOTE (FADMPINF, fadump_create_elfcore_headers()). */
static struct mperr *note_pointer(const struct overlay *ovl, struct kernel_fadump *kf,
				  uint64_t *gpa, uint64_t *len)
{
	struct mperr *err;

	if (kf->magic == KF_FADMPSIG) {
		*gpa = kf->vmcoreinfo_gpa;
		*len = kf->vmcoreinfo_size;
		return NULL;
	}
	err = kf_load_elfcore(ovl, kf, NULL, 0, 0);
	if (err)
		return err;
	for (unsigned i = 1; i < kf->eh.phnum; i++)
		if (kf->eh.ph[i].type == PT_NOTE_) {
			*gpa = kf->eh.ph[i].offset;
			*len = kf->eh.ph[i].memsz;
			return NULL;
		}
	return mperr_input("elf core header at 0x%" PRIx64 ": no PT_NOTE after the CPU notes",
			   kf->elfcorehdr_gpa);
}

static struct mperr *find_vmcoreinfo(struct crashed_kernel *k, const struct snapshot *snap,
				     const struct overlay *ovl, struct kernel_fadump *kf,
				     bool kf_ok)
{
	char tried[256] = "";
	struct mperr *err;
	uint64_t gpa = 0, len = 0;
	bool found = false;

	if (snap->format == SNAP_ELF) {
		err = vmci_from_elf(snap->in.map, snap->in.len, &k->vi, &found);
		if (found && !err) {
			k->have_vi = true;
			return NULL;
		}
		if (err && !why(err, tried, sizeof(tried)))
			return mperr_nomem();
		vmci_free(&k->vi);
	}
	if (kf_ok) {
		err = note_pointer(ovl, kf, &gpa, &len);
		if (!err) {
			k->vi_pointer = gpa;
			err = vmci_read_note(&snap->ram, unrelocate(kf, gpa), len, &k->vi);
		}
		if (!err) {
			k->have_vi = true;
			return NULL;
		}
		if (!why(err, tried, sizeof(tried)))
			return mperr_nomem();
	}
	err = vmci_scan(&snap->ram, &k->vi);
	if (!err) {
		k->have_vi = true;
		return NULL;
	}
	if (!why(err, k->vi_why, sizeof(k->vi_why)))
		return mperr_nomem();
	if (tried[0]) {
		size_t n = strlen(k->vi_why);

		snprintf(k->vi_why + n, sizeof(k->vi_why) - n, "; before that: %s", tried);
	}
	return NULL;
}

struct mperr *ck_load(struct crashed_kernel *k, const struct snapshot *snap,
		      const struct mpipl_tables *t)
{
	struct kernel_fadump kf;
	struct overlay ovl;
	struct mperr *err;
	bool kf_ok;

	memset(k, 0, sizeof(*k));
	memset(&kf, 0, sizeof(kf));
	err = ovl_init(&ovl, &snap->ram);	/* the crash moment, as the kernel left it */
	if (err)
		return err;
	load_fadump(k, snap, &ovl, t, &kf, &kf_ok);
	err = find_vmcoreinfo(k, snap, &ovl, &kf, kf_ok);
	kf_free(&kf);
	ovl_free(&ovl);
	if (err || !k->have_vi)
		return err;
	err = printk_load(&snap->ram, &k->vi, &k->log);
	if (!err) {
		k->have_log = true;
		return NULL;
	}
	return why(err, k->log_why, sizeof(k->log_why)) ? NULL : mperr_nomem();
}

void ck_free(struct crashed_kernel *k)
{
	vmci_free(&k->vi);
	if (k->have_log)
		printk_free(&k->log);
	k->have_vi = k->have_log = false;
}
