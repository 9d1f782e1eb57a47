#!/usr/bin/env bash
# extra_guests.sh - guests made on this machine by ../shared/tools/make-real-fixture.sh
# (`make fixtures-extra`: POWER10 with 2 chips x 2 cores, ...), too big to commit. For
# each WORKDIR/out under MPIPLSIM_EXTRA (default build/fixtures-extra) that holds
# crash.mig, crash.raw and the recipe's verify.json (read by its own script, not by
# mpiplsim): the tables mpiplsim finds equal the recipe's, the device tree's chips
# and cores are the machine's (-smp), crash.mig and crash.raw (+ --cpu-state) give
# one post-MPIPL image, and the debuggers read the vmcore (tests/clients.sh).
# No generated guest: one SKIP line.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
: "${MPIPLSIM:=$here/build/mpiplsim}"
extra=${MPIPLSIM_EXTRA:-$here/build/fixtures-extra}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-extra.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
for out in "$extra"/*/out; do
	[ -f "$out/crash.mig" ] && [ -f "$out/crash.raw" ] && [ -f "$out/verify.json" ] &&
		[ -f "$out/run-info.json" ] || continue
	n=$((n + 1))
	g=$(basename "$(dirname "$out")")
	echo "== $g ($(sed -n 's/^machine: //p' "$out/versions.txt" 2>/dev/null))"
	if "$MPIPLSIM" inspect --json "$out/crash.mig" >"$T/$g.json" 2>"$T/$g.err" &&
		python3 - "$T/$g.json" "$out/verify.json" "$out/run-info.json" >"$T/$g.cmp" 2>&1 <<'PY'
import json, re, sys
got = json.load(open(sys.argv[1]))
rec = [r for r in json.load(open(sys.argv[2])) if r["file"].endswith("/crash.raw")][0]
run = json.load(open(sys.argv[3]))
t = got["tables"]
h = lambda s: int(str(s).split("(")[0], 0)
bad = []
def eq(what, a, b):
    if a != b:
        bad.append("%s: mpiplsim %s, recipe %s" % (what, a, b))
eq("SPIRA-H", h(t["spirah"]) - h(t["opal_base"]), h(rec["spirah_off"]))
for k in ("mdst", "mddt"):
    eq(k + " count", len(t[k]), len(rec[k]))
    for a, b in zip(t[k], rec[k]):
        for f in ("addr", "size", "type"):
            eq("%s[%d].%s" % (k, a["index"], f), h(a[f]), h(b[f]))
        eq("%s[%d].region" % (k, a["index"]), h(a["region"]), h(b["region"]))
m = t["mpipl_metadata"]
for f in ("crashing_pir", "kernel_tag", "boot_mem_size"):
    eq("metadata " + f, h(m[f]), h(rec["metadata"][f]))
for f in ("alloc_addr", "alloc_size", "dest_addr", "act_size"):
    eq("processor dump area " + f, h(t["proc_dump_area"][f]), h(rec["proc_dump_area"][f]))
# chips x cores x threads of the machine (-smp N,cores=C,threads=T): chips = N / (C*T)
smp = run["qemu_cmd"][run["qemu_cmd"].index("-smp") + 1].split(",")
kv = dict(x.split("=") for x in smp[1:])
cores, threads = int(kv.get("cores", 0) or 0), int(kv.get("threads", 1))
dt = got["device_tree"]
chips = sorted({c["chip_id"] for c in dt["cores"]})
if cores:
    eq("chips", len(chips), int(smp[0]) // (cores * threads))
    for ch in chips:
        eq("cores of chip %s" % ch, sum(1 for c in dt["cores"] if c["chip_id"] == ch), cores)
eq("threads", sum(c["threads"] for c in dt["cores"]), int(smp[0]))
eq("memory chips", sorted({x["chip_id"] for x in dt["memory"]}), chips)
print("\n".join(bad) if bad else "tables, chips %s, %d cores equal the recipe's" %
      (chips, len(dt["cores"])))
sys.exit(1 if bad else 0)
PY
	then
		ok "$g: $(cat "$T/$g.cmp")"
	else
		bad "$g: inspect: $(cat "$T/$g.err" "$T/$g.cmp")"
	fi
	if "$MPIPLSIM" -q "$out/crash.mig" -o "$T/$g.mig.img" 2>"$T/$g.err" &&
		"$MPIPLSIM" -q "$out/crash.raw" --cpu-state "$out/crash.mig" -o "$T/$g.raw.img" \
			2>>"$T/$g.err" && cmp -s "$T/$g.mig.img" "$T/$g.raw.img"; then
		ok "$g: crash.mig and crash.raw --cpu-state give one post-MPIPL image"
	else
		bad "$g: post-MPIPL images of crash.mig and crash.raw differ: $(cat "$T/$g.err")"
	fi
	rm -f "$T/$g.mig.img" "$T/$g.raw.img"
	# the kernel and QEMU's registers of the crash moment, as clients.sh wants them
	mkdir -p "$T/$g.k"
	ln -s "$out/vmlinux" "$T/$g.k/vmlinux"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["crash_regs"].replace("\r", ""))' \
		"$out/run-info.json" >"$T/$g.k/cpu-registers.txt"
	if "$here/tests/clients.sh" "$out" "$T/$g.k" >"$T/$g.clients" 2>&1; then
		ok "$g: clients ($(tail -1 "$T/$g.clients"))"
	else
		bad "$g: clients:"; sed 's/^/  /' "$T/$g.clients"
	fi
	grep -E '^(PASS|SKIP|FAIL) ' "$T/$g.clients" | sed 's/^/    /'
done
if [ $n = 0 ]; then
	skipped "extra guests: none under $extra (make fixtures-extra makes them, about 5 minutes each)"
fi
finish
