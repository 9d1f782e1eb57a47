/*
 * device_tree.h - a flattened device tree in guest RAM (libfdt): QEMU's at
 * 0x01000000 (PNV_FDT_ADDR) or, when the kernel has reused that memory,
 * skiboot's own copy found by its magic. What mpiplsim wants from it: the
 * thread PIRs, the memory nodes, /ibm,opal/dump (mpipl.md §8); and the
 * "mpipl-boot" property the post-MPIPL boot sees (simulation.md §5).
 */
#ifndef MPIPLSIM_DEVICE_TREE_H
#define MPIPLSIM_DEVICE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/overlay.h"
#include "core/ram_image.h"

#define FDT_QEMU_GPA UINT64_C(0x01000000)	/* hw/ppc/pnv.c PNV_FDT_ADDR */
#define DT_MAX_MEM 32

struct dt_info {
	bool found;
	uint64_t gpa;
	uint32_t size;		/* totalsize */
	uint32_t *pir;		/* thread PIRs, ascending */
	size_t n_pir;
	struct { uint64_t base, size; } mem[DT_MAX_MEM];
	size_t n_mem;
	uint64_t mem_total;
	bool dump_node;		/* /ibm,opal/dump present */
	bool dump_compatible;	/* ... with compatible "ibm,opal-dump" */
	bool mpipl_boot;
	bool fw_load_area;
	uint64_t fw_load[4];	/* addr, size, addr, size */
};

/* Parse the tree at gpa. No error and !dt->found if there is no usable tree; *why says why. */
struct mperr *dt_read(const struct ram_image *ram, uint64_t gpa, struct dt_info *dt,
		      const char **why);
/*
 * The tree at 0x01000000, else the first tree found by scanning RAM whose
 * thread count is want_cpus (0: any tree with threads). reason explains a miss.
 */
struct mperr *dt_find(const struct ram_image *ram, size_t want_cpus, struct dt_info *dt,
		      char *reason, size_t rlen);
void dt_free(struct dt_info *dt);

/*
 * Give /ibm,opal/dump of the tree at 0x01000000 (read through ovl) the
 * property "mpipl-boot": empty as skiboot's HDAT path makes it, or the u64 1
 * QEMU v2 appends (mpipl.md §7 D18). The tree may grow into the bytes after it.
 */
struct mperr *dt_add_mpipl_boot(struct overlay *ovl, uint64_t gpa, bool qemu_v2);
/*
 * What the MPIPL boot does to the tree dt describes (simulation.md §5): QEMU's
 * tree, at 0x01000000 with /ibm,opal/dump, gets mpipl-boot as above; another
 * tree, or none, is left as it is.
 */
struct mperr *dt_mpipl_boot(const struct dt_info *dt, struct overlay *ovl, bool qemu_v2);

#endif
