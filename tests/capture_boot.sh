#!/usr/bin/env bash
# capture_boot.sh - the whole loop on the real v7.0 guest (mpipl.md §11): mpiplsim makes
# the post-MPIPL image, the vmcore and the patched firmware from crash.mig; the real
# skiboot v7.0 and Linux 6.1 capture kernel boot on them under QEMU (tools/capture-boot);
# /proc/vmcore must have mpiplsim's headers, notes and PT_LOAD ranges, and every byte in
# which a segment differs must lie where the capture boot itself writes.
# Inputs: MPIPLSIM (binary), MPIPLSIM_SHARED (../shared/fixtures: vmlinux.xz,
# initramfs.cpio.gz), MPIPLSIM_FIXTURES (build/fixtures: crash.mig), MPIPLSIM_SKIBOOT
# (default QEMU's /usr/share/qemu/skiboot.lid). Prints SKIP and exits 0 when QEMU or a
# tool is missing. About 2 minutes on 2 cores (timeout: CAPTURE_BOOT_TIMEOUT, 480 s).
# The master guest cannot be booted: its skiboot.lid is not shipped.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MPIPLSIM=${MPIPLSIM:-$HERE/build/mpiplsim}
SHARED=${MPIPLSIM_SHARED:-$HERE/../shared/fixtures}
FIX=${MPIPLSIM_FIXTURES:-$HERE/build/fixtures}
LID=${MPIPLSIM_SKIBOOT:-/usr/share/qemu/skiboot.lid}

skip() { echo "capture_boot: SKIP: $*"; exit 0; }
for t in qemu-system-ppc64 gdb-multiarch fdtput fdtget powerpc64le-linux-gnu-objcopy cpio gzip xz python3; do
	command -v "$t" >/dev/null || skip "no $t (apt-get install qemu-system-ppc gdb-multiarch device-tree-compiler binutils-powerpc64le-linux-gnu cpio)"
done
[ -r "$LID" ] || skip "no $LID (qemu-system-data)"
for f in "$SHARED/vmlinux.xz" "$SHARED/initramfs.cpio.gz" "$FIX/crash.mig"; do
	[ -r "$f" ] || skip "no $f"
done
[ -x "$MPIPLSIM" ] || { echo "capture_boot: FAIL: no binary $MPIPLSIM (make)"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-capture.XXXXXX")
trap 'rm -rf "$T"' EXIT
start=$(date +%s)
"$MPIPLSIM" "$FIX/crash.mig" -o "$T/post.img" --vmcore "$T/vmcore" \
	--firmware "$LID" --firmware-out "$T/skiboot-mpipl.lid" ||
	{ echo "capture_boot: FAIL: mpiplsim exited $?"; exit 1; }
echo "capture_boot: mpiplsim wrote post.img, vmcore and skiboot-mpipl.lid in $(($(date +%s) - start)) s"
"$HERE/tools/capture-boot" --fixture "$SHARED" --post "$T/post.img" --firmware "$T/skiboot-mpipl.lid" \
	--vmcore "$T/vmcore" --out "$T/boot" --timeout "${CAPTURE_BOOT_TIMEOUT:-480}"
rc=$?
if [ "$rc" != 0 ] && [ -n "${CAPTURE_BOOT_KEEP:-}" ]; then
	mkdir -p "$CAPTURE_BOOT_KEEP" && cp "$T"/boot/{console.log,report.txt,report.json} "$CAPTURE_BOOT_KEEP"/ 2>/dev/null
	echo "capture_boot: console log and report copied to $CAPTURE_BOOT_KEEP"
fi
echo "capture_boot: $([ "$rc" = 0 ] && echo PASS || echo "FAIL (exit $rc)") in $(($(date +%s) - start)) s"
exit "$rc"
