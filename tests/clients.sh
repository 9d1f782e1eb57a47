#!/usr/bin/env bash
# clients.sh - open mpiplsim's vmcore of one real guest with the real debuggers:
# eu-readelf, gdb-multiarch, drgn, crash and makedumpfile (simulation.md §6).
#
# usage: tests/clients.sh FIXDIR [SHAREDDIR]
#   FIXDIR     holds crash.mig (or crash.mig.gz): build/fixtures, build/fixtures/master,
#              or the shared folder itself
#   SHAREDDIR  holds vmlinux.xz and cpu-registers.txt (default: FIXDIR if it has them,
#              else $MPIPLSIM_SHARED, plus /master when FIXDIR ends in /master)
# env: MPIPLSIM (default build/mpiplsim), PPC64_CLIENTS (a folder made by
#      ../shared/tools/ppc64-clients.sh, for crash and makedumpfile under qemu-user).
#
# A client that is not installed is counted as skipped. Exit 0 only if every available
# client passed; the last line is "N passed, N failed, N skipped". Nothing here knows the
# guest's size, CPUs, PIRs or crashing CPU.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 FIXDIR [SHAREDDIR]" >&2; exit 2; }
fix=$(cd "$1" && pwd) || exit 2
if [ $# -ge 2 ]; then
	shared=$2
elif [ -e "$fix/vmlinux.xz" ] || [ -e "$fix/vmlinux" ]; then
	shared=$fix
else
	shared=${MPIPLSIM_SHARED:-$here/../shared/fixtures}
	[ "$(basename "$fix")" = master ] && shared=$shared/master
fi
MPIPLSIM=${MPIPLSIM:-$here/build/mpiplsim}
snap=$fix/crash.mig
[ -e "$snap" ] || snap=$fix/crash.mig.gz
for f in "$MPIPLSIM" "$snap" "$shared/cpu-registers.txt"; do
	[ -e "$f" ] || { bad "$f is missing"; finish; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-clients.XXXXXX")
trap 'rm -rf "$T"' EXIT
# has FILE REGEX NAME: one check on a client's output
has() {
	if grep -Eq -- "$2" "$1"; then return 0; fi
	echo "  $3: no match for '$2' in $(basename "$1"):" && head -c 1500 "$1" | sed 's/^/    /'
	return 1
}

echo "guest: $fix (kernel from $shared)"
if [ -e "$shared/vmlinux" ]; then
	vmlinux=$shared/vmlinux
else
	xz -dc "$shared/vmlinux.xz" >"$T/vmlinux" || { bad "cannot unpack vmlinux.xz"; finish; }
	vmlinux=$T/vmlinux
fi
# the CPUs, from QEMU's register dump: "... CPU#0 = PIR 0, CPU#1 = PIR 4"
ncpu=$(head -1 "$shared/cpu-registers.txt" | grep -o '= PIR' | wc -l)
core=$T/vmcore core_pir=$T/vmcore.pir
"$MPIPLSIM" "$snap" --vmcore "$core" 2>"$T/run.err" &&
	"$MPIPLSIM" "$snap" --vmcore "$core_pir" --vmcore-pids=pir 2>>"$T/run.err" ||
	{ bad "mpiplsim: $(cat "$T/run.err")"; finish; }

# --- eu-readelf: every segment and note listed
if command -v eu-readelf >/dev/null; then
	eu-readelf -h -l -n "$core" >"$T/readelf" 2>&1
	phnum=$(sed -n 's/.*Number of program headers entries: *\([0-9]*\).*/\1/p' "$T/readelf")
	listed=$(grep -cE '^  (NOTE|LOAD) ' "$T/readelf")
	if [ -n "$phnum" ] && [ "$listed" = "$phnum" ] &&
		[ "$(grep -c 'CORE .*PRSTATUS' "$T/readelf")" = "$ncpu" ] &&
		has "$T/readelf" 'VMCOREINFO' eu-readelf && has "$T/readelf" 'OSRELEASE=' eu-readelf; then
		ok "eu-readelf: $phnum program headers, $ncpu NT_PRSTATUS notes, VMCOREINFO"
	else
		bad "eu-readelf: $listed of $phnum headers listed, $(grep -c 'PRSTATUS' "$T/readelf") PRSTATUS notes for $ncpu CPUs"
	fi
	release=$(sed -n 's/^ *OSRELEASE=//p' "$T/readelf" | head -1)
else
	skipped "eu-readelf: not installed (apt-get install elfutils)"
	release=
fi

# --- gdb-multiarch: symbols and memory on the default vmcore; every CPU's stack with pir pids
if command -v gdb-multiarch >/dev/null; then
	gdb-multiarch -batch -nx -ex 'set architecture powerpc:common64' -ex "file $vmlinux" \
		-ex "core-file $core" -ex 'x/s linux_banner' >"$T/gdb" 2>&1
	gdb-multiarch -batch -nx -ex 'set architecture powerpc:common64' -ex "file $vmlinux" \
		-ex "core-file $core_pir" -ex 'info threads' -ex 'thread apply all bt' >"$T/gdb.pir" 2>&1
	threads=$(grep -cE '^[ *] +[0-9]+ +(process|LWP|Thread) ' "$T/gdb.pir")
	if has "$T/gdb" "linux_banner>:.*\"Linux version ${release}" gdb &&
		[ "$threads" = "$ncpu" ] && has "$T/gdb.pir" ' in sysrq_handle_crash ' gdb &&
		has "$T/gdb.pir" ' in panic ' gdb; then
		ok "gdb-multiarch: $(grep -o 'Linux version [^ ]*' "$T/gdb" | head -1); $threads threads; $(grep -m1 -o 'in sysrq_handle_crash [^)]*)' "$T/gdb.pir")"
	else
		bad "gdb-multiarch ($threads threads for $ncpu CPUs)"
	fi
else
	skipped "gdb-multiarch: not installed (apt-get install gdb-multiarch)"
fi

# --- drgn: release, tasks, log, crashed thread
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import drgn' 2>/dev/null; then py=$p; break; fi
done
if [ -n "$py" ]; then
	cat >"$T/client_drgn.py" <<'EOF'
import sys, drgn
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_printk_records
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
print("release", prog["init_uts_ns"].name.release.string_().decode())
print("tasks", sum(1 for _ in for_each_task(prog)))
for r in get_printk_records(prog):
    if b"sysrq" in r.text:
        print("log", r.text.decode(errors="replace"))
t = prog.crashed_thread()
trace = t.stack_trace()
print("crashed thread frames", len(trace))
for f in trace:
    print("frame", f.name or hex(f.pc))
EOF
	"$py" "$T/client_drgn.py" "$core" "$vmlinux" >"$T/drgn" 2>&1
	tasks=$(sed -n 's/^tasks //p' "$T/drgn")
	if has "$T/drgn" "^release ${release:-.}" drgn && [ "${tasks:-0}" -gt 1 ] &&
		has "$T/drgn" '^log sysrq: Trigger a crash' drgn &&
		has "$T/drgn" '^frame [a-z_]' drgn; then
		ok "drgn: $(grep ^release "$T/drgn"), $tasks tasks, crashed thread: $(grep -m1 '^frame' "$T/drgn" | cut -d' ' -f2) ($(sed -n 's/^crashed thread frames //p' "$T/drgn") frames)"
	else
		bad drgn
	fi
else
	skipped "drgn: not installed (apt-get install python3-drgn)"
fi

# --- crash and makedumpfile: ppc64el builds under qemu-user
clients=${PPC64_CLIENTS:-}
for d in "$clients" "$here/ppc64-clients" "$here/build/ppc64-clients"; do
	if [ -n "$d" ] && [ -x "$d/bin/crash" ]; then clients=$d; break; fi
done
if [ -n "$clients" ] && [ -x "$clients/bin/crash" ]; then
	printf 'sys\nbt\nlog\nquit\n' >"$T/crash.cmd"
	"$clients/bin/crash" -s -i "$T/crash.cmd" "$vmlinux" "$core" >"$T/crash" 2>&1
	if has "$T/crash" 'PANIC: "Kernel panic - not syncing: sysrq triggered crash' crash &&
		has "$T/crash" ' sysrq_handle_crash at ' crash &&
		has "$T/crash" 'sysrq: Trigger a crash' crash; then
		ok "crash: $(grep -m1 -o 'PANIC: .*' "$T/crash"); bt $(grep -m1 -o '#[0-9]* .*sysrq_handle_crash at [0-9a-f]*' "$T/crash")"
	else
		bad crash
	fi
else
	skipped "crash: no ppc64el build (run ../shared/tools/ppc64-clients.sh DIR, then PPC64_CLIENTS=DIR)"
fi
if [ -n "$clients" ] && [ -x "$clients/bin/makedumpfile" ]; then
	"$clients/bin/makedumpfile" --dump-dmesg "$core" "$T/dmesg" >"$T/mdf" 2>&1
	if has "$T/mdf" 'makedumpfile Completed' makedumpfile &&
		has "$T/dmesg" 'sysrq: Trigger a crash' makedumpfile; then
		ok "makedumpfile --dump-dmesg: $(grep -c . "$T/dmesg") lines, $(grep -m1 -o 'sysrq: Trigger a crash' "$T/dmesg")"
	else
		bad makedumpfile
	fi
else
	skipped "makedumpfile: no ppc64el build (run ../shared/tools/ppc64-clients.sh DIR, then PPC64_CLIENTS=DIR)"
fi

finish
