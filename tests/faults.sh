#!/usr/bin/env bash
# faults.sh - what happens when the world goes wrong mid-run (issue 8): an output
# directory that is not writable, a full disk, an input that shrinks while it is
# read, SIGINT. Each time: the input is unchanged, no partial output exists, and
# the exit status and message say what happened. Needs root for the tmpfs mounts
# (skipped otherwise). Env: MPIPLSIM, MPIPLSIM_FIXTURES (make check sets them).
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_FIXTURES:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-faults.XXXXXX")
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cleanup() { umount "$T/ro" "$T/full" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

raw=$MPIPLSIM_FIXTURES/crash.raw
sum=$(md5sum <"$raw")
leftovers() { # DIR: nothing named out.* may remain
	if compgen -G "$1/out*" >/dev/null; then bad "left behind in $1: $(ls "$1")"; else ok; fi
}

if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=1m,ro none "$T/ro" 2>/dev/null && ! { mkdir -p "$T/ro" && mount -t tmpfs -o size=1m,ro none "$T/ro"; } 2>/dev/null; then
	echo "SKIP: faults.sh needs root and tmpfs mounts"
	echo "faults: 0 passed, 0 failed"
	exit 0
fi

# 1. a read-only output directory: I/O error, exit 3, nothing created
"$MPIPLSIM" "$raw" -o "$T/ro/out.img" --no-registers 2>"$T/err"
[ $? = 3 ] && ok || bad "read-only dir: exit status"
grep -q "cannot create.*Read-only file system" "$T/err" && ok || bad "read-only dir: $(cat "$T/err")"
leftovers "$T/ro"

# 2. a full disk (1 MiB tmpfs for a 2 GiB sparse image with ~100 MiB of data)
mkdir -p "$T/full" && mount -t tmpfs -o size=1m none "$T/full"
"$MPIPLSIM" "$raw" -o "$T/full/out.img" --no-registers 2>"$T/err"
[ $? = 3 ] && ok || bad "disk full: exit status"
grep -q "No space left on device" "$T/err" && ok || bad "disk full: $(cat "$T/err")"
leftovers "$T/full"

# 3. an input that shrinks while it is read: the run stops itself right after walking the
#    input's data (tests/faults_stop.c, an LD_PRELOAD shim), the copy is truncated, the
#    run goes on and meets SIGBUS
if ! ${CC:-cc} -shared -fPIC -o "$T/stop.so" "$(dirname "$0")/faults_stop.c" -ldl 2>"$T/cc.err"; then
	echo "SKIP: shrinking input: cannot build the LD_PRELOAD shim: $(head -1 "$T/cc.err")"
	skip=$((skip + 1))
else
cp --sparse=always "$raw" "$T/shrink.raw"
LD_PRELOAD="$T/stop.so" MPIPLSIM_STOP_AFTER_WALK="$T/shrink.raw" \
	"$MPIPLSIM" "$T/shrink.raw" -o "$T/out.img" --no-registers 2>"$T/err" &
pid=$!
for _ in $(seq 100); do
	[ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = T ] && break
	sleep 0.05
done
[ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = T ] && ok || bad "shrinking input: the shim did not stop the run"
truncate -s $((0x1000000)) "$T/shrink.raw"
kill -CONT $pid
wait $pid
rc=$?
[ $rc = 3 ] && ok || bad "shrinking input: exit $rc"
grep -q "shrank or failed while being read" "$T/err" && ok || bad "shrinking input: $(cat "$T/err")"
leftovers "$T"
rm -f "$T/shrink.raw" "$T"/out*
fi

# 4. SIGINT mid-run (while a gzip input is inflated, which takes seconds): no output,
#    the signal's exit status, a message
"$MPIPLSIM" "${MPIPLSIM_SHARED:-../shared/fixtures}/crash.raw.gz" -o "$T/out.img" \
	--no-registers 2>"$T/int.err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] && ok || bad "SIGINT: exit $rc"
grep -q "interrupted" "$T/int.err" && ok || bad "SIGINT: message: $(cat "$T/int.err")"
leftovers "$T"

[ "$(md5sum <"$raw")" = "$sum" ] && ok || bad "input modified"
echo "faults: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
