#!/usr/bin/env bash
# capture_boot.sh - the whole loop on the real v7.0 guest (mpipl.md §11): mpiplsim makes
# the post-MPIPL image, the vmcore and the patched firmware from crash.mig; the real
# skiboot v7.0 and Linux 6.1 capture kernel boot on them under QEMU (tools/capture-boot);
# /proc/vmcore must have mpiplsim's headers, notes and PT_LOAD ranges, and every byte in
# which a segment differs must lie where the capture boot itself writes.
# Inputs: MPIPLSIM (binary), MPIPLSIM_SHARED (../shared/fixtures: vmlinux.xz,
# initramfs.cpio.gz), MPIPLSIM_FIXTURES (build/fixtures: crash.mig), MPIPLSIM_SKIBOOT
# (default QEMU's /usr/share/qemu/skiboot.lid). Counts a skip and exits 0 when QEMU or a
# tool is missing. About 2 minutes on 2 cores (timeout: CAPTURE_BOOT_TIMEOUT, 480 s).
# The master guest's skiboot.lid is not shipped; MPIPLSIM_SKIBOOT_MASTER=<a skiboot built
# from the commit in master/versions.txt> boots that guest too (2-3 more minutes). A
# rebuild (skiboot ecebf4fb3, SKIBOOT_VERSION=skiboot-master-ecebf4fb3 make
# CROSS=powerpc64-linux-gnu-, Debian gcc 12.2) has the same memory map and tables but is not
# byte-identical to the fixture's image: its code differs, inside skiboot's own region.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MPIPLSIM=${MPIPLSIM:-$HERE/build/mpiplsim}
SHARED=${MPIPLSIM_SHARED:-$HERE/../shared/fixtures}
FIX=${MPIPLSIM_FIXTURES:-$HERE/build/fixtures}
LID=${MPIPLSIM_SKIBOOT:-/usr/share/qemu/skiboot.lid}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for t in qemu-system-ppc64 gdb-multiarch fdtput fdtget powerpc64le-linux-gnu-objcopy cpio gzip xz python3; do
	command -v "$t" >/dev/null || skip_all "capture_boot: no $t (apt-get install qemu-system-ppc gdb-multiarch device-tree-compiler binutils-powerpc64le-linux-gnu cpio)"
done
[ -r "$LID" ] || skip_all "capture_boot: no $LID (qemu-system-data)"
for f in "$SHARED/vmlinux.xz" "$SHARED/initramfs.cpio.gz" "$FIX/crash.mig"; do
	[ -r "$f" ] || skip_all "capture_boot: no $f"
done
[ -x "$MPIPLSIM" ] || { bad "capture_boot: no binary $MPIPLSIM (make)"; finish; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-capture.XXXXXX")
trap 'rm -rf "$T"' EXIT

# boot GUEST LID: one guest ("" = v7.0, master/) on its firmware; returns the tool's status
boot() {
	local guest=$1 lid=$2 name=${1:-v7.0/} start rc
	start=$(date +%s)
	rm -rf "${T:?}/boot"
	"$MPIPLSIM" "$FIX/${guest}crash.mig" -o "$T/post.img" --vmcore "$T/vmcore" \
		--firmware "$lid" --firmware-out "$T/skiboot-mpipl.lid" ||
		{ echo "capture_boot: $name FAIL: mpiplsim exited $?"; return 1; }
	echo "capture_boot: $name mpiplsim wrote post.img, vmcore and skiboot-mpipl.lid in $(($(date +%s) - start)) s"
	"$HERE/tools/capture-boot" --fixture "$SHARED/$guest" --initramfs "$SHARED/initramfs.cpio.gz" \
		--post "$T/post.img" --firmware "$T/skiboot-mpipl.lid" --vmcore "$T/vmcore" \
		--out "$T/boot" --timeout "${CAPTURE_BOOT_TIMEOUT:-480}"
	rc=$?
	if [ "$rc" != 0 ] && [ -n "${CAPTURE_BOOT_KEEP:-}" ]; then
		mkdir -p "$CAPTURE_BOOT_KEEP/$guest" &&
			cp "$T"/boot/{console.log,report.txt,report.json} "$CAPTURE_BOOT_KEEP/$guest" 2>/dev/null
		echo "capture_boot: console log and report copied to $CAPTURE_BOOT_KEEP/$guest"
	fi
	echo "capture_boot: $name $([ "$rc" = 0 ] && echo PASS || echo "FAIL (exit $rc)") in $(($(date +%s) - start)) s"
	rm -f "$T/post.img" "$T/vmcore"
	return "$rc"
}

boot "" "$LID" && ok || bad "capture_boot: v7.0/ (above)"
if [ -n "${MPIPLSIM_SKIBOOT_MASTER:-}" ]; then
	boot master/ "$MPIPLSIM_SKIBOOT_MASTER" && ok || bad "capture_boot: master/ (above)"
else
	skipped "capture_boot: master/: its skiboot.lid is not shipped (MPIPLSIM_SKIBOOT_MASTER)"
fi
finish
