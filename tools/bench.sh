#!/usr/bin/env bash
# bench.sh - time and peak RSS of a full run on the real 2 GiB raw fixture and
# on a 16 GiB sparse guest holding the same bytes, beside `cp --sparse=always`
# of the same files, in one run. Heap peak from valgrind massif (if present).
# usage: tools/bench.sh  (make bench runs it; fixtures from build/fixtures)
set -eu
BIN=${MPIPLSIM:-./mpiplsim}
FX=${MPIPLSIM_FIXTURES:-build/fixtures}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

measure() { # LABEL CMD...: wall seconds and peak RSS (KiB), best of 3
	local label=$1 best="" rss=""; shift
	for i in 1 2 3; do
		sync	# earlier outputs' writeback would otherwise throttle this run
		/usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>&1
		read -r s m <"$T/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
		rm -f "$T/out.img" "$T/cp.img"
	done
	printf "%-44s %8s s %9s KiB\n" "$label" "$best" "$rss"
}

heap() { # peak heap in KiB from massif
	command -v valgrind >/dev/null || { echo "n/a (no valgrind)"; return; }
	valgrind -q --tool=massif --massif-out-file="$T/massif" "$@" >/dev/null 2>&1
	rm -f "$T/out.img"
	awk -F= '/mem_heap_B/ { if ($2 > m) m = $2 } END { printf "%d KiB\n", m / 1024 }' "$T/massif"
}

raw=$FX/crash.raw
big=$T/big16.raw
truncate -s 16G "$big"
dd if="$raw" of="$big" bs=4k conv=sparse,notrunc status=none

echo "$("$BIN" --version | head -1), $(nproc) CPUs, $(date -u +%F)"
echo "input data: $(du -h "$raw" | cut -f1) in a 2 GiB and a 16 GiB sparse raw guest"
printf "%-44s %10s %13s\n" "what" "wall" "peak RSS"
for f in "$raw" "$big"; do
	size=$(($(stat -c %s "$f") >> 30))
	measure "mpiplsim run, ${size} GiB raw guest" "$BIN" "$f" -o "$T/out.img" --no-registers
	measure "cp --sparse=always, ${size} GiB raw guest" cp --sparse=always "$f" "$T/cp.img"
done
echo "heap peak, 2 GiB guest:  $(heap "$BIN" "$raw" -o "$T/out.img" --no-registers)"
echo "heap peak, 16 GiB guest: $(heap "$BIN" "$big" -o "$T/out.img" --no-registers)"
