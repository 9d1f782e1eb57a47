#!/bin/sh
# bench-mig.sh - time RAM extraction from a QEMU migration stream, in one run:
#   1. mpiplsim's reader (build/tests/mig_extract: snapshot_open + sparse raw out)
#   2. QEMU's scripts/analyze-migration.py -x on the same file
# and check that both give the same RAM. Wall time and peak RSS come from
# /usr/bin/time -v.
#
# usage: tools/bench-mig.sh [STREAM]      (default build/fixtures/crash.mig)
#        COLD=1 drops the page cache before each tool (root only)
#
# analyze-migration.py is QEMU's (LGPL) and not part of this repository. It is
# looked for at $ANALYZE_MIGRATION, then in the usual install and source
# places; Debian's qemu packages do not ship it, so point ANALYZE_MIGRATION at
# a QEMU source tree's scripts/analyze-migration.py. Without it only step 1 runs.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
stream=${1:-$top/build/fixtures/crash.mig}
extract=$top/build/tests/mig_extract
python=${PYTHON:-python3}

die() {
	echo "bench-mig: $*" >&2
	exit 1
}

[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is needed for -v"
[ -f "$stream" ] || die "$stream: no such file (make fixtures)"
stream=$(realpath "$stream")	# analyze-migration.py runs in its own directory
[ -x "$extract" ] || make -C "$top" build/tests/mig_extract >/dev/null

script=
for c in "${ANALYZE_MIGRATION:-}" /usr/share/qemu/scripts/analyze-migration.py \
	/usr/lib/qemu/scripts/analyze-migration.py /usr/local/share/qemu/analyze-migration.py \
	"$(command -v analyze-migration.py 2>/dev/null || true)"; do
	if [ -n "$c" ] && [ -f "$c" ]; then
		script=$c
		break
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-mig.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23" -> seconds
measure() {
	log=$1
	shift
	if [ "${COLD:-0}" = 1 ]; then
		sync
		echo 3 >/proc/sys/vm/drop_caches || die "COLD=1 needs root"
	fi
	/usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$log.err" ||
		die "$* failed: $(tail -n 3 "$log.err")"
	wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$log" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
	printf '%-28s %8s s %10s KiB\n' "$name" "$wall" "$rss"
}

size=$(stat -c %s "$stream")
echo "stream: $stream ($size bytes)"
printf '%-28s %10s %14s\n' "tool" "wall" "peak RSS"

name="mpiplsim (mig_extract)"
measure "$work/ours.time" "$extract" "$stream" "$work/ours.raw"

if [ -z "$script" ]; then
	echo "analyze-migration.py not found: set ANALYZE_MIGRATION=/path/to/qemu/scripts/analyze-migration.py"
	exit 0
fi
mkdir "$work/py"
name="analyze-migration.py -x"
(cd "$work/py" && measure "$work/py.time" "$python" "$script" -x -f "$stream")

# analyze-migration.py writes each RAM block to a file named after it
block=$(sed -n 's/^  block \(.*\) len .* RAM at 0x0$/\1/p' "$work/ours.time.err")
if [ -n "$block" ] && [ -f "$work/py/$block" ]; then
	if cmp -s "$work/ours.raw" "$work/py/$block"; then
		echo "RAM block \"$block\": identical"
	else
		die "RAM block \"$block\" differs between the two tools"
	fi
fi
