#!/usr/bin/env bash
# golden.sh - inspect and compare on the real fixtures, against tests/golden/
# (the cases are listed in tests/golden/cases), and every JSON output
# validated against schemas/*.schema.json.
#
#   tests/golden.sh            compare (make check runs this)
#   tests/golden.sh --update   rewrite the golden files (make golden runs this)
#
# Needs MPIPLSIM (the binary) and MPIPLSIM_FIXTURES (decompressed fixtures);
# make check / make golden set both. Needs python3 with the jsonschema module
# (Debian: python3-jsonschema).
#
# Paths: every command runs in a scratch directory where the fixtures appear
# under their own names (symbolic links), so outputs name "crash.raw" or
# "master/crash.kdump", never a path of this machine.
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_FIXTURES:?run through make check}"
here=$(cd "$(dirname "$0")" && pwd)
golden=$here/golden
schemas=$(cd "$here/../schemas" && pwd)
update=0
[ "${1:-}" = --update ] && update=1
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! python3 -c 'import jsonschema' 2>/dev/null; then
	bad "python3 cannot import jsonschema: install python3-jsonschema" \
		"(apt-get install -y python3-jsonschema; .ci/run must install it too)"
	finish
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-golden.XXXXXX")
trap 'rm -rf "$W"' EXIT
mkdir "$W/master"
for f in "$MPIPLSIM_FIXTURES"/* "$MPIPLSIM_FIXTURES"/master/*; do
	[ -f "$f" ] && ln -s "$f" "$W/${f#"$MPIPLSIM_FIXTURES"/}"
done

validate=()	# "schema file" pairs, checked in one python run at the end

# run NAME STATUS ARGS...: one golden case
gold() {
	local name=$1 want=$2; shift 2
	local out=$W/out.$name got schema
	(cd "$W" && "$MPIPLSIM" "$@" >"$out" 2>"$W/err")
	got=$?
	if [ "$got" != "$want" ]; then
		bad "$name: mpiplsim $*: exit $got, expected $want: $(head -c 400 "$W/err")"
		return
	fi
	case $name in
	*.json) schema=$schemas/$1.schema.json; validate+=("$schema" "$out") ;;
	esac
	if [ $update = 1 ]; then
		cp "$out" "$golden/$name"
		ok
	elif [ ! -f "$golden/$name" ]; then
		bad "$name: no golden file (run make golden and commit it)"
	elif diff -u "$golden/$name" "$out" >"$W/diff"; then
		ok
	else
		bad "$name: mpiplsim $* differs from tests/golden/$name:"
		head -n 40 "$W/diff"
	fi
}

image() {
	local file=$1; shift
	if (cd "$W" && "$MPIPLSIM" "$@" -o "$file" -q 2>"$W/err"); then
		ok
	else
		bad "image $file: mpiplsim $* -o $file failed: $(head -c 400 "$W/err")"
	fi
}

while read -r kind rest; do
	case $kind in
	'' | '#'*) continue ;;
	gold | image) read -r -a args <<<"$rest"; "$kind" "${args[@]}" ;;
	*) bad "tests/golden/cases: unknown line '$kind $rest'" ;;
	esac
done <"$golden/cases"

if [ ${#validate[@]} -gt 0 ]; then
	if python3 "$here/validate_json.py" "${validate[@]}"; then
		pass=$((pass + ${#validate[@]} / 2))
	else
		bad "JSON outputs do not match schemas/ (above)"
	fi
fi

[ $update = 1 ] && echo "golden: files rewritten in tests/golden; review git diff before committing"
finish
