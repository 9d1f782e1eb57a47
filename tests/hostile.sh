#!/usr/bin/env bash
# hostile.sh - crafted snapshots (issue 19): strings from a snapshot never drive the terminal,
# errors are one line, address options are range-checked. Inputs: tests/hostile_inputs.py
# (synthetic migration streams; copies of the real crash.mig, crash.raw and of a vmcore with
# names and text replaced by bytes a terminal would obey). Every output is checked to hold no
# byte below 0x20 but the newline, and none from 0x7f up; text that names a crafted string
# must show it escaped as text.h documents (\xNN, \\).
# Needs MPIPLSIM and MPIPLSIM_FIXTURES; make check sets both.
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_FIXTURES:?run through make check}"
F=$MPIPLSIM_FIXTURES
D=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-hostile.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$D/lib.sh"

# bytes of FILE that are neither printable ASCII nor a newline
unsafe() { tr -d '\n\040-\176' <"$1" | wc -c; }

# run STATUS LINES -- ARGS...: exit status; stdout and stderr terminal-safe; stderr has
# exactly LINES lines ('-' for any number)
run() {
	local want=$1 lines=$2; shift 3
	"$MPIPLSIM" "$@" >"$T/out" 2>"$T/err"
	local got=$? what="mpiplsim ${*//$T\//}"
	if [ "$got" != "$want" ]; then
		bad "$what: exit $got, expected $want: $(head -c 300 "$T/err" | cat -v)"
	elif [ "$(unsafe "$T/out")" != 0 ] || [ "$(unsafe "$T/err")" != 0 ]; then
		bad "$what: raw bytes reached the output: $(cat -v "$T/out" "$T/err" | head -c 600)"
	elif [ "$lines" != - ] && [ "$(wc -l <"$T/err")" != "$lines" ]; then
		bad "$what: stderr has $(wc -l <"$T/err") lines, expected $lines: $(cat -v "$T/err")"
	else
		ok
	fi
}

# has FILE TEXT: FILE holds the exact line or substring TEXT (fixed string)
has() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks '$2': $(head -c 600 "$1")"; fi
}

have_fx=1
[ -f "$F/crash.mig" ] && [ -f "$F/crash.raw" ] && [ -f "$F/crash.elf" ] || have_fx=0
if [ $have_fx = 1 ]; then
	"$MPIPLSIM" "$F/crash.mig" --vmcore "$T/real.vmcore" -q || bad "writing a vmcore failed"
	python3 "$D/hostile_inputs.py" "$F" "$T/in" "$T/real.vmcore" || bad "hostile_inputs.py failed"
	rm -f "$T/real.vmcore"
else
	python3 "$D/hostile_inputs.py" /nonexistent "$T/in" || bad "hostile_inputs.py failed"
	skipped "the real fixtures are missing: crafted copies of them not tested"
fi
I=$T/in
E='\x1b]0;owned\x07\x1b[31m\x0aX\xff\\'	# EVIL of hostile_inputs.py, escaped

# --- error paths: exit 1, one line naming the crafted string escaped, for inspect, -v and run
errcase() {	# FILE TEXT [LINES]: LINES of stderr, the error and any warnings before it
	local n=${3:-1}
	run 1 "$n" -- inspect "$I/$1"; has "$T/err" "$2"
	# -v adds lines of its own (the format evidence): the error is still one, the last
	run 1 - -- inspect -v "$I/$1"; has "$T/err" "$2"
	[ "$(grep -vc '^mpiplsim: verbose: ' "$T/err")" = "$n" ] && ok || bad "$1 -v: $(cat "$T/err")"
	run 1 - -- "$I/$1" -o "$T/x.img" -v
	has "$T/err" "$2"
	[ "$(grep -vc '^mpiplsim: verbose: ' "$T/err")" = "$n" ] && ok || bad "$1 -v: $(cat "$T/err")"
	[ ! -e "$T/x.img" ] && ok || bad "$1: output left behind"
}
errcase mig-block-twice.mig "ram block \"$E\" listed twice"
errcase mig-page-unknown-block.mig "names unknown ram block \"$E\""
errcase mig-section-idstr.mig "section 3 (\"$E\" instance 0) at 0xe3: no vmdescription entry"
errcase mig-field-name.mig 'field "\x1b]0;owned\x07\x1b[31m\x0aX\xc3\xbf\\" (1000 x 0x4 bytes)'
errcase mig-subsection-name.mig \
	'subsection at 0xf5 is "\\\xffX\x0am13[\x1b\x07denwo;0]\x1b", the vmdescription expects'
errcase mig-config-sub.mig "unknown configuration subsection \"$E\"" 2	# and a warning
errcase mig-section-json-name.mig 'section 3 ("\x1b[31m\x0a" instance 0)'
errcase mig-cpu-field.mig 'cpu field "env.gpr" is 2 x 4 bytes, expected 32 x 8'
# size * count past 2^64: said so, not a wrapped total
errcase mig-field-overflow.mig 'field "big": 8 x 0x4000000000000000 bytes overflows 64 bits'
# jansson's own message, quoting the bytes it choked on
errcase mig-json-newline.mig "vmdescription is not valid JSON: line 2 column 1: ']' expected"
errcase mig-json-esc.mig "']' expected near '\\x1b'"
errcase mig-json-ff.mig "unable to decode byte 0xff near"
errcase mig-json-ctrl-in-string.mig "unexpected newline near"
errcase mig-json-escape-newline.mig "invalid escape near '\"\\\\\\x0a'"

# --- a warning quoting a crafted capability name (then the tables error)
run 1 3 -- inspect "$I/mig-capability.mig"	# two warnings, one error
has "$T/err" "unknown migration capability \"$E\" in the configuration"
run 1 - -- inspect -q "$I/mig-capability.mig"
! grep -q warning "$T/err" && ok || bad "-q printed a warning"

# --- the JSON error path keeps jansson's escaping (no double escape) and stays one document
run 1 1 -- inspect --json "$I/mig-section-idstr.mig"

# --- the real stream with its RAM block renamed: inspect text, -v, JSON, a whole run
if [ $have_fx = 1 ]; then
	run 0 - -- inspect -vv "$I/real-block-red.mig"
	has "$T/out" '  block     \x1b[31mXX       0x0000000000000000 size 0x80000000'
	has "$T/out" '  note      ram block "\x1b[31mXX": '
	run 0 - -- inspect --json "$I/real-block-red.mig"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); b=d["snapshot"]["blocks"][0]
assert b["name"] == "\x1b[31mXX", b' "$T/out" && ok || bad "JSON block name of real-block-red"
	run 0 - -- inspect "$I/real-block-evil.mig"
	has "$T/out" '  format    mig: QEMU migration stream v3, machine \x1b[2J\x0a\xff\\?'
	has "$T/out" '  block     \x1b[2J\x0a\xff\\ 0x0000000000000000 size 0x80000000'
	has "$T/out" '  note      ram block "\x1b[2J\x0a\xff\\": '
	# not UTF-8: JSON carries the escaped text (text_json), the document stays whole
	run 0 - -- inspect --json "$I/real-block-evil.mig"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); b=d["snapshot"]["blocks"][0]
assert b["name"] == "\\x1b[2J\\x0a\\xff\\\\", b' "$T/out" && ok || bad "JSON block name of real-block-evil"
	# the renamed block changes nothing of what a run writes
	run 0 0 -- "$I/real-block-red.mig" -o "$T/red.img" -q
	run 0 0 -- "$F/crash.mig" -o "$T/ref.img" -q
	cmp -s "$T/red.img" "$T/ref.img" && ok || bad "renamed block: a different image"
	rm -f "$T/red.img" "$T/ref.img"
	# device tree node and property names (libfdt takes them; nothing prints them)
	run 0 - -- inspect -vv "$I/real-fdt.raw" --cpu-state "$F/crash.elf"
	"$MPIPLSIM" inspect "$F/crash.raw" --cpu-state "$F/crash.elf" 2>/dev/null >"$T/ref.txt"
	diff <(tail -n +2 "$T/out") <(tail -n +2 "$T/ref.txt") >/dev/null && ok ||
		bad "crafted device tree names changed what inspect says"
	# VMCOREINFO text of a vmcore, as inspect describes its notes
	run 0 - -- inspect "$I/vmcore-osrelease.elf"
	has "$T/out" 'note VMCOREINFO type 0 size 0xd6a OSRELEASE \x1b]0;\x07\x1b[31m\xff\\\x1b] PAGESIZE 65536'
	# dmesg -v names the release (stdout is makedumpfile's format: \t \v \f \r pass there)
	"$MPIPLSIM" dmesg -v "$I/vmcore-osrelease.elf" >/dev/null 2>"$T/err"
	[ $? = 0 ] && [ "$(unsafe "$T/err")" = 0 ] && grep -q "^mpiplsim: .*: Linux " "$T/err" && ok ||
		bad "dmesg -v: $(cat -v "$T/err")"
	# compare: a file name that is an escape sequence
	ln -s "$I/real-block-red.mig" "$T/"$'\e[31m'"A.mig"
	run 0 - -- compare "$T/"$'\e[31m'"A.mig" "$I/real-block-red.mig"
	has "$T/out" '/\x1b[31mA.mig: mig, RAM 0x80000000'
	run 0 - -- compare -v --json "$T/"$'\e[31m'"A.mig" "$I/real-block-red.mig"
fi

# --- work bounded by the input: 4000 blocks, 100000 page records naming the last one
# (a linear look-up: 4.4 s of CPU, 16 s on a loaded machine, 2026-12-01; in log n: 0.1 s)
SECONDS=0
timeout 5 "$MPIPLSIM" inspect -q "$I/mig-many-blocks.mig" >"$T/out" 2>"$T/err"
st=$?
[ $st = 1 ] && grep -q "SPIRA-H: no room" "$T/err" && ok ||
	bad "mig-many-blocks: exit $st after ${SECONDS}s (124: timed out)"

# --- address options: no guest has a real address of 2^62 or more (exit 2, nothing read)
for opt in --opal-base --spirah --mdst --mddt --mdrt --proc-dump; do
	run 2 - -- inspect "$I/mig-capability.mig" $opt 0x8000000000000000
	has "$T/err" "'0x8000000000000000' is beyond any guest real address"
	run 2 - -- inspect "$I/mig-capability.mig" $opt 0x4000000000000000
done
# the largest accepted base reaches the tables code without wrapping
run 1 - -- inspect -q "$I/mig-capability.mig" --opal-base 0x3fffffffffffffff
has "$T/err" "no room for SPIRA-H after OPAL base 0x3fffffffffffffff"

finish
