#!/usr/bin/env bash
# dmesg.sh - `mpiplsim dmesg` on every shared guest (the 6.1/v7.0 fixtures, master/,
# linux-6.12/, p10-2chip/): its lines must equal makedumpfile --dump-dmesg's on the vmcore
# mpiplsim writes for the same guest, from every input format the folder ships (gzip as
# shipped, and decompressed in MPIPLSIM_FIXTURES when there), from the vmcore and from the
# post-MPIPL image; precrash.mig (no crash yet) must give its log, exit 0 and the
# "no crash recorded" warning from run and inspect; a search of RAM (no tables found) must
# find the same VMCOREINFO.
#
# makedumpfile: Debian's ppc64el build under qemu-user (../shared/tools/ppc64-clients.sh
# DIR; PPC64_CLIENTS=DIR, else ./ppc64-clients, build/ppc64-clients,
# /work/main/build/ppc64-clients). Without it, each comparison with makedumpfile is
# counted as skipped and the formats are compared with each other only.
# Needs MPIPLSIM, MPIPLSIM_SHARED (and optionally MPIPLSIM_FIXTURES); make check sets them.
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_SHARED:?run through make check}"
here=$(cd "$(dirname "$0")/.." && pwd)
FIX=${MPIPLSIM_FIXTURES:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-dmesg.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mdf=
for d in "${PPC64_CLIENTS:-}" "$here/ppc64-clients" "$here/build/ppc64-clients" \
	/work/main/build/ppc64-clients; do
	if [ -n "$d" ] && [ -x "$d/bin/makedumpfile" ]; then mdf=$d/bin/makedumpfile; break; fi
done

# same NAME FILE REF: FILE must equal REF byte for byte
same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		bad "$1: differs from $(basename "$3"): $(diff "$3" "$2" | head -5)"
	fi
}

# guest DIR (under MPIPLSIM_SHARED, "" for the top folder)
guest() {
	local g=$1 name=${1:-v7.0/} src=$MPIPLSIM_SHARED/$1 f ref
	local snap=$src/crash.mig.gz
	[ -e "$snap" ] || { bad "$name: no $snap"; return; }
	rm -f "$T"/*
	if ! "$MPIPLSIM" "$snap" -q --vmcore "$T/vmcore" -o "$T/post.img" 2>"$T/err"; then
		bad "$name: mpiplsim run: $(head -c 300 "$T/err")"; return
	fi
	"$MPIPLSIM" dmesg "$T/vmcore" >"$T/vmcore.txt" 2>"$T/err" ||
		{ bad "$name: dmesg of its vmcore: $(head -c 300 "$T/err")"; return; }
	grep -q 'Kernel panic - not syncing' "$T/vmcore.txt" && ok "$name: vmcore log has the panic" ||
		bad "$name: no panic line in the vmcore's log"
	if [ -n "$mdf" ]; then
		"$mdf" --dump-dmesg "$T/vmcore" "$T/mdf.txt" >"$T/mdf.log" 2>&1
		if grep -q 'makedumpfile Completed' "$T/mdf.log"; then
			same "$name: dmesg of the vmcore = makedumpfile --dump-dmesg" "$T/vmcore.txt" "$T/mdf.txt"
		else
			bad "$name: makedumpfile failed: $(head -c 300 "$T/mdf.log")"
		fi
		ref=$T/mdf.txt
	else
		skipped "$name: makedumpfile not found (../shared/tools/ppc64-clients.sh DIR; PPC64_CLIENTS=DIR)"
		ref=$T/vmcore.txt
	fi
	for f in "$src"/crash.*.gz "$T/post.img" ${FIX:+"$FIX/$g"crash.*}; do
		[ -e "$f" ] || continue
		case $f in *.vmcore) continue ;; esac
		if "$MPIPLSIM" dmesg "$f" >"$T/out.txt" 2>"$T/err"; then
			same "$name: dmesg $(basename "$f")" "$T/out.txt" "$ref"
		else
			bad "$name: dmesg $(basename "$f"): $(head -c 300 "$T/err")"
		fi
	done
}

guest ""
guest master/
guest linux-6.12/
guest p10-2chip/

# before the crash: the log, exit 0, the warning from run and inspect
pre=$MPIPLSIM_SHARED/precrash.mig.gz
[ -n "$FIX" ] && [ -e "$FIX/precrash.mig" ] && pre=$FIX/precrash.mig
if "$MPIPLSIM" dmesg -v "$pre" >"$T/pre.txt" 2>"$T/pre.err" && [ -s "$T/pre.txt" ] &&
	! grep -q 'Kernel panic' "$T/pre.txt" && grep -q "crash info header" "$T/pre.err"; then
	ok "precrash: dmesg gives $(wc -l <"$T/pre.txt") lines, no panic, VMCOREINFO through the crash info header"
else
	bad "precrash: dmesg: $(head -c 300 "$T/pre.err")"
fi
want='no crash recorded .*: the vmcore will show no crashed CPU'
"$MPIPLSIM" "$pre" --vmcore "$T/pre.vmcore" 2>"$T/run.err"
rc=$?
[ $rc = 0 ] && grep -q "^mpiplsim: warning: $want" "$T/run.err" && ok "precrash: run exits 0 with the warning" ||
	bad "precrash: run exit $rc: $(head -c 300 "$T/run.err")"
"$MPIPLSIM" inspect "$pre" >"$T/insp.txt" 2>"$T/insp.err"
rc=$?
[ $rc = 0 ] && grep -q "^mpiplsim: warning: $want" "$T/insp.err" &&
	grep -q '  crash     none recorded' "$T/insp.txt" && ok "precrash: inspect exits 0 with the warning" ||
	bad "precrash: inspect exit $rc: $(head -c 300 "$T/insp.err")"
"$MPIPLSIM" "$pre" -q --vmcore "$T/pre.vmcore" 2>"$T/q.err"
[ ! -s "$T/q.err" ] && ok "precrash: -q silences the warning" || bad "precrash: -q: $(head -c 200 "$T/q.err")"

# no tables found (a SPIRA-H address where there is none): VMCOREINFO by searching RAM
"$MPIPLSIM" dmesg -v --spirah 0x1000 "$pre" >"$T/scan.txt" 2>"$T/scan.err"
if grep -q 'a search of guest RAM' "$T/scan.err" && cmp -s "$T/scan.txt" "$T/pre.txt"; then
	ok "precrash: VMCOREINFO found by a search of RAM gives the same log"
else
	bad "precrash: search of RAM: $(head -c 300 "$T/scan.err")"
fi

# hostile: a file that is no snapshot of a Linux guest, and a truncated vmcore
head -c 1048576 /dev/zero >"$T/zero.raw"
"$MPIPLSIM" dmesg "$T/zero.raw" >/dev/null 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q 'no VMCOREINFO' "$T/err" && ok "zero RAM: exit 1, no VMCOREINFO" ||
	bad "zero RAM: exit $rc: $(head -c 300 "$T/err")"

finish
