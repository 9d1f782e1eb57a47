/* firmware.c - see firmware.h */
#include "output/firmware.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/input_file.h"
#include "core/fileio.h"

#define STB_CONTAINER_MAGIC	0x17082011u	/* skiboot libstb/container.h ROM_MAGIC_NUMBER */

/* Unrelocated offset of a resolved ntuple address (gpa = base + offset). */
static bool image_off(const struct fw_image *fw, uint64_t gpa, uint64_t len, uint64_t *off)
{
	uint64_t end;

	if (gpa < fw->base)
		return false;
	*off = gpa - fw->base;
	return !__builtin_add_overflow(*off, len, &end) && end <= fw->len;
}

static struct mperr *find_spirah(struct fw_image *fw)
{
	size_t o;

	if (fw->len >= 4 && ld_be32(fw->buf) == STB_CONTAINER_MAGIC)
		return mperr_at(mperr_input("starts with a secure-boot container header "
					    "(magic 0x%x); give the bare image QEMU loads at 0 "
					    "(skiboot.lid, not skiboot.lid.stb)",
					    STB_CONTAINER_MAGIC),
				0);
	if (fw->len < SPIRAH_SEARCH_OFF + SPIRAH_SIZE)
		return mperr_input("0x%zx bytes, too small for a skiboot image (SPIRA-H is "
				   "searched from offset 0x%" PRIx64 ")",
				   fw->len, SPIRAH_SEARCH_OFF);
	if (!spirah_search(fw->buf + SPIRAH_SEARCH_OFF, fw->len - SPIRAH_SEARCH_OFF, &o,
			   &fw->legacy_spira))
		return mperr_in_table(mperr_at(mperr_input("no SPIRA-H (HDIF 0xd1f0 \"SPIRAH\") "
							   "in 0x%" PRIx64 "..0x%" PRIx64
							   "; not a skiboot image?",
							   SPIRAH_SEARCH_OFF,
							   SPIRAH_SEARCH_OFF + SPIRAH_SEARCH_LEN),
					       SPIRAH_SEARCH_OFF),
				      "SPIRA-H");
	fw->spirah_off = SPIRAH_SEARCH_OFF + o;
	if (fw->spirah_off + SPIRAH_SIZE > fw->len)
		return mperr_in_table(mperr_at(mperr_input("0x%x bytes at 0x%" PRIx64 " run past "
							   "the end of the image (0x%zx)",
							   SPIRAH_SIZE, fw->spirah_off, fw->len),
					       fw->spirah_off),
				      "SPIRA-H");
	return NULL;
}

static struct mperr *parse_image(struct fw_image *fw)
{
	const struct ntuple *n;
	struct mperr *err;

	if (fw->len > FW_MAX_SIZE)
		return mperr_input("0x%zx bytes, more than skiboot's image area (0x%x); not a "
				   "skiboot image", fw->len, FW_MAX_SIZE);
	err = find_spirah(fw);
	if (!err)
		err = mperr_in_table(spirah_parse(fw->buf + fw->spirah_off, fw->spirah_off,
						  fw->base, &fw->sp),
				     "SPIRA-H");
	if (err)
		return err;
	n = &fw->sp.nt[NT_PROC_DUMP];
	if (!image_off(fw, n->gpa, PDA_SIZE, &fw->pda_off))
		return mperr_in_entry(mperr_at(mperr_input("processor dump area at offset 0x%"
							   PRIx64 " (stored 0x%" PRIx64 ") is not "
							   "inside the image (0x%zx bytes)",
							   n->gpa - fw->base, n->raw, fw->len),
					       fw->spirah_off + spirah_ntuple_off(NT_PROC_DUMP)),
				      "SPIRA-H", NT_PROC_DUMP);
	return NULL;
}

struct mperr *fw_from_bytes(struct fw_image *fw, const char *name, const uint8_t *bytes,
			    size_t len, uint64_t base)
{
	memset(fw, 0, sizeof(*fw));
	fw->name = name;
	fw->base = base;
	fw->len = len;
	if (len > FW_MAX_SIZE)
		return mperr_in_file(parse_image(fw), name);	/* refuses before copying */
	fw->buf = malloc(len ? len : 1);
	if (!fw->buf)
		return mperr_nomem();
	if (len)
		memcpy(fw->buf, bytes, len);
	return mperr_in_file(parse_image(fw), name);
}

struct mperr *fw_read(struct fw_image *fw, const char *path, uint64_t base)
{
	struct input in;
	struct mperr *err = input_open(&in, path);

	if (err) {
		memset(fw, 0, sizeof(*fw));
		return err;
	}
	err = fw_from_bytes(fw, path, in.map, in.len, base);
	input_close(&in);
	return err;
}

void fw_free(struct fw_image *fw)
{
	free(fw->buf);
	fw->buf = NULL;
}

/* The image must be the firmware that built the snapshot's tables. */
static struct mperr *check_same_firmware(const struct fw_image *fw, const struct mpipl_tables *t)
{
	if (!t->spirah_gpa)
		return mperr_input("the snapshot has no SPIRA-H (tables given on the command "
				   "line): nothing to check the firmware image against");
	if (fw->spirah_off != t->spirah_gpa - t->base)
		return mperr_in_table(mperr_at(mperr_input("at 0x%" PRIx64 " in the image, at "
							   "base + 0x%" PRIx64 " in the snapshot: "
							   "not the firmware that made the snapshot",
							   fw->spirah_off,
							   t->spirah_gpa - t->base),
					       fw->spirah_off),
				      "SPIRA-H");
	for (unsigned i = 0; i < SPIRAH_NR_NTUPLES; i++) {
		if (fw->sp.nt[i].raw == t->nt[i].raw)
			continue;
		return mperr_in_entry(mperr_at(mperr_input("%s address 0x%" PRIx64 " in the "
							   "image, 0x%" PRIx64 " in the snapshot: "
							   "not the firmware that made the snapshot",
							   spirah_ntuple_name(i), fw->sp.nt[i].raw,
							   t->nt[i].raw),
					       fw->spirah_off + spirah_ntuple_off(i)),
				      "SPIRA-H", i);
	}
	return NULL;
}

/* Copy len bytes of the view at gpa into the image at off. */
static struct mperr *patch(struct fw_image *fw, const struct overlay *ovl, uint64_t off,
			   uint64_t gpa, uint32_t len, const char *what)
{
	struct mperr *err;
	uint64_t end;

	if (__builtin_add_overflow(off, len, &end) || end > fw->len)
		return mperr_at(mperr_input("%s at 0x%" PRIx64 " (0x%" PRIx32 " bytes) is not "
					    "inside the image (0x%zx bytes)", what, off, len,
					    fw->len),
				off);
	err = ovl_read(ovl, gpa, fw->buf + off, len);
	if (err)
		return err;
	assert(fw->n_patch < FW_MAX_PATCHES);
	fw->patch[fw->n_patch++] = (struct fw_patch){ off, len, what };
	return NULL;
}

/* hostboot writes four fields of the area (mpipl.md §11); the rest stays as built */
static struct mperr *patch_pda_fields(struct fw_image *fw, const struct mpipl_tables *t,
				      const struct overlay *ovl)
{
	static const struct {
		uint32_t off, len;
		const char *what;
	} f[] = {
		{ PDA_THREAD_SIZE_OFF, 4, "processor dump area thread_size" },
		{ PDA_VERSION_OFF, 1, "processor dump area version" },
		{ PDA_DEST_ADDR_OFF, 8, "processor dump area dest_addr" },
		{ PDA_ACT_SIZE_OFF, 4, "processor dump area act_size" },
	};
	struct mperr *err = NULL;

	for (size_t i = 0; !err && i < sizeof(f) / sizeof(f[0]); i++)
		err = patch(fw, ovl, fw->pda_off + f[i].off, t->pda.gpa + f[i].off, f[i].len,
			    f[i].what);
	return err;
}

/* What the reloaded skiboot copies over (its image at base) must not hold results. */
static void warn_overwritten(const struct fw_image *fw, const struct sim_plan *p,
			     const struct warn_sink *w)
{
	uint64_t lo = fw->base, hi = fw->base + fw->len;
	uint64_t thr = (uint64_t)p->thread_size * p->n_threads;
	uint64_t mdrt = (uint64_t)p->n_mdrt * MDRT_ENTRY_SIZE;

	if (mdrt && p->mdrt_gpa < hi && p->mdrt_gpa + mdrt > lo)
		warnf(w, "%s: the MDRT at 0x%" PRIx64 " lies in 0x%" PRIx64 "..0x%" PRIx64
		      ", which the reloaded skiboot overwrites with its image", fw->name,
		      p->mdrt_gpa, lo, hi);
	if (p->write_cpu && thr && p->pda.alloc_gpa < hi && p->pda.alloc_gpa + thr > lo)
		warnf(w, "%s: the thread records at 0x%" PRIx64 " lie in 0x%" PRIx64 "..0x%"
		      PRIx64 ", which the reloaded skiboot overwrites with its image", fw->name,
		      p->pda.alloc_gpa, lo, hi);
	for (unsigned i = 0; i < p->n_pieces; i++)
		if (p->piece[i].dst < hi && p->piece[i].dst + p->piece[i].len > lo) {
			warnf(w, "%s: a preserved copy at 0x%" PRIx64 " lies in 0x%" PRIx64
			      "..0x%" PRIx64 ", which the reloaded skiboot overwrites with its "
			      "image", fw->name, p->piece[i].dst, lo, hi);
			break;
		}
}

struct mperr *fw_patch_from(struct fw_image *fw, const struct mpipl_tables *t,
			    const struct sim_plan *p, const struct overlay *ovl,
			    const struct warn_sink *w)
{
	struct mperr *err = check_same_firmware(fw, t);

	if (!err && p->write_cpu && p->pda_write_gpa == t->pda.gpa)
		err = mperr_in_table(patch_pda_fields(fw, t, ovl), "processor dump area");
	else if (!err && p->write_cpu)
		/* QEMU v2 writes the whole area at an absolute, unrelocated address (§7 item 12) */
		err = mperr_in_table(patch(fw, ovl, p->pda_write_gpa, p->pda_write_gpa, PDA_SIZE,
					   "processor dump area"),
				     "processor dump area");
	if (!err && p->write_mdrt_count)
		err = mperr_in_table(patch(fw, ovl, fw->spirah_off + SPIRAH_MDRT_ACT_CNT_OFF,
					   t->spirah_gpa + SPIRAH_MDRT_ACT_CNT_OFF, 2,
					   "SPIRA-H MDRT act_cnt"),
				     "SPIRA-H");
	if (err)
		return mperr_in_file(err, fw->name);
	warn_overwritten(fw, p, w);
	return NULL;
}

struct mperr *fw_write(const struct fw_image *fw, int fd)
{
	return pwrite_all(fd, fw->buf, fw->len, 0);
}
