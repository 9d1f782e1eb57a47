/*
 * fuzz_kernel_fadump.c - libFuzzer target over the kernel-structure parser
 * and the vmcore layout (kernel_fadump.c, vmcore.c). The input is a tiny
 * guest: bytes 0..7 the kernel tag, 8..15 the processor dump area address,
 * 16 the flags (bit 0: --vmcore-pids=pir), the rest guest RAM from address 0.
 * RAM is at least FUZZ_RAM_MIN bytes: past the input it is a hole reading as
 * zero, so inputs need not carry the zero tail of a guest (the seeds' 108 KiB
 * of it made every run copy, hash and fault in 128 KiB: 4x fewer executions).
 * Seeds: tests/fuzz/make_vmcore_seed.py (a complete little fadump guest),
 * trailing zeros cut.
 *
 *   make build/fuzz/fuzz_kernel_fadump && build/fuzz/fuzz_kernel_fadump -max_len=262144 \
 *     -max_total_time=300 build/fuzz/corpus-kernel_fadump tests/fuzz/seeds/kernel_fadump
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "output/vmcore.h"

#define HDR 17u
#define FUZZ_RAM_MIN 0x20000u	/* make_vmcore_seed.py's RAM */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kf_range ram_range;
	struct vmcore_options o;
	struct ram_image ram;
	struct overlay ovl;
	struct vmcore v;
	struct mperr *err;
	uint64_t ram_size;

	if (size <= HDR)
		return 0;
	memset(&o, 0, sizeof(o));
	o.kernel_tag = ld_be64(data);
	o.pda_gpa = ld_be64(data + 8);
	o.pids_pir = data[16] & 1;
	ram_size = size - HDR > FUZZ_RAM_MIN ? size - HDR : FUZZ_RAM_MIN;
	ram_init(&ram, ram_size);
	if (ram_add(&ram, 0, size - HDR, data + HDR) || ram_finish(&ram) || ovl_init(&ovl, &ram)) {
		ram_free(&ram);
		return 0;
	}
	ram_range = (struct kf_range){ 0, ram_size };
	o.ram = &ram_range;
	o.n_ram = 1;
	err = vmcore_plan(&ovl, &o, &v, NULL);
	if (!err) {
		/* everything the writer would touch must be in bounds */
		for (size_t i = 0; i < v.img.notes_len; i++)
			sink += v.img.notes[i];
		for (size_t i = 0; i < v.img.n_load; i++)
			if (ram_check_range(&ram, v.img.load[i].gpa, v.img.load[i].len))
				__builtin_trap();
		for (size_t i = 0; i < v.img.eh.phnum; i++)
			sink += (unsigned)v.img.eh.ph[i].offset;
		if (getenv("FUZZ_KF_VERBOSE"))
			fprintf(stderr, "vmcore: %u notes, %u headers, 0x%llx bytes\n", v.cpu.n,
				v.img.eh.phnum, (unsigned long long)v.img.size);
		vmcore_free(&v);
	} else {
		if (getenv("FUZZ_KF_VERBOSE")) {	/* to check that a seed goes all the way */
			char buf[512];

			mperr_format(err, buf, sizeof(buf));
			fprintf(stderr, "vmcore_plan: %s\n", buf);
		}
		mperr_free(err);
	}
	ovl_free(&ovl);
	ram_free(&ram);
	return 0;
}
