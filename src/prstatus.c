/* prstatus.c - see prstatus.h */
#include "prstatus.h"

#include <elf.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#define NOTE_HDR_SIZE 12u

/* pr_reg slots (snapshot-formats.md §6.4, QEMU target/ppc/arch_dump.c) */
enum { REG_NIP = 32, REG_MSR = 33, REG_CTR = 35, REG_LR = 36, REG_XER = 37, REG_CCR = 38 };

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* "CORE" with its NUL (namesz 5, as QEMU and Linux write it) or without */
static bool note_name_is(const uint8_t *name, uint32_t namesz, const char *want)
{
	size_t n = strlen(want);

	if (namesz == n + 1 && name[n] != 0)
		return false;
	return (namesz == n || namesz == n + 1) && !memcmp(name, want, n);
}

/*
 * One NT_PRSTATUS desc: a new vCPU. QEMU fills GPRs, NIP, MSR, CTR, LR, XER
 * and CCR; it memsets DAR, DSISR, trap, softe and the rest to zero
 * (arch_dump.c ppc_write_elf_prstatus), so those are not marked carried.
 */
static struct mperr *prstatus_one(const uint8_t *desc, uint32_t descsz, bool big,
				  struct cpu_set *cpus)
{
	const uint8_t *reg = desc + PRSTATUS_REG_OFF;
	struct cpu_regs *r;

	if (descsz != PRSTATUS_DESC_SIZE)
		return mperr_input("NT_PRSTATUS desc is %" PRIu32 " bytes, expected %u (ppc64)",
				   descsz, PRSTATUS_DESC_SIZE);
	if (cpus->n >= PRSTATUS_MAX_CPUS)
		return mperr_input("more than %u NT_PRSTATUS notes", PRSTATUS_MAX_CPUS);
	r = cpu_set_add(cpus);
	if (!r)
		return mperr_nomem();
	for (unsigned i = 0; i < 32; i++)
		r->gpr[i] = ld_u64(reg + 8 * i, big);
	r->nip = ld_u64(reg + 8 * REG_NIP, big);
	r->msr = ld_u64(reg + 8 * REG_MSR, big);
	r->cr = ld_u64(reg + 8 * REG_CCR, big) & 0xffffffffu;
	cpu_set_spr(r, SPRN_CTR, ld_u64(reg + 8 * REG_CTR, big));
	cpu_set_spr(r, SPRN_LR, ld_u64(reg + 8 * REG_LR, big));
	cpu_set_spr(r, SPRN_XER, ld_u64(reg + 8 * REG_XER, big));
	r->have = CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR;
	return NULL;
}

/* Register sets QEMU writes besides NT_PRSTATUS: counted, sizes checked, not parsed. */
static void note_acknowledge(uint32_t type, uint32_t descsz, size_t idx,
			     struct prstatus_counts *cnt, const struct warn_sink *w)
{
	static const struct {
		uint32_t type;
		uint32_t size;
		const char *name;
	} known[] = {
		{ NT_PRFPREG, 264, "NT_PRFPREG" }, { NT_PPC_VMX, 544, "NT_PPC_VMX" },
		{ NT_PPC_VSX, 256, "NT_PPC_VSX" }, { NT_PPC_SPE, 140, "NT_PPC_SPE" },
	};
	size_t *counter[] = { &cnt->fpreg, &cnt->vmx, &cnt->vsx, &cnt->spe };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].type != type)
			continue;
		(*counter[i])++;
		if (descsz != known[i].size)
			warnf(w, "note %zu: %s desc is %" PRIu32 " bytes, expected %" PRIu32, idx,
			      known[i].name, descsz, known[i].size);
		return;
	}
	cnt->other++;
}

/* One note at p (left bytes to the end of the notes); *used = its padded size. */
static struct mperr *note_one(const uint8_t *p, size_t left, size_t idx, bool big,
			      struct cpu_set *cpus, struct prstatus_counts *cnt,
			      const struct warn_sink *w, size_t *used)
{
	uint32_t namesz, descsz, type;
	uint64_t name_end, desc_end;

	if (left < NOTE_HDR_SIZE)
		return mperr_input("note header truncated: 0x%zx bytes left, %u needed", left,
				   NOTE_HDR_SIZE);
	namesz = ld_u32(p, big);
	descsz = ld_u32(p + 4, big);
	type = ld_u32(p + 8, big);
	name_end = NOTE_HDR_SIZE + align4(namesz);	/* no overflow: namesz < 2^32 */
	desc_end = name_end + descsz;
	if (desc_end > left)
		return mperr_input("note type 0x%" PRIx32 " (name %" PRIu32 " bytes, desc %" PRIu32
				   " bytes) extends past the end of the notes (0x%zx bytes left)",
				   type, namesz, descsz, left);
	*used = align4(desc_end) < left ? align4(desc_end) : left;
	cnt->notes++;
	if (!note_name_is(p + NOTE_HDR_SIZE, namesz, "CORE") &&
	    !note_name_is(p + NOTE_HDR_SIZE, namesz, "LINUX")) {
		cnt->other++;
		return NULL;
	}
	if (type == NT_PRSTATUS) {
		cnt->prstatus++;
		return prstatus_one(p + name_end, descsz, big, cpus);
	}
	note_acknowledge(type, descsz, idx, cnt, w);
	return NULL;
}

struct mperr *prstatus_parse_notes(const uint8_t *buf, size_t len, uint64_t foff, bool big,
				   struct cpu_set *cpus, struct prstatus_counts *cnt,
				   const struct warn_sink *w)
{
	size_t pos = 0;

	memset(cnt, 0, sizeof(*cnt));
	for (size_t idx = 0; pos < len; idx++) {
		struct mperr *err;
		size_t used = 0;

		if (len - pos < NOTE_HDR_SIZE && mem_is_zero(buf + pos, len - pos))
			break;	/* zero padding after the last note */
		err = note_one(buf + pos, len - pos, idx, big, cpus, cnt, w, &used);
		if (err)
			return mperr_at(mperr_in_entry(err, "note", (long)idx), foff + pos);
		pos += used;
	}
	return NULL;
}

/* ---- PIRs from a flattened device tree in guest RAM ---- */

#define FDT_QEMU_GPA 0x01000000ull	/* where QEMU's powernv writes its tree (hw/ppc/pnv.c) */
#define FDT_MAX_BLOB (16u << 20)
#define FDT_MAX_CANDIDATES 64u
#define FDT_HDR_SIZE 40u

struct pir_list {
	uint32_t *pir;
	size_t n, cap;
};

static struct mperr *pir_push(struct pir_list *l, uint32_t pir)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		uint32_t *p = realloc(l->pir, cap * sizeof(*p));

		if (!p)
			return mperr_nomem();
		l->pir = p;
		l->cap = cap;
	}
	l->pir[l->n++] = pir;
	return NULL;
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The PIRs of one cpu node: every thread in ibm,ppc-interrupt-server#s
 * (QEMU and skiboot list each thread's PIR there), else ibm,pir, else reg.
 */
static struct mperr *fdt_cpu_node_pirs(const void *fdt, int node, struct pir_list *l)
{
	static const char *const props[] = { "ibm,ppc-interrupt-server#s", "ibm,pir", "reg" };
	const char *type;
	int len;

	type = fdt_getprop(fdt, node, "device_type", &len);
	if (!type || len != 4 || memcmp(type, "cpu", 4))
		return NULL;
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		const uint8_t *v = fdt_getprop(fdt, node, props[i], &len);

		if (!v || len <= 0 || len % 4)
			continue;
		for (int k = 0; k < len; k += 4) {
			struct mperr *err = pir_push(l, ld_be32(v + k));

			if (err)
				return err;
		}
		return NULL;
	}
	return NULL;
}

static bool ram_has(const struct ram_image *ram, uint64_t gpa, uint64_t len)
{
	struct mperr *err = ram_check_range(ram, gpa, len);

	mperr_free(err);
	return !err;
}

/*
 * The sorted thread PIRs of the tree at gpa, in *l; l->n stays 0 if there is
 * no usable tree there (why says what was wrong).
 */
static struct mperr *fdt_pirs_at(const struct ram_image *ram, uint64_t gpa, struct pir_list *l,
				 const char **why)
{
	uint8_t hdr[FDT_HDR_SIZE];
	struct mperr *err = NULL;
	uint32_t size;
	uint8_t *blob;
	int cpus, node;

	l->n = 0;
	*why = "no device tree header";
	if (!ram_has(ram, gpa, sizeof(hdr)))
		return NULL;
	err = ram_read(ram, gpa, hdr, sizeof(hdr));
	if (err)
		return err;
	size = ld_be32(hdr + 4);
	if (ld_be32(hdr) != FDT_MAGIC || size < FDT_HDR_SIZE || size > FDT_MAX_BLOB ||
	    !ram_has(ram, gpa, size))
		return NULL;
	blob = malloc(size);
	if (!blob)
		return mperr_nomem();
	err = ram_read(ram, gpa, blob, size);
	*why = "corrupt device tree";
	if (err || fdt_check_full(blob, size))
		goto out;
	*why = "no /cpus node";
	cpus = fdt_path_offset(blob, "/cpus");
	if (cpus < 0)
		goto out;
	fdt_for_each_subnode(node, blob, cpus) {
		err = fdt_cpu_node_pirs(blob, node, l);
		if (err)
			goto out;
	}
	*why = "no cpu threads";
	if (!l->n)
		goto out;
	qsort(l->pir, l->n, sizeof(*l->pir), by_u32);
	for (size_t i = 1; i < l->n; i++)
		if (l->pir[i] == l->pir[i - 1]) {
			*why = "a PIR listed twice";
			l->n = 0;
		}
out:
	free(blob);
	if (err)
		l->n = 0;
	return err;
}

struct fdt_scan {
	uint64_t gpa[FDT_MAX_CANDIDATES];
	size_t n;
};

/*
 * Trees are 8-byte aligned (devicetree spec 5.1), so an extent never splits
 * an aligned magic. memchr on the first byte is much faster than memmem here.
 */
static struct mperr *fdt_scan_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct fdt_scan *sc = ctx;
	const uint8_t *p = data, *end = data + len;

	while (sc->n < FDT_MAX_CANDIDATES && (p = memchr(p, 0xd0, (size_t)(end - p)))) {
		uint64_t g = gpa + (uint64_t)(p - data);

		if (!(g & 7) && end - p >= 4 && ld_be32(p) == FDT_MAGIC && g != FDT_QEMU_GPA)
			sc->gpa[sc->n++] = g;
		p++;
	}
	return NULL;
}

static struct mperr *pirs_by_convention(struct snapshot *s, const char *why)
{
	struct cpu_set *set = &s->cpus;

	for (size_t i = 0; i < set->n; i++) {
		set->cpu[i].pir = (uint32_t)i * 4;
		set->cpu[i].pir_known = false;
	}
	snprintf(set->pir_source, sizeof(set->pir_source),
		 "guessed: POWER9 one chip SMT1 convention PIR = cpu_index * 4 (%.90s)", why);
	return snap_add_note(s, "PIRs %s", set->pir_source);
}

static struct mperr *pirs_from_tree(struct snapshot *s, uint64_t gpa, const struct pir_list *l)
{
	struct cpu_set *set = &s->cpus;
	char list[96];
	size_t n = 0;

	list[0] = '\0';
	for (size_t i = 0; i < set->n; i++) {
		set->cpu[i].pir = l->pir[i];
		set->cpu[i].pir_known = true;
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s0x%" PRIx32,
					      i ? " " : "", l->pir[i]);
	}
	snprintf(set->pir_source, sizeof(set->pir_source),
		 "device tree at 0x%" PRIx64 ", /cpus threads in ascending PIR order "
		 "(= QEMU cpu_index order)", gpa);
	return snap_add_note(s, "PIRs from the %s device tree at 0x%" PRIx64 ": %s; the dump's "
			     "CPU notes carry none (pr_pid 0) and are in cpu_index order, which "
			     "for powernv is ascending PIR", gpa == FDT_QEMU_GPA ? "QEMU" :
			     "in-RAM", gpa, list);
}

/* Try the tree at gpa: l->n == the CPU count on success, else reason says why not. */
static struct mperr *fdt_try(const struct snapshot *s, uint64_t gpa, struct pir_list *l,
			     char *reason, size_t rlen)
{
	const char *why = "";
	struct mperr *err = fdt_pirs_at(&s->ram, gpa, l, &why);

	if (err || l->n == s->cpus.n)
		return err;
	if (l->n)
		snprintf(reason, rlen, "the device tree at 0x%" PRIx64 " lists %zu threads, the "
			 "dump has %zu CPUs", gpa, l->n, s->cpus.n);
	else if (gpa != FDT_QEMU_GPA)
		snprintf(reason, rlen, "device tree at 0x%" PRIx64 ": %s", gpa, why);
	l->n = 0;
	return NULL;
}

struct mperr *prstatus_find_pirs(struct snapshot *s, const struct warn_sink *w)
{
	struct pir_list l = { 0 };
	struct fdt_scan sc = { .n = 0 };
	struct mperr *err;
	char reason[128];
	uint64_t gpa = FDT_QEMU_GPA;

	if (!s->cpus.n)
		return NULL;
	snprintf(reason, sizeof(reason), "no device tree in guest RAM");
	err = fdt_try(s, gpa, &l, reason, sizeof(reason));
	if (!err && !l.n)
		err = ram_walk_data(&s->ram, 0, s->ram.size, fdt_scan_piece, &sc);
	for (size_t i = 0; !err && !l.n && i < sc.n; i++) {
		gpa = sc.gpa[i];
		err = fdt_try(s, gpa, &l, reason, sizeof(reason));
	}
	if (!err && l.n)
		err = pirs_from_tree(s, gpa, &l);
	else if (!err) {
		warnf(w, "%s: PIRs not found in guest RAM (%s): assuming PIR = cpu_index * 4",
		      s->in.path, reason);
		err = pirs_by_convention(s, reason);
	}
	free(l.pir);
	return err;
}
