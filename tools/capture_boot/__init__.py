"""capture_boot - the pieces of tools/capture-boot (mpipl.md §11).

elfcore   ELF64 core headers in either byte order (taken from e_ident)
fadump    the crashed kernel's fadump structures after the MPIPL, both ABIs: Linux up to
          6.8 ("FADMPINF", the ELF core header built by the crashed kernel) and 6.9+
          ("FADMPSIG" version 1, the capture kernel builds it); the PT_LOADs Linux will show
machine   the machine shape (powernv8/9/10, RAM, chips x cores x threads) from the post
          image's device tree, as `mpiplsim inspect --json` locates it
results   the guest's console result lines (init.sh prints them)
regions   why a byte the capture boot rewrote may differ (per chip's memory region)
boot      QEMU, QMP, the console and the device tree patch
main      the command: boot, compare, report, exit status

Everything except boot and main is pure (bytes and numbers in, records out) and covered
by tests/test_capture_boot.py.
"""
