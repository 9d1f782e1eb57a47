#!/usr/bin/env bash
# cli.sh - the command line on the real fixtures: exit status, messages, no
# partial output, the input never modified, byte-identical reruns.
# Needs MPIPLSIM (the binary), MPIPLSIM_FIXTURES (decompressed fixtures); make check sets both.
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_FIXTURES:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# expect STATUS REGEX -- ARGS...: run, check the exit status and that stderr matches
expect() {
	local want=$1 re=$2; shift 3
	"$MPIPLSIM" "$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" != "$want" ]; then
		bad "mpiplsim $*: exit $got, expected $want; stderr: $(head -c 400 "$T/err")"
	elif [ -n "$re" ] && ! grep -Eq -- "$re" "$T/err"; then
		bad "mpiplsim $*: stderr does not match '$re': $(head -c 400 "$T/err")"
	else
		ok
	fi
}

# no file named like the output, or its temporary, may exist
no_output() {
	if compgen -G "$1*" >/dev/null; then bad "output left behind: $(ls "$1"*)"; else ok; fi
}

# FILE OFFSET HEXBYTES: overwrite bytes of our private copy, remembering the old ones
undo=()
poke() {
	local n=$((${#3} / 2)) old
	old=$(od -An -tx1 -v -j $(($2)) -N "$n" "$1" | tr -d ' \n')
	undo+=("$1 $(($2)) $old")
	printf "$(echo "$3" | sed 's/../\\x&/g')" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
# put every poked byte back, newest first
unpoke() {
	local i f o h
	for ((i = ${#undo[@]} - 1; i >= 0; i--)); do
		read -r f o h <<<"${undo[$i]}"
		printf "$(echo "$h" | sed 's/../\\x&/g')" | dd of="$f" bs=1 seek="$o" conv=notrunc status=none
	done
	undo=()
}

for guest in "" master/; do
	raw=$MPIPLSIM_FIXTURES/${guest}crash.raw
	name=${guest:-v7.0/}
	sum_before=$(md5sum <"$raw")

	# the happy path: quiet, sparse, byte-identical across runs
	expect 0 "" -- "$raw" -o "$T/a.img" --no-registers
	[ ! -s "$T/err" ] && ok || bad "$name: a successful run printed: $(cat "$T/err")"
	expect 0 "" -- "$raw" -o "$T/b.img" --no-registers
	cmp -s "$T/a.img" "$T/b.img" && ok || bad "$name: two runs differ"
	[ "$(stat -c %s "$T/a.img")" = "$(stat -c %s "$raw")" ] && ok || bad "$name: size differs"
	[ "$(du -k "$T/a.img" | cut -f1)" -lt 200000 ] && ok || bad "$name: output not sparse"
	[ "$(md5sum <"$raw")" = "$sum_before" ] && ok || bad "$name: input modified"
	rm -f "$T/a.img" "$T/b.img"

	# raw carries no registers: a clear usage error, no output
	expect 2 "carries no CPU registers.*--cpu-state.*--no-registers" -- "$raw" -o "$T/c.img"
	no_output "$T/c.img"

	# inspect: text and JSON, nothing written
	expect 0 "" -- inspect "$raw" --no-registers
	grep -q "MDST (2 entries)" "$T/out" && ok || bad "$name: inspect text lacks MDST"
	expect 0 "" -- inspect --json "$raw" --no-registers
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tables"]["mdst"][1]["size"]=="0x30000000"; assert d["plan"]["mdrt_entries"]==2' "$T/out" \
		&& ok || bad "$name: inspect --json content"

	# truncated file: the tables are cut off
	cp --sparse=always "$raw" "$T/bad.raw"
	truncate -s $((0x31c00000)) "$T/bad.raw"
	expect 1 "bad.raw: MDRT: .*exceeds RAM" -- "$T/bad.raw" -o "$T/d.img" --no-registers
	no_output "$T/d.img"
	truncate -s $((0x30010100)) "$T/bad.raw"
	# not whole 4 KiB pages: no longer taken for raw unless forced (issue 14 item 7)
	expect 1 "bad.raw: SPIRA-H: .*exceeds RAM" -- "$T/bad.raw" -o "$T/d.img" --no-registers --format raw
	no_output "$T/d.img"
	rm -f "$T/bad.raw"
	cp --sparse=always "$raw" "$T/bad.raw"

	# read the table positions from inspect --json, then corrupt a private copy
	"$MPIPLSIM" inspect --json "$raw" --no-registers >"$T/j"
	get() { python3 -c "import json,sys; d=json.load(open('$T/j')); print(eval(sys.argv[1]))" "$1"; }
	spirah=$(get 'd["tables"]["spirah"]')
	mdst=$(get 'd["tables"]["ntuples"][3]["gpa"]')
	mddt=$(get 'd["tables"]["ntuples"][4]["gpa"]')

	unpoke
	poke "$T/bad.raw" "$spirah" 0000
	expect 1 "bad.raw: SPIRA-H: no SPIRA-H" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"
	unpoke
	poke "$T/bad.raw" $((spirah + 0x38)) 00000018
	# the message prints the guest address the error carries (issue 14)
	expect 1 "bad.raw: SPIRA-H: ntuple esize 0x18, expected 0x20 \\(at $(printf 0x%x $((spirah + 0x38)))\\)$" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"

	# MDST ntuple address outside RAM
	unpoke
	poke "$T/bad.raw" $((spirah + 0x40 + 3 * 0x20)) 00000000f0000000
	expect 1 "bad.raw: MDST: .*exceeds RAM" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"

	# counts beyond the allocation
	unpoke
	poke "$T/bad.raw" $((spirah + 0x40 + 4 * 0x20 + 10)) 0041
	expect 1 "bad.raw: MDDT: act_cnt 65 exceeds alloc_cnt 64" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"

	# a destination overlapping another, and two identical destinations
	unpoke
	dest0=$(get 'd["tables"]["mddt"][0]["addr"]')
	poke "$T/bad.raw" $((mddt + 16)) "$(printf %016x $((dest0 + 0x1000)))"
	expect 1 "bad.raw: MDDT entry 1: destination .* overlaps entry 0" -- "$T/bad.raw" -o "$T/e.img" --vmcore "$T/e.core" --no-registers
	no_output "$T/e.img"
	no_output "$T/e.core"
	poke "$T/bad.raw" $((mddt + 16)) "$(printf %016x "$dest0")"
	expect 1 "bad.raw: MDDT entry 1: destination .* overlaps entry 0" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"
	# inspect: the error on stderr only, once; stdout says the plan failed; JSON has its fields
	expect 1 "^mpiplsim: $T/bad.raw: MDDT entry 1: destination .* overlaps entry 0" -- inspect "$T/bad.raw" --no-registers
	[ "$(wc -l <"$T/err")" = 1 ] && ok || bad "$name: inspect error: more than one line: $(cat "$T/err")"
	grep -qx "plan: cannot simulate (the error is on stderr)" "$T/out" && ! grep -q overlaps "$T/out" \
		&& ok || bad "$name: inspect stdout on a plan error: $(grep -A1 "^plan" "$T/out")"
	expect 1 "" -- inspect --json "$T/bad.raw" --no-registers
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["plan"]["error"]; assert (e["kind"], e["file"], e["table"], e["entry"]) == ("input", sys.argv[2], "MDDT", 1), e; assert e["message"].startswith(sys.argv[2] + ": MDDT entry 1: destination"), e' "$T/out" "$T/bad.raw" \
		&& ok || bad "$name: inspect --json plan.error fields"

	# a source entry running past the end of RAM
	unpoke
	poke "$T/bad.raw" $((mdst + 16 + 12)) ffffffff
	poke "$T/bad.raw" $((mdst + 16)) 800000007fff0000
	expect 1 "bad.raw: MDST entry 1: addr 0x800000007fff0000 size 0xffffffff" -- "$T/bad.raw" -o "$T/e.img" --no-registers
	no_output "$T/e.img"
	unpoke
	cmp -s "$raw" "$T/bad.raw" && ok || bad "$name: unpoke did not restore the copy"
	rm -f "$T/bad.raw"
done

# The same moment in every format (issue 5): raw + --cpu-state ELF, ELF and kdump carry
# the same registers and give byte-identical images; mig carries more SPRs (and DAR,
# DSISR, which QEMU's ELF notes leave out), so mig and raw + --cpu-state mig agree with
# each other; all of them make the same copies and MDRT.
for guest in "" master/; do
	fx=$MPIPLSIM_FIXTURES/$guest
	name=${guest:-v7.0/}
	runs=("raw+mig:$fx/crash.raw --cpu-state $fx/crash.mig" "mig:$fx/crash.mig" "kdump:$fx/crash.kdump")
	[ -z "$guest" ] && runs=("raw+elf:$fx/crash.raw --cpu-state $fx/crash.elf" "elf:$fx/crash.elf"
		"kdump:$fx/crash.kdump" "raw+mig:$fx/crash.raw --cpu-state $fx/crash.mig" "mig:$fx/crash.mig")
	for r in "${runs[@]}"; do
		label=${r%%:*}
		# shellcheck disable=SC2086
		expect 0 "" -- ${r#*:} -o "$T/$label.img" -q
		# shellcheck disable=SC2086
		"$MPIPLSIM" inspect --json -q ${r#*:} >"$T/$label.json"
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump({"tables": d["tables"], "pieces": d["plan"]["pieces"], "mdrt": d["plan"]["mdrt_entries"], "cpus": [c["pir"] for c in d["cpu_state"]["cpus"]]}, open(sys.argv[2], "w"), sort_keys=True)' "$T/$label.json" "$T/$label.plan"
	done
	if [ -z "$guest" ]; then
		cmp -s "$T/raw+elf.img" "$T/elf.img" && ok || bad "$name: raw+--cpu-state elf and elf differ"
		cmp -s "$T/elf.img" "$T/kdump.img" && ok || bad "$name: elf and kdump images differ"
		cmp -s "$T/raw+mig.img" "$T/mig.img" && ok || bad "$name: raw+--cpu-state mig and mig differ"
		for l in elf kdump raw+mig mig; do
			cmp -s "$T/raw+elf.plan" "$T/$l.plan" && ok || bad "$name: $l plans other copies or CPUs"
		done
	else
		cmp -s "$T/raw+mig.img" "$T/mig.img" && ok || bad "$name: raw+--cpu-state mig and mig differ"
		cmp -s "$T/mig.plan" "$T/kdump.plan" && ok || bad "$name: kdump and mig plan other copies"
	fi
	rm -f "$T"/*.img
done

# compare: 0 equal, 1 different, 2 trouble; one grep-able line per difference
raw=$MPIPLSIM_FIXTURES/crash.raw
expect 0 "" -- "$raw" -o "$T/p.img" --no-registers
expect 0 "" -- compare "$T/p.img" "$T/p.img"
[ "$(tail -n 1 "$T/out")" = "compare: equal" ] && ok || bad "compare of an image with itself: $(tail -n 1 "$T/out")"
expect 1 "" -- compare "$T/p.img" "$raw"
grep -qx "MDRT entry 0: dest 0x8000000031c50000 / 0x0" "$T/out" && ok || bad "compare: no MDRT entry 0 dest line"
grep -qx "SPIRA-H: mdrt_act_cnt 2 / 1024 \[D9\]" "$T/out" && ok || bad "compare: no act_cnt line"
grep -q "^range MDDT entry 1 destination 0x34c30000+0x30000000: 0x[0-9a-f]* bytes differ, first at 0x34c3" "$T/out" \
	&& ok || bad "compare: no preserved-range line"
grep -q "^rest of RAM" "$T/out" && bad "compare: the rest of RAM differs" || ok
grep -q "^compare: differ: 12 fields, 5 ranges" "$T/out" && ok || bad "compare summary: $(tail -n 1 "$T/out")"
expect 1 "" -- compare --json "$T/p.img" "$raw"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["equal"]; assert d["rest"]["differing_bytes"]=="0x0"' "$T/out" \
	&& ok || bad "compare --json content"
cp --sparse=always "$T/p.img" "$T/short.img"
truncate -s $((0x40000000)) "$T/short.img"
expect 1 "" -- compare "$T/p.img" "$T/short.img"
grep -qx "RAM: size 0x80000000 / 0x40000000" "$T/out" && ok || bad "compare: RAM size line"
expect 2 "missing SNAPSHOT" -- compare "$raw"
expect 2 "too many arguments" -- compare "$raw" "$raw" "$raw"
expect 2 "--cpu-state does not apply" -- compare --cpu-state "$raw" "$raw" "$raw"
# trouble is 2, never taken for "different" (cmp and diff's convention, issue 14)
expect 2 "cannot open" -- compare "$T/missing.img" "$raw"
head -c 65536 "$raw" >"$T/tiny.raw"
expect 2 "tiny.raw: SPIRA-H: " -- compare "$T/p.img" "$T/tiny.raw"
expect 2 "^mpiplsim: --profile does not apply to compare" -- compare "$T/p.img" "$raw" --profile hostboot
expect 2 "^mpiplsim: -o does not apply to compare, which writes nothing" -- compare "$T/p.img" "$raw" -o "$T/c.img"
no_output "$T/c.img"
rm -f "$T/p.img" "$T/short.img" "$T/tiny.raw"

# --verbose explains the decisions on stderr; outputs do not change
expect 0 "verbose: .*SPIRA-H at 0x30010400 .*found searching" -- -v "$raw" -o "$T/v.img" --no-registers
grep -q "verbose: piece 1: MDST entry 1 -> MDDT entry 1: 0x0 -> 0x34c30000" "$T/err" && ok || bad "verbose: no piece line"
grep -q "verbose: .*MDRT at 0x31c00000: ntuple 5 holds 0x31c00000, an absolute address" "$T/err" && ok || bad "verbose: no MDRT line"
expect 0 "verbose: register DAR dropped from every record" -- -v "$MPIPLSIM_FIXTURES/crash.elf" -o "$T/w.img"
expect 0 "" -- "$raw" -o "$T/q.img" --no-registers
cmp -s "$T/v.img" "$T/q.img" && ok || bad "--verbose changed the output"
rm -f "$T/v.img" "$T/w.img" "$T/q.img"

# --firmware/--firmware-out (mpipl.md §11): the patched copy holds, at the image's own
# offsets, the bytes the post-MPIPL image holds at base + those offsets; the original is
# never written; a bad or foreign image leaves no output at all
LID=${MPIPLSIM_SKIBOOT:-/usr/share/qemu/skiboot.lid}
if [ -r "$LID" ]; then
	fx=$MPIPLSIM_FIXTURES
	lid_sum=$(md5sum <"$LID")
	expect 0 "" -- "$fx/crash.mig" -o "$T/f.img" --firmware "$LID" --firmware-out "$T/f.lid"
	[ "$(md5sum <"$LID")" = "$lid_sum" ] && ok || bad "firmware: original modified"
	[ "$(cmp -l "$LID" "$T/f.lid" | wc -l)" -le 19 ] && ok || bad "firmware: more than 19 bytes differ"
	for f in 0x10700:4 0x10704:1 0x10720:8 0x1072c:4 0x104ea:2; do
		o=$((${f%:*})) n=${f#*:}
		[ "$(od -An -tx1 -j "$o" -N "$n" "$T/f.lid")" = "$(od -An -tx1 -j $((0x30000000 + o)) -N "$n" "$T/f.img")" ] \
			&& ok || bad "firmware: $f differs from the post image at base + ${f%:*}"
	done
	expect 0 "" -- "$fx/crash.mig" -o "$T/g.img" --firmware "$LID" --firmware-out "$T/g.lid"
	cmp -s "$T/f.lid" "$T/g.lid" && ok || bad "firmware: two runs differ"
	rm -f "$T"/*.img "$T"/g.lid
	# the same file as input and output, or an output named twice: usage errors
	cp "$LID" "$T/own.lid"
	expect 2 "never modified" -- "$fx/crash.mig" --firmware "$T/own.lid" --firmware-out "$T/own.lid"
	expect 2 "never modified" -- "$fx/crash.mig" --firmware "$T/own.lid" --firmware-out "$T/h.lid" -o "$T/own.lid"
	expect 2 "names another output" -- "$fx/crash.mig" --firmware "$T/own.lid" --firmware-out "$T/h.lid" --vmcore "$T/h.lid"
	expect 2 "go together" -- "$fx/crash.mig" --firmware "$T/own.lid" -o "$T/h.img"
	expect 2 "go together" -- "$fx/crash.mig" --firmware-out "$T/h.lid"
	cmp -s "$LID" "$T/own.lid" && ok || bad "firmware: a usage error touched the image"
	# bad images: exit 1, nothing written (not even the -o image)
	head -c 65792 "$LID" >"$T/short.lid"
	expect 1 "short.lid: 0x10100 bytes, too small" -- "$fx/crash.mig" -o "$T/h.img" --firmware "$T/short.lid" --firmware-out "$T/h.lid"
	no_output "$T/h.img"; no_output "$T/h.lid"
	head -c 200000 /dev/zero >"$T/zero.lid"
	expect 1 "zero.lid: SPIRA-H: no SPIRA-H" -- "$fx/crash.mig" -o "$T/h.img" --firmware "$T/zero.lid" --firmware-out "$T/h.lid"
	no_output "$T/h.img"; no_output "$T/h.lid"
	expect 1 "SPIRA-H: at 0x10400 in the image, at base \+ 0x10000 in the snapshot: not the firmware" -- \
		"$fx/master/crash.mig" -o "$T/h.img" --vmcore "$T/h.core" --firmware "$LID" --firmware-out "$T/h.lid"
	no_output "$T/h.img"; no_output "$T/h.lid"; no_output "$T/h.core"
	expect 3 "cannot open" -- "$fx/crash.mig" --firmware "$T/none.lid" --firmware-out "$T/h.lid"
	no_output "$T/h.lid"
	rm -f "$T"/*.lid
else
	skipped "--firmware tests: no $LID (qemu-system-data)"
fi

# usage errors exit 2
expect 2 "" -- --no-such-option
expect 2 "nothing to write" -- "$MPIPLSIM_FIXTURES/crash.raw"
expect 2 "unknown format" -- "$MPIPLSIM_FIXTURES/crash.raw" -o "$T/x" --format nope
expect 0 "" -- --version
# I/O errors exit 3: a missing input, an output directory that does not exist
expect 3 "cannot open" -- "$T/missing.raw" -o "$T/x.img" --no-registers
expect 3 "cannot create" -- "$MPIPLSIM_FIXTURES/crash.raw" -o "$T/no/such/dir/x.img" --no-registers

# Issue 14: outputs never destroy anything; every user mistake gets one clear answer.
# Inputs are private copies whose checksums must not change; nothing may be left behind,
# temporary files (NAME.XXXXXX) included.
S=$T/safe
mkdir -p "$S/other"
kd=$S/in.kdump
cp "$MPIPLSIM_FIXTURES/master/crash.kdump" "$kd"
kd_sum=$(md5sum <"$kd")

# one_line TEXT: stderr is exactly this one line
one_line() {
	if [ "$(cat "$T/err")" = "$1" ]; then ok; else bad "stderr is not the one line '$1': $(head -c 400 "$T/err")"; fi
}
# no_temps DIR...: no NAME.XXXXXX temporary left in any of them
no_temps() {
	local d
	for d in "$@"; do
		if compgen -G "$d/*.??????" >/dev/null; then bad "temporary left in $d: $(ls "$d")"; else ok; fi
	done
}
# unchanged: the snapshot copy still has its checksum
unchanged() {
	[ "$(md5sum <"$kd")" = "$kd_sum" ] && ok || bad "$1: the input was modified"
}

# 1. no output is an input or another output (device and inode, symlinks followed)
ln "$kd" "$S/hard.kdump"
ln -s in.kdump "$S/sym.kdump"
expect 2 "" -- "$kd" -o "$kd"
one_line "mpiplsim: $kd: -o names the snapshot, which is never modified"
expect 2 "" -- "$kd" -o "$S/hard.kdump"
one_line "mpiplsim: $S/hard.kdump: -o names the snapshot $kd (the same file), which is never modified"
expect 2 "" -- "$kd" --vmcore "$S/sym.kdump"
one_line "mpiplsim: $S/sym.kdump: --vmcore names the snapshot $kd (the same file), which is never modified"
expect 2 "" -- "$MPIPLSIM_FIXTURES/master/crash.raw" --cpu-state "$S/sym.kdump" -o "$S/x.img" --vmcore "$S/hard.kdump"
one_line "mpiplsim: $S/hard.kdump: --vmcore names the --cpu-state snapshot $S/sym.kdump (the same file), which is never modified"
no_output "$S/x.img"
[ -L "$S/sym.kdump" ] && [ "$(readlink "$S/sym.kdump")" = in.kdump ] && ok || bad "the input symlink changed"
# two outputs: two spellings, a symlink to a file not yet there, hard links
expect 2 "" -- "$kd" -o "$S/two.img" --vmcore "$S/../safe/two.img"
one_line "mpiplsim: $S/../safe/two.img: --vmcore names another output too (-o)"
ln -s two.img "$S/two.lnk"
expect 2 "" -- "$kd" -o "$S/two.img" --vmcore "$S/two.lnk"
one_line "mpiplsim: $S/two.lnk: --vmcore names another output too (-o)"
rm -f "$S/two.lnk"
echo old >"$S/h1.img"
ln "$S/h1.img" "$S/h2.img"
expect 2 "" -- "$kd" -o "$S/h1.img" --vmcore "$S/h2.img"
one_line "mpiplsim: $S/h2.img: --vmcore names another output too (-o)"
[ "$(cat "$S/h1.img")" = old ] && ok || bad "a refused run changed an existing output"
no_output "$S/two.img"
unchanged "output = input"
no_temps "$S"

# 2. an existing output that is not a regular file is never replaced
if [ "$(id -u)" = 0 ]; then
	mknod "$S/chr" c 1 3		# a private node, never the real /dev/null
	mknod "$S/blk" b 7 250
	mkfifo "$S/fifo"
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$S/sock"
	mkdir "$S/dir"
	ln -s chr "$S/chr.lnk"
	before=$(stat -c '%n %F %t:%T %i' "$S/chr" "$S/blk" "$S/fifo" "$S/sock" "$S/dir"; readlink "$S/chr.lnk")
	for t in "chr:character device" "blk:block device" "fifo:FIFO" "sock:socket" "dir:directory"; do
		f=${t%%:*} what=${t#*:}
		for opt in -o --vmcore; do
			expect 2 "" -- "$kd" "$opt" "$S/$f"
			one_line "mpiplsim: $S/$f: is a $what, not a regular file: refusing to replace it"
		done
	done
	expect 2 "" -- "$kd" -o "$S/ok.img" --vmcore "$S/chr.lnk"
	one_line "mpiplsim: $S/chr.lnk: leads to $S/chr, a character device, not a regular file: refusing to replace it"
	no_output "$S/ok.img"
	expect 2 "" -- inspect "$kd" -o "$S/chr"
	grep -qx "mpiplsim: -o does not apply to inspect, which writes nothing" "$T/err" && ok || bad "inspect -o: $(cat "$T/err")"
	after=$(stat -c '%n %F %t:%T %i' "$S/chr" "$S/blk" "$S/fifo" "$S/sock" "$S/dir"; readlink "$S/chr.lnk")
	[ "$before" = "$after" ] && ok || bad "a device, FIFO, socket, directory or symlink changed: $after"
	[ -z "$(ls -A "$S/dir")" ] && ok || bad "something was written into the directory"
	unchanged "non-regular outputs"
	no_temps "$S"
	rm -rf "$S/chr" "$S/blk" "$S/fifo" "$S/sock" "$S/dir" "$S/chr.lnk"
else
	skipped "device node, FIFO and socket outputs: not root (mknod)"
fi

# a symlink output is followed: its target is replaced atomically, the link stays
expect 0 "" -- "$kd" -o "$S/direct.img" -q
echo old >"$S/other/real.img"
ln "$S/other/real.img" "$S/other/keep.img"	# a second name keeps the old file: replaced, not rewritten
ln -s other/real.img "$S/out.lnk"
ln -s new.img "$S/other/dangling.lnk"		# relative to the link's own directory
expect 0 "" -- "$kd" -o "$S/out.lnk" --vmcore "$S/other/dangling.lnk" -q
[ -L "$S/out.lnk" ] && [ "$(readlink "$S/out.lnk")" = other/real.img ] && ok || bad "the output symlink was replaced"
cmp -s "$S/direct.img" "$S/other/real.img" && ok || bad "the symlink's target is not the image"
[ "$(cat "$S/other/keep.img")" = old ] && ok || bad "the old file was written in place, not replaced"
[ -L "$S/other/dangling.lnk" ] && [ -s "$S/other/new.img" ] && ok || bad "a dangling symlink output: its target was not created"
no_temps "$S" "$S/other"
unchanged "symlink outputs"
rm -f "$S"/*.img "$S"/*.lnk "$S"/other/*

# a missing output directory: the path as given, never the temporary name; nothing read first
expect 3 "" -- "$kd" -o "$S/no/such/dir/x.img"
one_line "mpiplsim: $S/no/such/dir/x.img: cannot create: No such file or directory"

# 3. gzip: an early end, a CRC or length error, trailing garbage: exit 1, no output
head -c 1048576 "$MPIPLSIM_SHARED/crash.kdump.gz" >"$S/cut.gz"
expect 1 "" -- "$S/cut.gz" -o "$S/g.img"
one_line "mpiplsim: $S/cut.gz: gzip stream ends early after 1048576 bytes"
head -c 1048576 "$MPIPLSIM_FIXTURES/crash.raw" | gzip -1 >"$S/ok.gz"
n=$(stat -c %s "$S/ok.gz")
cp "$S/ok.gz" "$S/crc.gz"
printf '\x00\x00\x00\x00' | dd of="$S/crc.gz" bs=1 seek=$((n - 8)) conv=notrunc status=none
expect 1 "" -- "$S/crc.gz" -o "$S/g.img" --no-registers
one_line "mpiplsim: $S/crc.gz: gzip data corrupt after $((n - 4)) bytes: incorrect data check"
cp "$S/ok.gz" "$S/len.gz"
printf '\x01' | dd of="$S/len.gz" bs=1 seek=$((n - 2)) conv=notrunc status=none
expect 1 "" -- "$S/len.gz" -o "$S/g.img" --no-registers
one_line "mpiplsim: $S/len.gz: gzip data corrupt after $n bytes: incorrect length check"
{ cat "$S/ok.gz"; printf 'garbage\n'; } >"$S/tail.gz"
expect 1 "" -- inspect "$S/tail.gz" --no-registers
one_line "mpiplsim: $S/tail.gz: trailing garbage: 0x8 bytes after the gzip stream ends at $(printf 0x%x "$n")"
no_output "$S/g.img"
# two members, as gzip -d takes them: the same snapshot as the plain file
{ head -c 10000000 "$kd" | gzip -1; tail -c +10000001 "$kd" | gzip -1; } >"$S/two.gz"
"$MPIPLSIM" inspect -q "$kd" | tail -n +3 >"$S/plain.txt"
expect 0 "" -- inspect -q "$S/two.gz"
tail -n +3 "$T/out" | cmp -s - "$S/plain.txt" && ok || bad "a two-member gzip reads differently"
rm -f "$S"/*.gz "$S"/*.txt

# 4. contradictory options: usage errors, nothing written; -v/-q before the command too
expect 2 "^mpiplsim: --no-registers and --cpu-state contradict each other" -- "$MPIPLSIM_FIXTURES/master/crash.raw" --no-registers --cpu-state "$kd" -o "$S/c.img"
expect 2 "^mpiplsim: --no-registers and --cpu-state contradict each other" -- inspect "$MPIPLSIM_FIXTURES/master/crash.raw" --cpu-state "$kd" --no-registers
expect 2 "^mpiplsim: --emulate qemu-v2 writes the qemu-v2 register profile, not --profile hostboot" -- "$kd" --emulate qemu-v2 --profile hostboot -o "$S/c.img"
expect 2 "^mpiplsim: --emulate qemu-v2 writes the qemu-v2 register profile, not --profile linux-min" -- inspect "$kd" --profile linux-min --emulate qemu-v2
expect 0 "" -- inspect "$kd" --profile qemu-v2 --emulate qemu-v2 -q
grep -q "registers: profile qemu-v2" "$T/out" && ok || bad "--profile qemu-v2 --emulate qemu-v2: $(grep registers "$T/out")"
expect 2 "^mpiplsim: --vmcore does not apply to inspect, which writes nothing" -- inspect "$kd" --vmcore "$S/c.img"
expect 2 "^mpiplsim: --fsync does not apply to inspect" -- inspect "$kd" --fsync
no_output "$S/c.img"
expect 0 "verbose: " -- -v inspect "$kd"
expect 0 "verbose: " -- inspect -v "$kd"
expect 0 "" -- -q inspect "$kd"
[ ! -s "$T/err" ] && ok || bad "-q before inspect: $(cat "$T/err")"
expect 0 "" -- -q run "$kd" -o "$S/c.img"
rm -f "$S/c.img"
expect 2 "" -- inspect "$kd" --no-such-option
head -n 1 "$T/err" | grep -q "^mpiplsim: " && ok || bad "program name: $(head -n 1 "$T/err")"

# 5. inspect never needs registers: exit 0, the plan says what a run would lack
for guest in "" master/; do
	expect 0 "" -- inspect "$MPIPLSIM_FIXTURES/${guest}crash.raw"
	[ ! -s "$T/err" ] && ok || bad "inspect raw: stderr: $(cat "$T/err")"
	grep -qxF "  registers: none in the snapshot; a run lacks all 55 of profile hostboot (GPR0-GPR31 NIP MSR CR CTR LR XER DAR DSISR DEC SRR0 SRR1 CFAR SPRG0 SPRG1 SPRG2 SPRG3 PVR HSPRG0 HSPRG1 HSRR0 HSRR1 LPCR PIR) for every thread: give --cpu-state FILE or --no-registers" "$T/out" \
		&& ok || bad "inspect raw: plan line: $(grep "registers:" "$T/out")"
	[ "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" = '\n' ] && ok || bad "inspect raw: last line without newline"
	expect 0 "" -- inspect --json "$MPIPLSIM_FIXTURES/${guest}crash.raw" --profile qemu-v2
	python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["plan"]; assert not p["registers"]; assert p["registers_lacking"] == ["GPR%d" % i for i in range(32)] + ["NIP", "MSR"], p' "$T/out" \
		&& ok || bad "inspect --json raw: registers_lacking"
	python3 "$(dirname "$0")/validate_json.py" "$(dirname "$0")/../schemas/inspect.schema.json" "$T/out" \
		&& ok || bad "inspect --json raw: schema"
done
# a run still needs them
expect 2 "carries no CPU registers" -- "$MPIPLSIM_FIXTURES/master/crash.raw" -o "$S/r.img"
no_output "$S/r.img"
unchanged "issue 14 tests"
no_temps "$S"

# ---- a file that is not a snapshot (issue 14 item 7; branch arch) ----
# Exit 1 and one line: not a recognised snapshot, each format tried and why it declined,
# and --format; never a table error, nothing written. -v states the evidence of each probe.
mkdir "$T/notsnap.d"
printf 'hello\n' >"$T/text.txt"
: >"$T/empty"
printf 'QEV' >"$T/tiny"
head -c 4097 /dev/zero >"$T/page+1"
declare -A why=([text.txt]="size 0x6 is not a whole number of 4 KiB pages" [empty]="an empty file"
	[tiny]="size 0x3 is not a whole number of 4 KiB pages"
	[page+1]="size 0x1001 is not a whole number of 4 KiB pages")
for n in text.txt empty tiny page+1; do
	f=$T/$n
	line="mpiplsim: $f: not a recognised snapshot: tried mig (no \"QEVM\" magic), elf (no ELF magic), kdump (no \"KDUMP\" or \"makedumpfile\" signature), raw (${why[$n]}); --format FMT forces one"
	for args in "inspect $f" "$f -o $T/ns.img --no-registers" "$f -o $T/ns.img"; do
		# shellcheck disable=SC2086
		expect 1 "" -- $args
		[ "$(cat "$T/err")" = "$line" ] && ok || bad "not a snapshot: mpiplsim $args: $(cat "$T/err")"
		no_output "$T/ns.img"
	done
done
expect 1 "" -- inspect "$T/notsnap.d"
[ "$(cat "$T/err")" = "mpiplsim: $T/notsnap.d: not a recognised snapshot: a directory, not a file of any format (mig, elf, kdump, raw)" ] \
	&& ok || bad "directory: $(cat "$T/err")"
expect 1 "" -- "$T/notsnap.d" -o "$T/ns.img" --no-registers
[ "$(wc -l <"$T/err")" = 1 ] && grep -q "not a recognised snapshot: a directory" "$T/err" && ok || bad "directory (run): $(cat "$T/err")"
no_output "$T/ns.img"
# -v: the evidence, probe by probe, also when nothing matched
expect 1 "" -- inspect -v "$T/text.txt"
for p in 'mig declined: no "QEVM" magic' 'elf declined: no ELF magic' \
	'kdump declined: no "KDUMP" or "makedumpfile" signature' \
	'raw declined: size 0x6 is not a whole number of 4 KiB pages'; do
	grep -qF "mpiplsim: verbose: $T/text.txt: format $p" "$T/err" && ok || bad "-v evidence '$p': $(cat "$T/err")"
done
fx=$MPIPLSIM_FIXTURES
expect 0 "verbose: $fx/crash.mig: format mig detected: \"QEVM\" at offset 0: QEMU_VM_FILE_MAGIC" -- inspect -v "$fx/crash.mig"
expect 0 "verbose: $fx/crash.elf: format elf detected: ELF magic 7f 45 4c 46 at offset 0" -- inspect -v "$fx/crash.elf"
grep -qF "verbose: $fx/crash.elf: format mig declined" "$T/err" && ok || bad "-v: elf: no mig line"
expect 0 "verbose: $fx/crash.kdump: format kdump detected: \"(KDUMP   |makedumpfile)\" at offset 0" -- inspect -v "$fx/crash.kdump"
expect 0 "verbose: $fx/crash.raw: format raw detected: no magic of another format, size 0x[0-9a-f]+ in whole 4 KiB pages" -- inspect -v --no-registers "$fx/crash.raw"
[ "$(grep -c "verbose: $fx/crash.raw: format .* declined" "$T/err")" = 3 ] && ok || bad "-v: raw: not 3 declined probes"
expect 0 "verbose: $fx/crash.raw: format raw, given with --format" -- inspect -v --no-registers --format raw "$fx/crash.raw"
rm -rf "$T/notsnap.d" "$T/text.txt" "$T/empty" "$T/tiny" "$T/page+1"

finish
