#!/usr/bin/env bash
# qemu10.sh - snapshots written by QEMU 10.0 (tools/qemu10-snapshots: a running,
# fadump-registered powernv9 guest stopped at one moment) read as well as QEMU 7.2's:
# the plain migration stream, the mapped-ram file and the dump-guest-memory ELF each
# hold the RAM of the pmemsave raw file of that moment (mpiplsim compare), and each
# gives the post-MPIPL image that the raw file gives with the stream's registers.
# Without the snapshots (MPIPLSIM_QEMU10, default build/qemu10): one SKIP line.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${MPIPLSIM:=$here/build/mpiplsim}"
d=${MPIPLSIM_QEMU10:-$here/build/qemu10}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if ! [ -f "$d/running.raw" ] || ! [ -f "$d/running.mig" ] || ! [ -f "$d/running.mapped" ]; then
	skip_all "qemu10: no QEMU 10 snapshots in $d (make fixtures-qemu10, or" \
		"../shared/tools/qemu-trixie.sh DIR; tools/qemu10-snapshots --qemu DIR/bin/qemu-system-ppc64 --out $d)"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-qemu10.XXXXXX")
trap 'rm -rf "$T"' EXIT
inputs=(running.mig running.mapped)
[ -f "$d/running.elf" ] && inputs+=(running.elf)
[ -f "$d/running.kdump" ] && inputs+=(running.kdump)
for f in "${inputs[@]}"; do
	if "$MPIPLSIM" inspect "$d/$f" >"$T/$f.inspect" 2>"$T/$f.err"; then
		ok "$f: $(sed -n 's/^  format *//p' "$T/$f.inspect"); $(grep -c '^  vCPU' "$T/$f.inspect") vCPUs"
	else
		bad "$f: inspect: $(cat "$T/$f.err")"
		continue
	fi
	"$MPIPLSIM" compare "$d/$f" "$d/running.raw" >"$T/$f.cmp" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		ok "$f holds running.raw's RAM: $(tail -1 "$T/$f.cmp")"
	else
		bad "$f: compare with running.raw exit $rc: $(head -5 "$T/$f.cmp")"
	fi
done
# the post-MPIPL image: the raw RAM with the same file's registers is the reference (an
# ELF's notes lack DAR and DSISR, so its thread records differ from a stream's: by design)
for f in "${inputs[@]}"; do
	if "$MPIPLSIM" -q "$d/running.raw" --cpu-state "$d/$f" -o "$T/ref.img" 2>"$T/ref.err" &&
		"$MPIPLSIM" -q "$d/$f" -o "$T/post.img" 2>"$T/post.err" &&
		cmp -s "$T/ref.img" "$T/post.img"; then
		ok "$f gives the post-MPIPL image of running.raw --cpu-state $f"
	else
		bad "$f: post-MPIPL image differs or failed: $(cat "$T/ref.err" "$T/post.err")"
	fi
	rm -f "$T/post.img" "$T/ref.img"
done
if "$MPIPLSIM" -q "$d/running.mig" -o "$T/a.img" 2>"$T/a.err" &&
	"$MPIPLSIM" -q "$d/running.mapped" -o "$T/b.img" 2>>"$T/a.err" && cmp -s "$T/a.img" "$T/b.img"; then
	ok "running.mig and running.mapped give one post-MPIPL image"
else
	bad "running.mig and running.mapped: post-MPIPL images differ: $(cat "$T/a.err")"
fi
finish
