/* device_tree.c - see device_tree.h */
#include "input/device_tree.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define FDT_MAX_BLOB (16u << 20)
#define FDT_MAX_CANDIDATES 64u
#define FDT_HDR_SIZE 40u
#define MPIPL_BOOT_ROOM 64u	/* a property and its name */

static struct mperr *pir_push(struct dt_info *dt, uint32_t pir, size_t *cap)
{
	if (dt->n_pir == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		uint32_t *p = realloc(dt->pir, c * sizeof(*p));

		if (!p)
			return mperr_nomem();
		dt->pir = p;
		*cap = c;
	}
	dt->pir[dt->n_pir++] = pir;
	return NULL;
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t chip_id(const void *fdt, int node)
{
	int len;
	const uint8_t *v = fdt_getprop(fdt, node, "ibm,chip-id", &len);

	return v && len == 4 ? ld_be32(v) : DT_CHIP_UNKNOWN;
}

static struct mperr *core_push(struct dt_info *dt, uint32_t chip, uint32_t pir, uint32_t n,
			       size_t *cap)
{
	if (dt->n_core == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		struct dt_core *p = realloc(dt->core, c * sizeof(*p));

		if (!p)
			return mperr_nomem();
		dt->core = p;
		*cap = c;
	}
	dt->core[dt->n_core++] = (struct dt_core){ chip, pir, n };
	return NULL;
}

static int by_chip_pir(const void *a, const void *b)
{
	const struct dt_core *x = a, *y = b;

	if (x->chip != y->chip)
		return x->chip < y->chip ? -1 : 1;
	return x->pir < y->pir ? -1 : x->pir > y->pir;
}

/*
 * The PIRs of one cpu node: every thread in ibm,ppc-interrupt-server#s
 * (QEMU and skiboot list each thread's PIR there), else ibm,pir, else reg;
 * the node is one core of the chip its ibm,chip-id names.
 */
static struct mperr *cpu_node_pirs(const void *fdt, int node, struct dt_info *dt, size_t *cap,
				   size_t *ccap)
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
			struct mperr *err = pir_push(dt, ld_be32(v + k), cap);

			if (err)
				return err;
		}
		return core_push(dt, chip_id(fdt, node), ld_be32(v), (uint32_t)len / 4, ccap);
	}
	return NULL;
}

/* memory@ nodes: reg = <addr-hi addr-lo size-hi size-lo>... (2 cells each on powernv) */
static void memory_nodes(const void *fdt, struct dt_info *dt)
{
	int node, len;

	fdt_for_each_subnode(node, fdt, 0) {
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		const uint8_t *reg;

		if (!type || len != 7 || memcmp(type, "memory", 7))
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		for (int k = 0; reg && k + 16 <= len && dt->n_mem < DT_MAX_MEM; k += 16) {
			uint64_t total;

			dt->mem[dt->n_mem].base = ld_be64(reg + k);
			dt->mem[dt->n_mem].size = ld_be64(reg + k + 8);
			dt->mem[dt->n_mem].chip = chip_id(fdt, node);
			/* a total past 2^64 is no machine's: it stays at the last sum that fits */
			if (!__builtin_add_overflow(dt->mem_total, dt->mem[dt->n_mem].size, &total))
				dt->mem_total = total;
			dt->n_mem++;
		}
	}
}

/* /ibm,opal/dump (mpipl.md §8) */
static void dump_node(const void *fdt, struct dt_info *dt)
{
	int node = fdt_path_offset(fdt, "/ibm,opal/dump"), len;
	const uint8_t *fw;

	if (node < 0)
		return;
	dt->dump_node = true;
	dt->dump_compatible = fdt_node_check_compatible(fdt, node, "ibm,opal-dump") == 0;
	dt->mpipl_boot = fdt_getprop(fdt, node, "mpipl-boot", &len) != NULL;
	fw = fdt_getprop(fdt, node, "fw-load-area", &len);
	if (fw && len == 32) {
		dt->fw_load_area = true;
		for (int i = 0; i < 4; i++)
			dt->fw_load[i] = ld_be64(fw + 8 * i);
	}
}

/* The whole blob at gpa, checked by libfdt, or NULL (and *why) if there is none. */
static struct mperr *read_blob(const struct ram_image *ram, uint64_t gpa, uint8_t **out,
			       uint32_t *size, const char **why)
{
	uint8_t hdr[FDT_HDR_SIZE];
	struct mperr *err;
	uint8_t *blob;

	*out = NULL;
	*why = "no device tree header";
	if (!ram_contains(ram, gpa, sizeof(hdr)))
		return NULL;
	err = ram_read(ram, gpa, hdr, sizeof(hdr));
	if (err)
		return err;
	*size = ld_be32(hdr + 4);
	if (ld_be32(hdr) != FDT_MAGIC)
		return NULL;
	/*
	 * Version 16 and later only: Debian's libfdt 1.6 fdt_check_full() follows
	 * a NULL property name on older trees (found by fuzz_fdt). QEMU and
	 * skiboot write version 17.
	 */
	*why = "device tree version below 16";
	if (ld_be32(hdr + 20) < 16)
		return NULL;
	*why = "device tree size out of range";
	if (*size < FDT_HDR_SIZE || *size > FDT_MAX_BLOB || !ram_contains(ram, gpa, *size))
		return NULL;
	blob = malloc(*size);
	if (!blob)
		return mperr_nomem();
	err = ram_read(ram, gpa, blob, *size);
	*why = "corrupt device tree";
	if (err || fdt_check_full(blob, *size)) {
		free(blob);
		return err;
	}
	*out = blob;
	return NULL;
}

struct mperr *dt_read(const struct ram_image *ram, uint64_t gpa, struct dt_info *dt,
		      const char **why)
{
	struct mperr *err;
	size_t cap = 0, ccap = 0;
	uint8_t *blob;
	uint32_t size;
	int cpus, node;

	dt_free(dt);
	err = read_blob(ram, gpa, &blob, &size, why);
	if (err || !blob)
		return err;
	cpus = fdt_path_offset(blob, "/cpus");
	fdt_for_each_subnode(node, blob, cpus) {
		err = cpu_node_pirs(blob, node, dt, &cap, &ccap);
		if (err)
			goto out;
	}
	if (dt->n_pir)
		qsort(dt->pir, dt->n_pir, sizeof(*dt->pir), by_u32);
	if (dt->n_core)
		qsort(dt->core, dt->n_core, sizeof(*dt->core), by_chip_pir);
	for (size_t i = 1; i < dt->n_pir; i++)
		if (dt->pir[i] == dt->pir[i - 1]) {
			*why = "a PIR listed twice";
			goto out;
		}
	memory_nodes(blob, dt);
	dump_node(blob, dt);
	dt->found = true;
	dt->gpa = gpa;
	dt->size = size;
out:
	free(blob);
	if (!dt->found) {
		free(dt->pir);
		free(dt->core);
		dt->pir = NULL;
		dt->n_pir = 0;
		dt->core = NULL;
		dt->n_core = 0;
	}
	return err;
}

void dt_free(struct dt_info *dt)
{
	free(dt->pir);
	free(dt->core);
	memset(dt, 0, sizeof(*dt));
}

struct fdt_scan {
	struct ram_releaser rel;
	uint64_t gpa[FDT_MAX_CANDIDATES];
	size_t n;
};

/*
 * Trees are 8-byte aligned (devicetree spec 5.1), so an extent never splits
 * an aligned magic. memchr on the first byte is much faster than memmem here.
 */
/*
 * Candidates that start in [data, data+len); a magic may run on to limit.
 * Only 8-byte aligned guest addresses can hold one: look at those alone, 8
 * at a time (memchr for the first byte stops every 256 bytes of dense data).
 */
static void scan_range(struct fdt_scan *sc, uint64_t gpa, const uint8_t *data, uint64_t len,
		       const uint8_t *limit)
{
	static const uint8_t magic_bytes[4] = { 0xd0, 0x0d, 0xfe, 0xed };	/* FDT_MAGIC, BE */
	uint64_t o = (8 - (gpa & 7)) & 7;
	uint32_t magic;

	memcpy(&magic, magic_bytes, 4);
	for (; o < len && sc->n < FDT_MAX_CANDIDATES; o += 8) {
		int hit = 0;

		if (len - o >= 64) {
			for (int k = 0; k < 8; k++) {
				uint32_t w;

				memcpy(&w, data + o + 8 * k, 4);
				hit |= w == magic;
			}
			if (!hit) {
				o += 56;
				continue;
			}
		}
		if (limit - (data + o) >= 4 && ld_be32(data + o) == FDT_MAGIC &&
		    gpa + o != FDT_QEMU_GPA)
			sc->gpa[sc->n++] = gpa + o;
	}
}

static struct mperr *scan_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct fdt_scan *sc = ctx;
	const uint8_t *end = data + len;

	/* the scan reads all data once: release it window by window, keep RSS flat */
	for (uint64_t o = 0; o < len; o += RAM_RELEASE_WINDOW) {
		uint64_t n = len - o < RAM_RELEASE_WINDOW ? len - o : RAM_RELEASE_WINDOW;

		scan_range(sc, gpa + o, data + o, n, end);
		ram_release_lazy(&sc->rel, data + o, n);
	}
	return NULL;
}

/* Use the tree at gpa if it fits; else say why in reason. */
static struct mperr *try_at(const struct ram_image *ram, uint64_t gpa, size_t want,
			    struct dt_info *dt, char *reason, size_t rlen)
{
	const char *why = "";
	struct mperr *err = dt_read(ram, gpa, dt, &why);

	if (err || (dt->found && dt->n_pir && (!want || dt->n_pir == want)))
		return err;
	if (dt->found && dt->n_pir)
		snprintf(reason, rlen, "the device tree at 0x%" PRIx64 " lists %zu threads, the "
			 "snapshot has %zu CPUs", gpa, dt->n_pir, want);
	else if (dt->found)
		snprintf(reason, rlen, "device tree at 0x%" PRIx64 ": no cpu threads", gpa);
	else if (gpa != FDT_QEMU_GPA)
		snprintf(reason, rlen, "device tree at 0x%" PRIx64 ": %s", gpa, why);
	dt_free(dt);
	return NULL;
}

struct mperr *dt_find(const struct ram_image *ram, size_t want_cpus, struct dt_info *dt,
		      char *reason, size_t rlen)
{
	struct fdt_scan sc = { .rel = { .ram = ram }, .n = 0 };
	struct mperr *err;

	memset(dt, 0, sizeof(*dt));
	snprintf(reason, rlen, "no device tree in guest RAM");
	err = try_at(ram, FDT_QEMU_GPA, want_cpus, dt, reason, rlen);
	if (err || dt->found)
		return err;
	err = ram_walk_data(ram, 0, ram->size, scan_piece, &sc);
	ram_release_done(&sc.rel);
	for (size_t i = 0; !err && !dt->found && i < sc.n; i++)
		err = try_at(ram, sc.gpa[i], want_cpus, dt, reason, rlen);
	return err;
}

/* Read the blob at gpa through the overlay, with room to grow. */
static struct mperr *ovl_blob(const struct overlay *ovl, uint64_t gpa, uint8_t **out,
			      uint32_t *size)
{
	uint8_t hdr[FDT_HDR_SIZE];
	struct mperr *err = ovl_read(ovl, gpa, hdr, sizeof(hdr));
	uint8_t *blob;

	if (err)
		return err;
	*size = ld_be32(hdr + 4);
	if (ld_be32(hdr) != FDT_MAGIC || *size < FDT_HDR_SIZE || *size > FDT_MAX_BLOB)
		return mperr_at(mperr_input("no device tree at 0x%" PRIx64, gpa), gpa);
	err = ram_check_range(ovl->base, gpa, (uint64_t)*size + MPIPL_BOOT_ROOM);
	if (err)
		return err;
	blob = calloc(1, *size + MPIPL_BOOT_ROOM);
	if (!blob)
		return mperr_nomem();
	err = ovl_read(ovl, gpa, blob, *size);
	if (err) {
		free(blob);
		return err;
	}
	*out = blob;
	return NULL;
}

struct mperr *dt_add_mpipl_boot(struct overlay *ovl, uint64_t gpa, bool qemu_v2)
{
	static const uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };	/* QEMU: u64 1 */
	struct mperr *err;
	uint8_t *blob = NULL;
	uint32_t size;
	int node, r;

	err = ovl_blob(ovl, gpa, &blob, &size);
	if (err)
		return err;
	r = fdt_open_into(blob, blob, (int)(size + MPIPL_BOOT_ROOM));
	node = r ? r : fdt_path_offset(blob, "/ibm,opal/dump");
	r = node < 0 ? node : fdt_setprop(blob, node, "mpipl-boot", one, qemu_v2 ? 8 : 0);
	if (!r)
		r = fdt_pack(blob);
	if (r)
		err = mperr_at(mperr_input("device tree at 0x%" PRIx64 ": adding mpipl-boot: %s",
					   gpa, fdt_strerror(r)), gpa);
	else
		err = ovl_write(ovl, gpa, blob, fdt_totalsize(blob));
	free(blob);
	return err;
}

struct mperr *dt_mpipl_boot(const struct dt_info *dt, struct overlay *ovl, bool qemu_v2)
{
	if (!dt->found || dt->gpa != FDT_QEMU_GPA || !dt->dump_node)
		return NULL;
	return dt_add_mpipl_boot(ovl, FDT_QEMU_GPA, qemu_v2);
}
