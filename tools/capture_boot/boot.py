"""QEMU plumbing of the capture boot: the kernel and initramfs, QMP, the console, the device
tree patch through the gdbstub, and the boot itself up to /init's "CB: DONE"."""
import enum
import json
import os
import re
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Dict

from .results import squeeze

FDT_GPA = 0x01000000          # QEMU powernv PNV_FDT_ADDR
INIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "init.sh")
T0 = time.time()


def log(msg):
    print("[capture-boot %6.1fs] %s" % (time.time() - T0, msg), flush=True)


class Outcome(enum.Enum):
    DONE = "/init finished"
    PANIC = "the kernel panicked"
    QEMU_EXITED = "QEMU exited before /init finished"
    TIMEOUT = "the boot did not finish in time"


@dataclass
class Boot:
    proc: subprocess.Popen
    qmp: object
    console: object
    outcome: Outcome
    timings: Dict[str, float] = field(default_factory=dict)


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
        if "QMP" not in json.loads(self.f.readline()):
            raise RuntimeError("no QMP greeting")
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            r = json.loads(line)
            if "event" in r:
                continue
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))
            return r.get("return")


class Console:
    """The guest console (a unix socket QEMU also logs to a file)."""

    def __init__(self, path):
        self.s = connect(path)
        self.buf = ""
        self.marks = {}
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

    def wait_for(self, patterns, timeout):
        """First of the regexes (matched on squeezed text) to appear, or None."""
        deadline = time.time() + timeout
        with self.cv:
            while True:
                text = squeeze(self.buf)
                for p in patterns:
                    if re.search(squeeze(p), text):
                        return p
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.cv.wait(min(left, 1.0))

    def send(self, text):
        self.s.sendall(text.encode())


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def prepare_kernel(fixture, work):
    """The fixture's vmlinux without DWARF: QEMU's -kernel loader takes at most 128 MiB."""
    out = os.path.join(work, "vmlinux.boot")
    full = out + ".full"
    with open(full, "wb") as f:
        subprocess.run(["xz", "-dc", os.path.join(fixture, "vmlinux.xz")], stdout=f, check=True)
    subprocess.run(["powerpc64le-linux-gnu-objcopy", "--strip-debug", full, out], check=True)
    os.unlink(full)
    return out


def prepare_initrd(base_initrd, work):
    """The fixture's busybox initramfs with a second cpio appended that replaces /init
    (the kernel unpacks concatenated archives in order; no root needed for /dev/console)."""
    d = os.path.join(work, "initrd-init")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "init"), "w") as f, open(INIT) as src:
        f.write(src.read())
    os.chmod(os.path.join(d, "init"), 0o755)
    extra = subprocess.run("echo init | cpio -o -H newc --quiet --owner=0:0 | gzip -9 -n",
                           shell=True, cwd=d, check=True, stdout=subprocess.PIPE).stdout
    out = os.path.join(work, "initrd.cpio.gz")
    with open(out, "wb") as f:
        f.write(open(base_initrd, "rb").read())
        f.write(extra)
    return out


def patch_fdt(orig, out):
    """QEMU's tree + /ibm,opal/dump {compatible, fw-load-area, mpipl-boot (empty)}
    (mpipl.md §8)."""
    data = open(orig, "rb").read()
    magic, total = struct.unpack(">II", data[:8])
    if magic != 0xD00DFEED:
        raise RuntimeError("no FDT at 0x%x (magic 0x%x)" % (FDT_GPA, magic))
    open(out, "wb").write(data[:total])

    def put(*a):
        subprocess.run(["fdtput"] + list(a), check=True)
    put("-c", "-p", out, "/ibm,opal/dump")
    put("-t", "s", out, "/ibm,opal/dump", "compatible", "ibm,opal-dump")
    put("-t", "x", out, "/ibm,opal/dump", "fw-load-area",
        "0", "20000000", "0", "8000000", "0", "28000000", "0", "8000000")
    put("-t", "x", out, "/ibm,opal/dump", "mpipl-boot")    # no value, as skiboot's HDAT path
    got = subprocess.run(["fdtget", "-t", "bx", out, "/ibm,opal/dump", "mpipl-boot"],
                         capture_output=True, text=True)
    if got.returncode or got.stdout.strip():
        raise RuntimeError("mpipl-boot is not an empty property: %r" % got.stdout)


# --------------------------------------------------------------- the boot
def boot(a, work, kernel, initrd, machine, smp):
    """Start QEMU (machine, smp) on the post image, patch the device tree, run until /init
    is done (the guest is then paused for pmemsave) or fails. Returns a Boot."""
    timings = {}
    qmp_p, ser_p = os.path.join(work, "qmp.sock"), os.path.join(work, "console.sock")
    conlog = os.path.join(work, "console.log")
    for p in (qmp_p, ser_p, conlog):
        if os.path.exists(p):
            os.unlink(p)
    ram = os.path.getsize(a.post)
    port = free_port()
    cmd = [a.qemu, "-machine", "%s,memory-backend=ram0" % machine, "-m", "%dM" % (ram >> 20),
           "-object", "memory-backend-file,id=ram0,size=%dM,mem-path=%s,share=off" % (
               ram >> 20, a.post),
           "-smp", smp, "-bios", a.firmware, "-kernel", kernel, "-initrd", initrd,
           "-append", "console=hvc0 fadump=on cb_chunk=%d" % a.chunk,
           "-display", "none", "-monitor", "none",
           "-chardev", "socket,id=con0,path=%s,server=on,wait=off,logfile=%s" % (ser_p, conlog),
           "-serial", "chardev:con0", "-qmp", "unix:%s,server=on,wait=off" % qmp_p,
           "-gdb", "tcp:127.0.0.1:%d" % port, "-action", "reboot=shutdown", "-S"]
    log("QEMU: " + " ".join(cmd))
    qlog = open(os.path.join(work, "qemu.log"), "wb")
    proc = subprocess.Popen(cmd, stdout=qlog, stderr=subprocess.STDOUT)
    q = con = None
    try:
        q, con = QMP(qmp_p), Console(ser_p)
        orig, new = os.path.join(work, "fdt-qemu.dtb"), os.path.join(work, "fdt-mpipl.dtb")
        q.cmd("pmemsave", val=FDT_GPA, size=0x20000, filename=orig)
        patch_fdt(orig, new)
        back = new + ".readback"
        g = subprocess.run(["gdb-multiarch", "-nx", "-batch",
                            "-ex", "set architecture powerpc:common64",
                            "-ex", "target remote 127.0.0.1:%d" % port,
                            "-ex", "restore %s binary 0x%x" % (new, FDT_GPA),
                            "-ex", "dump binary memory %s 0x%x 0x%x" % (
                                back, FDT_GPA, FDT_GPA + os.path.getsize(new)),
                            "-ex", "detach"], capture_output=True, text=True, timeout=120)
        if g.returncode or open(new, "rb").read() != open(back, "rb").read():
            raise RuntimeError("device tree write through the gdbstub failed: %s" %
                               g.stderr.strip())
        log("device tree at 0x%x: /ibm,opal/dump with fw-load-area and an empty mpipl-boot "
            "(written through the gdbstub, read back equal); starting the guest" % FDT_GPA)
        if q.cmd("query-status")["status"] != "running":
            q.cmd("cont")
        t = time.time()
        deadline = t + a.timeout
        stages = [("skiboot_mpipl", r"Fast reboot disabled: MPIPL Boot"),
                  ("fadump_active", r"Firmware-assisted dump is active"),
                  ("init", r"CB: init"), ("done", r"CB: DONE")]
        seen = set()
        while len(seen) < len(stages):
            for key, pat in stages:
                if key not in seen and con.wait_for([pat], 0) is not None:
                    seen.add(key)
                    timings[key] = round(time.time() - t, 1)
                    log("%s after %s s" % (key, timings[key]))
            if "done" in seen:
                break
            if con.wait_for([r"Kernel panic"], 0) is not None:
                log("kernel panic on the console")
                return Boot(proc, q, con, Outcome.PANIC, timings)
            if proc.poll() is not None:
                log("QEMU exited (status %s) before /init finished" % proc.returncode)
                return Boot(proc, None, con, Outcome.QEMU_EXITED, timings)
            if time.time() > deadline:
                log("timed out after %d s" % a.timeout)
                return Boot(proc, q, con, Outcome.TIMEOUT, timings)
            con.wait_for([r"CB: DONE"], 1.0)
        q.cmd("stop")
        return Boot(proc, q, con, Outcome.DONE, timings)
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def finish(b):
    """Let the guest power off; kill QEMU if it does not exit."""
    proc, q, con = b.proc, b.qmp, b.console
    try:
        if q:
            q.cmd("cont")
        if con:
            con.send("poweroff\n")
        proc.wait(timeout=60)
    except Exception:
        pass
    if proc.poll() is None:
        proc.kill()
        proc.wait()


