#!/usr/bin/env bash
# capture_boot.sh [GUEST...] - the whole loop on real guests (mpipl.md §11): mpiplsim makes the
# post-MPIPL image, the vmcore and the patched firmware from the guest's crash.mig; the real
# skiboot v7.0 and the guest's Linux boot as the capture kernel on them under QEMU
# (tools/capture-boot, which reads the machine, -smp and RAM from the post image);
# /proc/vmcore must have mpiplsim's headers, notes and PT_LOAD ranges, and every byte in which
# a segment differs must lie where the capture boot itself writes.
# GUEST: v7.0 (../shared/fixtures: powernv9, Linux 6.1), linux-6.12 (powernv9, Linux 6.12,
# the FADMPSIG ABI), p10-2chip (powernv10, two chips, Linux 6.1), master (skiboot master
# layout; needs MPIPLSIM_SKIBOOT_MASTER). Default: v7.0 linux-6.12 (`make check-boot`, part of
# `make test`); `make check-boot-all` runs all four. About 2-3 minutes each on 2 cores.
# Inputs: MPIPLSIM (binary), MPIPLSIM_SHARED (../shared/fixtures), MPIPLSIM_FIXTURES
# (build/fixtures: GUEST/crash.mig decompressed, else the shared crash.mig.gz is read as it
# is), MPIPLSIM_SKIBOOT (default QEMU's /usr/share/qemu/skiboot.lid). Counts a skip (tests/lib.sh)
# when QEMU or a tool is missing (timeout per boot: CAPTURE_BOOT_TIMEOUT, 600 s).
# The master guest's skiboot.lid is not shipped; MPIPLSIM_SKIBOOT_MASTER=<a skiboot built from
# the commit in master/versions.txt> boots that guest too. A rebuild (skiboot ecebf4fb3,
# SKIBOOT_VERSION=skiboot-master-ecebf4fb3 make CROSS=powerpc64-linux-gnu-, Debian gcc 12.2)
# has the same memory map and tables but is not byte-identical to the fixture's image: its
# code differs, inside skiboot's own region.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MPIPLSIM=${MPIPLSIM:-$HERE/build/mpiplsim}
SHARED=${MPIPLSIM_SHARED:-$HERE/../shared/fixtures}
FIX=${MPIPLSIM_FIXTURES:-$HERE/build/fixtures}
LID=${MPIPLSIM_SKIBOOT:-/usr/share/qemu/skiboot.lid}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
GUESTS=${*:-v7.0 linux-6.12}
for t in qemu-system-ppc64 gdb-multiarch fdtput fdtget powerpc64le-linux-gnu-objcopy cpio gzip xz python3; do
	command -v "$t" >/dev/null || skip_all "capture_boot: no $t (apt-get install qemu-system-ppc gdb-multiarch device-tree-compiler binutils-powerpc64le-linux-gnu cpio)"
done
[ -r "$LID" ] || skip_all "capture_boot: no $LID (qemu-system-data)"
[ -x "$MPIPLSIM" ] || { bad "capture_boot: no binary $MPIPLSIM (make)"; finish; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-capture.XXXXXX")
trap 'rm -rf "$T"' EXIT

# boot NAME DIR LID: one guest (DIR: "" = the shared folder itself, or its subfolder/) on the
# firmware LID; returns the tool's status. The kernel is DIR's vmlinux.xz, else the shared one.
boot() {
	local name=$1 dir=$2 lid=$3 mig kdir initrd start rc
	mig=$FIX/${dir}crash.mig
	[ -r "$mig" ] || mig=$SHARED/${dir}crash.mig.gz
	kdir=$SHARED/$dir
	[ -r "$kdir/vmlinux.xz" ] || kdir=$SHARED
	initrd=$SHARED/${dir}initramfs.cpio.gz
	[ -r "$initrd" ] || initrd=$SHARED/initramfs.cpio.gz
	for f in "$mig" "$kdir/vmlinux.xz" "$initrd"; do
		[ -r "$f" ] || { skipped "capture_boot: $name: no $f"; return 77; }
	done
	start=$(date +%s)
	rm -rf "${T:?}/boot"
	"$MPIPLSIM" -q "$mig" -o "$T/post.img" --vmcore "$T/vmcore" \
		--firmware "$lid" --firmware-out "$T/skiboot-mpipl.lid" ||
		{ echo "capture_boot: $name FAIL: mpiplsim exited $?"; return 1; }
	echo "capture_boot: $name: mpiplsim wrote post.img, vmcore and skiboot-mpipl.lid in $(($(date +%s) - start)) s"
	"$HERE/tools/capture-boot" --mpiplsim "$MPIPLSIM" --fixture "$kdir" --initramfs "$initrd" \
		--post "$T/post.img" --firmware "$T/skiboot-mpipl.lid" --vmcore "$T/vmcore" \
		--out "$T/boot" --timeout "${CAPTURE_BOOT_TIMEOUT:-600}"
	rc=$?
	if [ "$rc" != 0 ] && [ -n "${CAPTURE_BOOT_KEEP:-}" ]; then
		mkdir -p "$CAPTURE_BOOT_KEEP/$name" &&
			cp "$T"/boot/{console.log,report.txt,report.json} "$CAPTURE_BOOT_KEEP/$name" 2>/dev/null
		echo "capture_boot: console log and report copied to $CAPTURE_BOOT_KEEP/$name"
	fi
	echo "capture_boot: $name $([ "$rc" = 0 ] && echo PASS || echo "FAIL (exit $rc)") in $(($(date +%s) - start)) s"
	rm -f "$T/post.img" "$T/vmcore"
	return "$rc"
}

# one guest: a pass, a failure, or (77) a skip boot() already counted
guest() {
	local name=$1 rc
	shift
	boot "$name" "$@"
	rc=$?
	[ "$rc" = 77 ] && return
	[ "$rc" = 0 ] && ok || bad "capture_boot: $name (above)"
}

for g in $GUESTS; do
	case $g in
	v7.0) guest v7.0 "" "$LID" ;;
	linux-6.12 | p10-2chip) guest "$g" "$g/" "$LID" ;;
	master)
		if [ -n "${MPIPLSIM_SKIBOOT_MASTER:-}" ]; then
			guest master master/ "$MPIPLSIM_SKIBOOT_MASTER"
		else
			skipped "capture_boot: master: its skiboot.lid is not shipped (MPIPLSIM_SKIBOOT_MASTER)"
		fi ;;
	*) bad "capture_boot: unknown guest $g (v7.0 linux-6.12 p10-2chip master)" ;;
	esac
done
finish
