# lib.sh - counting for the shell tests; source it: . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# ok [WHAT]        one check passed (WHAT, if given, is printed as "PASS: WHAT")
# bad WHAT         one check failed ("FAIL: WHAT")
# skipped WHY      one check (or group of checks) could not run ("SKIP: WHY"); never a pass
# skip_all WHY     nothing more can run here: skipped WHY, then finish
# finish           print the summary and exit: non-zero if anything failed
#
# A test's last line is exactly "N passed, N failed, N skipped" (CI reads it).
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); [ $# -eq 0 ] || echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }
finish() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit
}
skip_all() { skipped "$@"; finish; }
