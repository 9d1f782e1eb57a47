#!/usr/bin/env python3
"""capture-boot.py - boot the real capture kernel on mpiplsim's post-MPIPL image
and compare its /proc/vmcore with mpiplsim's --vmcore (mpipl.md §11).

QEMU 7.2 powernv9 runs with guest RAM = a private mapping of the post-MPIPL
image, the firmware = skiboot.lid with what hostboot writes into the payload
image (the processor dump area and the SPIRA-H MDRT count, copied from the
post-MPIPL image), and /ibm,opal/dump + "mpipl-boot" added to QEMU's device
tree through the gdbstub (QEMU 7.2 writes no dump node). The initramfs is the
fixture's busybox with a /init that prints /proc/vmcore's headers and notes
(base64) and an md5 of every PT_LOAD, then powers off.

Needs: qemu-system-ppc64, gdb-multiarch, fdtput, powerpc64le-linux-gnu-objcopy,
cpio. Only the v7.0 guest can be booted: its skiboot.lid is QEMU's own.

usage: tools/capture-boot.py [--snapshot build/fixtures/crash.mig]
                             [--shared ../shared/fixtures] [--keep DIR]
Exit 0 when headers and notes are byte-identical; every PT_LOAD's md5 is
reported (in-place segments differ where the capture boot itself writes).
"""
import argparse, base64, hashlib, json, os, re, shutil, socket, struct, subprocess
import sys, tempfile, threading, time

T0 = time.time()


def log(msg):
    print("[%6.1fs] %s" % (time.time() - T0, msg), flush=True)


def connect(path, timeout=60):
    deadline = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


class QMP:
    def __init__(self, path):
        self.f = connect(path).makefile("rwb", buffering=0)
        assert "QMP" in json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        while True:
            r = json.loads(self.f.readline())
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))
            return r.get("return")


class Console:
    def __init__(self, path):
        self.s = connect(path)
        self.buf = ""
        self.cv = threading.Condition()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                d = self.s.recv(65536)
            except OSError:
                d = b""
            if not d:
                return
            with self.cv:
                self.buf += d.decode("latin-1")
                self.cv.notify_all()

    def wait_for(self, pattern, timeout):
        deadline = time.time() + timeout
        with self.cv:
            while not re.search(pattern, self.buf):
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cv.wait(min(left, 1.0))
            return True


def phdrs(core):
    """(type, offset, paddr, memsz) of each program header of an LE Elf64 file."""
    with open(core, "rb") as f:
        eh = f.read(64)
        n = struct.unpack_from("<H", eh, 56)[0]
        f.seek(64)
        raw = f.read(56 * n)
    out = []
    for i in range(n):
        t, _, off, _, pa, fs, ms, _ = struct.unpack_from("<IIQQQQQQ", raw, 56 * i)
        out.append((t, off, pa, ms))
    return out


def patch_firmware(lid, post, out, base=0x30000000):
    """What hostboot writes into the payload image: the processor dump area and the
    SPIRA-H MDRT act_cnt, at their unrelocated offsets (mpipl.md §11)."""
    fw = bytearray(open(lid, "rb").read())
    sp = fw.find(b"\xd1\xf0SPIRAH")
    assert 0 <= sp < 0x20000, "no SPIRA-H in %s" % lid
    pda = struct.unpack_from(">Q", fw, sp + 0x40 + 6 * 0x20)[0] & ~(1 << 63)
    with open(post, "rb") as f:
        f.seek(base + pda)
        fw[pda:pda + 0x30] = f.read(0x30)
        f.seek(base + sp + 0x40 + 5 * 0x20 + 0x0a)
        fw[sp + 0x40 + 5 * 0x20 + 0x0a:sp + 0x40 + 5 * 0x20 + 0x0c] = f.read(2)
    open(out, "wb").write(fw)
    log("firmware: SPIRA-H at 0x%x, processor dump area at 0x%x patched" % (sp, pda))


INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/busybox --install -s /bin
exec </dev/console >/dev/console 2>&1
echo "CAPTURE: init, kernel $(uname -r)"
dmesg | grep -i -E 'fadump|vmcore' | sed 's/^/CAPTURE-DMESG: /'
ls -l /proc/vmcore | sed 's/^/CAPTURE: /'
for a in $(cat /proc/cmdline); do
  case "$a" in
    capture_head=*) head=${a#capture_head=} ;;
    capture_seg=*) segs="$segs ${a#capture_seg=}" ;;
  esac
done
echo "CAPTURE-HEAD-BEGIN"
dd if=/proc/vmcore bs=65536 count=$head 2>/dev/null | base64
echo "CAPTURE-HEAD-END"
for s in $segs; do
  skip=${s%:*}; count=${s#*:}
  echo "CAPTURE-SEG $skip $count $(dd if=/proc/vmcore bs=65536 skip=$skip count=$count 2>/dev/null | md5sum | cut -d' ' -f1)"
done
echo "CAPTURE: DONE"
poweroff -f
"""


def make_initrd(fixture_initrd, work, out):
    d = os.path.join(work, "initrd")
    os.makedirs(d)
    subprocess.run("gzip -dc '%s' | cpio -id --quiet" % fixture_initrd, shell=True, cwd=d,
                   check=True)
    with open(os.path.join(d, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(d, "init"), 0o755)
    subprocess.run("find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1 > '%s'" % out,
                   shell=True, cwd=d, check=True)


def patch_fdt(orig, out):
    data = open(orig, "rb").read()
    magic, total = struct.unpack(">II", data[:8])
    assert magic == 0xD00DFEED, "no FDT at 0x01000000"
    open(out, "wb").write(data[:total])
    run = lambda *a: subprocess.run(["fdtput"] + list(a), check=True)
    run("-c", out, "/ibm,opal/dump")
    run("-t", "s", out, "/ibm,opal/dump", "compatible", "ibm,opal-dump")
    run("-t", "x", out, "/ibm,opal/dump", "fw-load-area",
        "0", "20000000", "0", "8000000", "0", "28000000", "0", "8000000")
    run("-t", "x", out, "/ibm,opal/dump", "mpipl-boot")     # empty, as skiboot's HDAT path


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--snapshot", default=os.path.join(here, "build/fixtures/crash.mig"))
    ap.add_argument("--shared", default=os.path.join(here, "../shared/fixtures"))
    ap.add_argument("--skiboot", default="/usr/share/qemu/skiboot.lid")
    ap.add_argument("--mpiplsim", default=os.path.join(here, "build/mpiplsim"))
    ap.add_argument("--keep", help="work in this folder and keep it")
    ap.add_argument("--timeout", type=int, default=900)
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="mpiplsim-capture.")
    os.makedirs(work, exist_ok=True)
    post, core = os.path.join(work, "post.img"), os.path.join(work, "vmcore")
    subprocess.run([a.mpiplsim, a.snapshot, "-o", post, "--vmcore", core], check=True)
    fw = os.path.join(work, "skiboot.lid")
    patch_firmware(a.skiboot, post, fw)
    vml = os.path.join(work, "vmlinux.boot")
    subprocess.run("xz -dc '%s/vmlinux.xz' > '%s.full' && powerpc64le-linux-gnu-objcopy "
                   "--strip-debug '%s.full' '%s' && rm '%s.full'" % (a.shared, vml, vml, vml, vml),
                   shell=True, check=True)
    initrd = os.path.join(work, "initrd.cpio.gz")
    make_initrd(os.path.join(a.shared, "initramfs.cpio.gz"), work, initrd)

    ph = phdrs(core)
    page = 0x10000
    head = ph[1][1] // page if len(ph) > 1 else 2       # headers + notes, whole 64K pages
    segs = []
    for t, off, pa, ms in ph:
        if t == 1:
            start = off // page
            segs.append((start, (off + ms + page - 1) // page - start, pa))
    append = "console=hvc0 fadump=on capture_head=%d %s" % (
        head, " ".join("capture_seg=%d:%d" % (s, c) for s, c, _ in segs))

    qmp_p, ser_p = os.path.join(work, "qmp.sock"), os.path.join(work, "ser.sock")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    gdb_port = s.getsockname()[1]
    s.close()
    cmd = ["qemu-system-ppc64", "-machine", "powernv9,memory-backend=ram0", "-m", "2G",
           "-object", "memory-backend-file,id=ram0,size=2G,mem-path=%s,share=off" % post,
           "-smp", "2", "-bios", fw, "-kernel", vml, "-initrd", initrd, "-append", append,
           "-display", "none", "-monitor", "none",
           "-chardev", "socket,id=ser0,path=%s,server=on,wait=off,logfile=%s/console.log" % (
               ser_p, work),
           "-serial", "chardev:ser0", "-qmp", "unix:%s,server=on,wait=off" % qmp_p,
           "-gdb", "tcp:127.0.0.1:%d" % gdb_port, "-action", "reboot=shutdown", "-S"]
    log("QEMU: " + " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=open(os.path.join(work, "qemu.log"), "wb"),
                            stderr=subprocess.STDOUT)
    rc = 1
    try:
        q, con = QMP(qmp_p), Console(ser_p)
        orig, new = os.path.join(work, "fdt-orig.dtb"), os.path.join(work, "fdt-dump.dtb")
        q.cmd("pmemsave", val=0x01000000, size=0x20000, filename=orig)
        patch_fdt(orig, new)
        subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture powerpc:common64",
                        "-ex", "target remote 127.0.0.1:%d" % gdb_port,
                        "-ex", "restore %s binary 0x01000000" % new, "-ex", "detach"],
                       check=True, capture_output=True, timeout=120)
        log("device tree with /ibm,opal/dump and mpipl-boot written; booting")
        if q.cmd("query-status")["status"] != "running":
            q.cmd("cont")
        ok = con.wait_for(r"CAPTURE: DONE", a.timeout)
        log("console: %s" % ("capture done" if ok else "timed out"))
        text = con.buf.replace("\r", "")
        for line in text.splitlines():
            if re.search(r"MPIPL|DUMP:|CAPTURE|fadump|opal fadump", line) and "CAPTURE-SEG" not in line \
                    and len(line) < 200:
                print("  | " + line)
        m = re.search(r"CAPTURE-HEAD-BEGIN\n(.*?)CAPTURE-HEAD-END", text, re.S)
        if not m:
            log("no /proc/vmcore dump on the console (see %s/console.log)" % work)
            return 1
        theirs = base64.b64decode("".join(m.group(1).split()))
        with open(core, "rb") as f:
            ours = f.read(len(theirs))
        same = theirs == ours
        log("/proc/vmcore headers and notes (0x%x bytes): %s" % (
            len(theirs), "IDENTICAL to mpiplsim's" if same else "DIFFER"))
        if not same:
            diff = [i for i in range(min(len(ours), len(theirs))) if ours[i] != theirs[i]]
            log("  %d bytes differ, first at 0x%x" % (len(diff), diff[0] if diff else -1))
            open(os.path.join(work, "proc-vmcore-head.bin"), "wb").write(theirs)
        with open(core, "rb") as f:
            for skip, count, pa in segs:
                theirs_md5 = re.search(r"CAPTURE-SEG %d %d ([0-9a-f]+)" % (skip, count), text)
                f.seek(skip * page)
                h = hashlib.md5()
                for _ in range(count):
                    h.update(f.read(page))
                log("PT_LOAD paddr 0x%x (%d pages): %s" % (
                    pa, count, "identical" if theirs_md5 and theirs_md5.group(1) == h.hexdigest()
                    else "differs (capture kernel %s, mpiplsim %s)" % (
                        theirs_md5.group(1) if theirs_md5 else "?", h.hexdigest())))
        rc = 0 if same else 1
    finally:
        proc.kill()
        proc.wait()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
