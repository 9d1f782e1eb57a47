/*
 * fuzz_printk.c - libFuzzer target over VMCOREINFO (tables/vmcoreinfo.c),
 * the printk ring buffer reader (tables/printk.c) and the dmesg printer
 * (report_kernel.c). The input is guest RAM from address 0: the VMCOREINFO
 * note is searched for, then the log read through it and printed to
 * /dev/null. Seed: tests/fuzz/make_printk_seed.py (a little guest with the
 * Linux 6.1 ppc64 layout and two records).
 *
 *   make build/fuzz/fuzz_printk && build/fuzz/fuzz_printk -max_len=131072 \
 *     -max_total_time=300 build/fuzz/corpus-printk tests/fuzz/seeds/printk
 */
#include <stdint.h>
#include <stdio.h>

#include "report/report.h"
#include "tables/printk.h"
#include "tables/vmcoreinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct ram_image ram;
	struct vmcoreinfo vi;
	struct printk_log log;
	struct mperr *err;

	if (!null)
		null = fopen("/dev/null", "w");
	ram_init(&ram, size);
	if (!size || ram_add(&ram, 0, size, data) || ram_finish(&ram)) {
		ram_free(&ram);
		return 0;
	}
	err = vmci_scan(&ram, &vi);
	if (!err) {
		err = printk_load(&ram, &vi, &log);
		if (!err) {
			report_dmesg(null, &log);
			printk_free(&log);
		}
		vmci_free(&vi);
	}
	mperr_free(err);
	ram_free(&ram);
	return 0;
}
