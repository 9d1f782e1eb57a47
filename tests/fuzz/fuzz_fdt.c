/*
 * fuzz_fdt.c - libFuzzer target: the device-tree reader (dt_find, which also
 * scans RAM for a tree by its magic) and the mpipl-boot writer, on the input
 * placed at QEMU's 0x01000000 in a small sparse guest. Seeds: the real
 * fixture trees (tests/fuzz/seeds/fdt). `make fuzz` builds and runs it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "input/device_tree.h"
#include "core/overlay.h"

#define FUZZ_RAM (FDT_QEMU_GPA + (UINT64_C(1) << 20))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ram_image ram;
	struct overlay ovl;
	struct dt_info dt;
	struct mperr *err;
	char reason[128];

	if (size > FUZZ_RAM - FDT_QEMU_GPA)
		return 0;
	ram_init(&ram, FUZZ_RAM);
	if (ram_add(&ram, FDT_QEMU_GPA, size, data) || ram_finish(&ram))
		goto out;
	err = dt_find(&ram, 0, &dt, reason, sizeof(reason));
	mperr_free(err);
	if (!err && dt.found && dt.gpa == FDT_QEMU_GPA && !ovl_init(&ovl, &ram)) {
		mperr_free(dt_add_mpipl_boot(&ovl, FDT_QEMU_GPA, size & 1));
		ovl_free(&ovl);
	}
	dt_free(&dt);
out:
	ram_free(&ram);
	return 0;
}
