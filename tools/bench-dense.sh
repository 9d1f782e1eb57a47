#!/usr/bin/env bash
# bench-dense.sh - make bench, dense part: a 2 GiB guest with data in every page.
#
# The guest is the real v7.0 fixture's crash.raw with every page of zeros replaced by
# pseudo-random bytes (tools/mkdense.py; the firmware and kernel tables survive). The
# same RAM as a migration stream (QEMU 7.2 itself when qemu-system-ppc64 is installed:
# the file as a memory backend of a powernv9 that never runs, saved with
# `migrate "exec:cat > F"`; else tools/mkmig.py), as an ELF core (crash.elf's header
# and notes in front of the RAM) and as a kdump (tools/mkkdump.py, crash.kdump's
# headers, every page stored raw). Then, alternating, median of 3, page cache warm,
# outputs removed and synced before each run: mpiplsim -o (and -o --vmcore) from each
# form, QEMU's analyze-migration.py -x of the stream, cp --sparse=never of the raw
# file; wall time, peak RSS (/usr/bin/time) and the write system calls (strace -c, one
# extra run). Last, one dense guest of BENCH_DENSE_BIG GiB (default 8; a synthetic
# stream) for the memory bound: peak RSS of -o with --vmcore.
#
# analyze-migration.py is QEMU's (GPL) and never part of this repository: it is taken
# from $ANALYZE_MIGRATION, else from Debian's qemu source package (apt-get source
# --download-only qemu, which needs a deb-src line), else that comparison is skipped.
# Needs about 14 GiB free under $TMPDIR (and BIG * 2.2 GiB for the big guest).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(realpath "${MPIPLSIM:-$top/mpiplsim}")
FX=$(realpath "${MPIPLSIM_FIXTURES:-$top/build/fixtures}")
BIG=${BENCH_DENSE_BIG:-8}
RUNS=${BENCH_RUNS:-3}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-dense.XXXXXX")
trap 'rm -rf "$T"' EXIT
py=${PYTHON:-python3}

say() { echo "bench-dense: $*" >&2; }

for f in crash.raw crash.elf crash.kdump; do
	[ -f "$FX/$f" ] || { say "SKIP: $FX/$f missing (make fixtures)"; exit 0; }
done
[ -x /usr/bin/time ] || { say "SKIP: /usr/bin/time (GNU time) is needed"; exit 0; }

# ---- the guest in every form ----
say "making the dense guest (mkdense.py)"
$py "$top/tools/mkdense.py" "$FX/crash.raw" "$T/dense.raw"
size=$(stat -c %s "$T/dense.raw")

mig_from_qemu() { # RAMFILE OUT: QEMU saves a powernv9 whose RAM is RAMFILE
	local ram=$1 out=$2 line
	command -v qemu-system-ppc64 >/dev/null || return 1
	cp "$ram" "$T/qemu.ram"	# the backend is private, but keep the input untouched
	coproc Q { exec qemu-system-ppc64 -M powernv9,memory-backend=ram -m $((size >> 20))M \
		-object memory-backend-file,id=ram,size=$size,mem-path="$T/qemu.ram",share=off \
		-S -nographic -nodefaults -monitor stdio -serial null 2>&1; }
	echo "migrate_set_parameter max-bandwidth 100G" >&"${Q[1]}"
	echo "migrate \"exec:cat > $out\"" >&"${Q[1]}"
	local st=
	for _ in $(seq 600); do
		echo "info migrate" >&"${Q[1]}"
		while read -r -t 1 line <&"${Q[0]}"; do
			case $line in *"Migration status: completed"*) st=ok;;
			*"Migration status: failed"*) st=failed;; esac
		done
		[ -n "$st" ] && break
	done
	echo quit >&"${Q[1]}" || true
	wait "$Q_PID" 2>/dev/null || true
	rm -f "$T/qemu.ram"
	[ "$st" = ok ]
}
if mig_from_qemu "$T/dense.raw" "$T/dense.mig"; then
	migfrom="QEMU $(qemu-system-ppc64 --version | head -1 | sed 's/.*version \([^ ]*\).*/\1/')"
else
	say "no qemu-system-ppc64 (or it failed): synthetic stream from tools/mkmig.py"
	$py "$top/tools/mkmig.py" "$T/dense.raw" "$T/dense.mig"
	migfrom="tools/mkmig.py"
fi

# crash.elf: one PT_LOAD holding all RAM; keep what is in front of it, then the dense RAM
load=$($py - "$FX/crash.elf" "$size" <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read(1 << 16)
e = "<" if b[5] == 1 else ">"
phoff, = struct.unpack_from(e + "Q", b, 32)
phentsize, phnum = struct.unpack_from(e + "HH", b, 54)
loads = [struct.unpack_from(e + "IIQQQQQ", b, phoff + i * phentsize) for i in range(phnum)]
loads = [l for l in loads if l[0] == 1]
print(loads[0][2] if len(loads) == 1 and loads[0][5] == int(sys.argv[2]) else "")
EOF
)
if [ -n "$load" ]; then
	head -c "$load" "$FX/crash.elf" >"$T/dense.elf"
	cat "$T/dense.raw" >>"$T/dense.elf"
else
	say "crash.elf is not one PT_LOAD of all RAM: no ELF case"
fi
$py "$top/tools/mkkdump.py" "$T/dense.raw" "$FX/crash.kdump" "$T/dense.kdump"

# ---- analyze-migration.py ----
am=${ANALYZE_MIGRATION:-}
if [ -z "$am" ] || [ ! -f "$am" ]; then
	am=
	mkdir -p "$T/qsrc"
	if (cd "$T/qsrc" && apt-get source --download-only qemu >/dev/null 2>&1); then
		orig=$(ls "$T"/qsrc/qemu_*.orig.tar.* 2>/dev/null | head -1)
		if [ -n "$orig" ] && tar -C "$T/qsrc" -xf "$orig" --wildcards '*/scripts/analyze-migration.py' \
			2>/dev/null; then
			am=$(ls "$T"/qsrc/*/scripts/analyze-migration.py | head -1)
			rm -f "$T"/qsrc/qemu_*
		fi
	fi
fi
[ -n "$am" ] || say "SKIP analyze-migration.py: not at \$ANALYZE_MIGRATION and apt-get source qemu failed (add a deb-src line for bookworm)"

# ---- the runs ----
cases=(mig-o mig-o-vmcore raw-o elf-o kdump-o analyze cp)
cmd() { # CASE: the command line, run in $T/run
	case $1 in
	mig-o) echo "$BIN $T/dense.mig -o $T/run/out.img -q";;
	mig-o-vmcore) echo "$BIN $T/dense.mig -o $T/run/out.img --vmcore $T/run/out.vmcore -q";;
	raw-o) echo "$BIN $T/dense.raw --cpu-state $FX/crash.elf -o $T/run/out.img -q";;
	elf-o) [ -f "$T/dense.elf" ] && echo "$BIN $T/dense.elf -o $T/run/out.img -q";;
	kdump-o) echo "$BIN $T/dense.kdump -o $T/run/out.img -q";;
	analyze) [ -n "$am" ] && echo "$py $am -x -f $T/dense.mig";;
	cp) echo "cp --sparse=never $T/dense.raw $T/run/out.img";;
	esac
}
declare -A times rss writes
for c in "${cases[@]}"; do times[$c]=""; rss[$c]=0; done
for r in $(seq "$RUNS"); do
	for c in "${cases[@]}"; do
		line=$(cmd "$c") || continue
		rm -rf "$T/run"; mkdir "$T/run"; sync
		(cd "$T/run" && /usr/bin/time -f "%e %M" -o "$T/time" $line >/dev/null 2>"$T/err") ||
			{ say "$c failed: $(tail -3 "$T/err")"; exit 1; }
		read -r s m <"$T/time"
		times[$c]+="$s "
		[ "$m" -gt "${rss[$c]}" ] && rss[$c]=$m
	done
done
if command -v strace >/dev/null; then
	for c in "${cases[@]}"; do
		line=$(cmd "$c") || continue
		[ "$c" = analyze ] && continue	# python writes through its buffers: not comparable
		rm -rf "$T/run"; mkdir "$T/run"; sync
		(cd "$T/run" && strace -f -c -o "$T/strace" $line >/dev/null 2>&1) || true
		writes[$c]=$(awk '$NF ~ /^(write|pwrite64|pwritev|pwritev2|copy_file_range|ioctl)$/ {n += $4} END {print n + 0}' "$T/strace")
	done
fi
rm -rf "$T/run"

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "dense 2 GiB guest ($((size >> 20)) MiB, every page data); stream from $migfrom; $(nproc) CPUs; median of $RUNS"
printf "%-44s %9s %10s %9s\n" "" "time" "peak RSS" "writes"
for c in "${cases[@]}"; do
	[ -n "${times[$c]}" ] || { printf "%-44s %s\n" "$c" "SKIP"; continue; }
	printf "%-44s %7s s %6s MiB %9s\n" "$(cmd "$c" | sed "s|$T/||g; s|$top/||g; s|$BIN|mpiplsim|; s|$FX/||g; s|$am|analyze-migration.py|; s| -q||")" \
		"$(echo "${times[$c]}" | median)" $((rss[$c] / 1024)) "${writes[$c]:--}"
done
mo=$(echo "${times[mig-o]}" | median)
cpt=$(echo "${times[cp]}" | median)
echo "mpiplsim -o of the stream against cp of the raw: $(awk "BEGIN{printf \"%.2f\", $mo / $cpt}")x"
if [ -n "${times[analyze]}" ]; then
	an=$(echo "${times[analyze]}" | median)
	echo "analyze-migration.py -x against mpiplsim -o: $(awk "BEGIN{printf \"%.1f\", $an / $mo}")x slower"
fi
rm -f "$T"/dense.*

# ---- the big guest, for the memory bound ----
[ "$BIG" -gt 0 ] || exit 0
say "making a dense guest of $BIG GiB (synthetic stream)"
$py "$top/tools/mkdense.py" "$FX/crash.raw" "$T/big.raw" "$BIG"
$py "$top/tools/mkmig.py" "$T/big.raw" "$T/big.mig"
rm -f "$T/big.raw"
mkdir "$T/run"
/usr/bin/time -f "%e %M" -o "$T/time" "$BIN" "$T/big.mig" -o "$T/run/out.img" \
	--vmcore "$T/run/out.vmcore" --no-registers -q	# mkmig.py writes no cpu sections
read -r s m <"$T/time"
echo "dense $BIG GiB guest, synthetic stream, -o with --vmcore: $s s, peak RSS $((m / 1024)) MiB"
