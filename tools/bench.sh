#!/usr/bin/env bash
# bench.sh - make bench: cost against guest RAM size for a fixed amount of data.
# Guests of 1, 4, 16 and 64 GiB hold the same bytes: the first GiB of the real
# v7.0 fixture (its tables, with the kernel range cut to 16 MiB so that it fits
# in 1 GiB), raw (sparse) and as a migration stream (tools/mkmig.py). For each:
# wall time and peak RSS of a full run, beside `cp --sparse=always` of the raw
# file, in the same run. Best of 3, page cache warm, outputs removed and synced
# between runs. Heap peak from valgrind massif on the 16 GiB guest (valgrind
# cannot map a 64 GiB file).
set -eu
BIN=${MPIPLSIM:-./mpiplsim}
FX=${MPIPLSIM_FIXTURES:-build/fixtures}
SIZES=${BENCH_SIZES:-1 4 16 64}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

measure() { # LABEL CMD...: "wall rss" of the best of 3
	local best="" rss=""
	for _ in 1 2 3; do
		rm -f "$T/out.img" "$T/cp.img"
		sync
		/usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>"$T/err" ||
			{ echo "bench: $* failed: $(cat "$T/err")" >&2; exit 1; }
		read -r s m < <(tail -1 "$T/time")
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
	done
	echo "$best $rss"
}

poke32() { printf "$(printf '\\x%02x' $(($2 >> 24 & 255)) $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255)))" |
	dd of="$1" bs=1 seek=$(($3)) conv=notrunc status=none; }

base=$T/base.raw
truncate -s 1G "$base"
dd if="$FX/crash.raw" of="$base" bs=4k count=$((1 << 18)) conv=sparse,notrunc status=none
poke32 "$base" 0x1000000 0x3001101c	# MDST[1].size (skiboot v7.0 layout, mpipl.md §1)
poke32 "$base" 0x1000000 0x3001141c	# MDDT[1].size
echo "$("$BIN" --version | head -1); $(nproc) CPUs; $(du -h "$base" | cut -f1) of data in every guest"
printf "%-9s %-16s %-16s %-16s %-10s\n" "guest" "raw: time RSS" "mig: time RSS" "cp: time RSS" "raw/cp"
for n in $SIZES; do
	g=$T/g$n.raw
	cp --sparse=always "$base" "$g"
	truncate -s "${n}G" "$g"
	python3 "$(dirname "$0")/mkmig.py" "$g" "$T/g$n.mig"
	read -r rt rr < <(measure "$BIN" "$g" -o "$T/out.img" --no-registers -q)
	read -r mt mr < <(measure "$BIN" "$T/g$n.mig" -o "$T/out.img" --no-registers -q)
	read -r ct cr < <(measure cp --sparse=always "$g" "$T/cp.img")
	printf "%-9s %5s s %6s MiB %5s s %6s MiB %5s s %6s MiB %6s\n" "$n GiB" \
		"$rt" $((rr / 1024)) "$mt" $((mr / 1024)) "$ct" $((cr / 1024)) \
		"$(awk "BEGIN{printf \"%.1f\", $rt / ($ct > 0 ? $ct : 0.01)}")"
	[ "$n" = 16 ] || rm -f "$g" "$T/g$n.mig"
done
if command -v valgrind >/dev/null && [ -f "$T/g16.raw" ]; then
	last=16
	valgrind -q --tool=massif --massif-out-file="$T/massif" "$BIN" "$T/g$last.raw" \
		-o "$T/out.img" --no-registers -q
	echo "heap peak, $last GiB raw: $(awk -F= '/mem_heap_B/ {if ($2 > m) m = $2} END {printf "%d KiB", m / 1024}' "$T/massif")"
	valgrind -q --tool=massif --massif-out-file="$T/massif" "$BIN" "$T/g$last.mig" \
		-o "$T/out.img" --no-registers -q
	echo "heap peak, $last GiB mig: $(awk -F= '/mem_heap_B/ {if ($2 > m) m = $2} END {printf "%d KiB", m / 1024}' "$T/massif")"
fi
