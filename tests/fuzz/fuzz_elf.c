/*
 * fuzz_elf.c - libFuzzer target: the input bytes as an ELF snapshot (format
 * forced), through a memfd opened by snapshot_open(); on success every RAM
 * extent is read so that a bad pointer faults here. Build and run from the
 * repository root (seeds: tests/fuzz/make_seeds.py; found crashes go to
 * tests/fuzz/regress/elf/, which check_elf replays):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -DHAVE_LZO \
 *     -DHAVE_SNAPPY -I/usr/include/lzo -Isrc tests/fuzz/fuzz_elf.c \
 *     $(find src -name '*.c' ! -name main.c) -o build/fuzz_elf \
 *     -lelf -lz -lfdt -llzo2 -lsnappy -ljansson
 *   mkdir -p build/corpus-elf && build/fuzz_elf -max_len=131072 -max_total_time=300 \
 *     build/corpus-elf tests/fuzz/seeds/elf
 */
#include "fuzz_snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_snapshot(data, size, SNAP_ELF);
}
