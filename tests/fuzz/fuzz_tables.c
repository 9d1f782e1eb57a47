/*
 * fuzz_tables.c - libFuzzer target: OPAL's MPIPL tables over a RAM image.
 * The input's first 4 bytes choose the RAM size; the rest is placed at
 * OPAL base + 0x10000 (where SPIRA-H and MDST/MDDT sit in both skiboot
 * layouts) and again at the MPIPL metadata, over an otherwise empty sparse
 * guest. Tables, hostboot plan, QEMU v2 plan, overlay writes and the FDT
 * step all run; reads of the result must stay in bounds. `make fuzz` builds
 * and runs it; seeds in tests/fuzz/seeds/tables (real fixtures' bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "input/device_tree.h"
#include "tables/mpipl_tables.h"
#include "core/overlay.h"
#include "sim/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fake_cpus(struct cpu_set *set)
{
	for (uint32_t i = 0; i < 3; i++) {
		struct cpu_regs *r = cpu_set_add(set);

		if (!r)
			return;
		r->pir = i * 4;
		r->have = CPU_HAS_GPR | CPU_HAS_NIP | CPU_HAS_MSR | CPU_HAS_CR;
		cpu_set_spr(r, SPRN_LR, 0x1000 + i);
	}
}

static void run(const struct ram_image *ram, const struct cpu_set *cpus, enum sim_mode mode)
{
	struct sim_options o = { .mode = mode, .profile = mode ? PROFILE_QEMU_V2 : PROFILE_HOSTBOOT };
	struct mpipl_tables t;
	struct sim_plan p;
	struct overlay ovl;
	struct mperr *err;
	uint8_t buf[256];

	err = mpipl_tables_load(ram, SKIBOOT_BASE, NULL, &t, NULL);
	if (err) {
		mperr_free(err);
		return;
	}
	err = sim_plan(&t, cpus, &o, &p, NULL);
	if (!err)
		err = ovl_init(&ovl, ram);
	if (!err) {
		err = sim_apply(&t, cpus, &p, &ovl);
		mperr_free(err);
		err = ovl_read(&ovl, t.nt[NT_MDRT].gpa, buf, sizeof(buf));	/* range-checked */
		ovl_free(&ovl);
	}
	mperr_free(err);
	sim_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ram_image ram;
	struct cpu_set cpus = { 0 };
	uint64_t ram_size;

	if (size < 4)
		return 0;
	/* 0x30000000 + 64 KiB .. 2 GiB, 4 KiB aligned */
	ram_size = SKIBOOT_BASE + 0x10000 + (uint64_t)(ld_be32(data) % 0x50000) * 0x1000;
	data += 4;
	size -= 4;
	ram_init(&ram, ram_size);
	if (!ram_add(&ram, SKIBOOT_BASE + 0x10000, size < ram_size - SKIBOOT_BASE - 0x10000 ?
		     size : ram_size - SKIBOOT_BASE - 0x10000, data) &&
	    !ram_finish(&ram)) {
		fake_cpus(&cpus);
		run(&ram, &cpus, MODE_HOSTBOOT);
		run(&ram, &cpus, MODE_QEMU_V2);
	}
	cpu_set_free(&cpus);
	ram_free(&ram);
	return 0;
}
