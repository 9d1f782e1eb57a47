#!/usr/bin/env bash
# bench-vmcore.sh - time and peak RSS of writing the ELF vmcore of the real
# 2 GiB guest (from the migration stream and from the raw image), beside
# `cp --sparse=always` of a vmcore of the same size, in one run; best of 3.
# usage: tools/bench-vmcore.sh  (fixtures from build/fixtures, binary build/mpiplsim)
set -eu
BIN=${MPIPLSIM:-build/mpiplsim}
FX=${MPIPLSIM_FIXTURES:-build/fixtures}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-bench-vmcore.XXXXXX")
trap 'rm -rf "$T"' EXIT

measure() { # LABEL OUT CMD...: wall seconds and peak RSS (KiB), best of 3
	local label=$1 out=$2 best="" rss=""; shift 2
	for i in 1 2 3; do
		rm -f "$out"
		sync	# earlier outputs' writeback would otherwise throttle this run
		/usr/bin/time -f "%e %M" -o "$T/time" "$@" >/dev/null 2>&1
		read -r s m <"$T/time"
		if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; rss=$m; fi
	done
	printf "%-52s %7s s %9s KiB\n" "$label" "$best" "$rss"
}

echo "$("$BIN" --version | head -1), $(nproc) CPUs, $(date -u +%F)"
printf "%-52s %9s %13s\n" "what" "wall" "peak RSS"
measure "mpiplsim --vmcore, 2 GiB guest from crash.mig" "$T/mig.core" \
	"$BIN" "$FX/crash.mig" --vmcore "$T/mig.core"
measure "mpiplsim --vmcore, 2 GiB guest from crash.raw" "$T/raw.core" \
	"$BIN" "$FX/crash.raw" --no-registers --vmcore "$T/raw.core"
measure "mpiplsim --vmcore -o, crash.raw (both outputs)" "$T/both.core" \
	"$BIN" "$FX/crash.raw" --no-registers --vmcore "$T/both.core" -o "$T/both.img"
measure "cp --sparse=always of that vmcore" "$T/cp.core" \
	cp --sparse=always "$T/mig.core" "$T/cp.core"
echo "vmcore: $(stat -c %s "$T/mig.core") bytes, $(du -k "$T/mig.core" | cut -f1) KiB allocated;" \
	"input data $(du -k "$FX/crash.raw" | cut -f1) KiB in $(stat -c %s "$FX/crash.raw") bytes"
