/*
 * fuzz_kdump.c - libFuzzer target: the input bytes as a kdump snapshot (format
 * forced), through a memfd opened by snapshot_open(); on success every RAM
 * extent is read so that a bad pointer faults here. Build and run from the
 * repository root (seeds: tests/fuzz/make_seeds.py; found crashes go to
 * tests/fuzz/regress/kdump/, which check_kdump replays):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -DHAVE_LZO \
 *     -DHAVE_SNAPPY -I/usr/include/lzo -Isrc tests/fuzz/fuzz_kdump.c \
 *     $(find src -name '*.c' ! -name main.c) -o build/fuzz_kdump \
 *     -lelf -lz -lfdt -llzo2 -lsnappy -ljansson
 *   mkdir -p build/corpus-kdump && build/fuzz_kdump -max_len=131072 -max_total_time=300 \
 *     build/corpus-kdump tests/fuzz/seeds/kdump
 */
#include "fuzz_snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_snapshot(data, size, SNAP_KDUMP);
}
