#!/usr/bin/env bash
# progress_tmux.sh - the progress line (src/core/progress.c) appears when stderr is
# a terminal, and never with stderr to a pipe or with --quiet (STYLE.md §7); it never
# passes 100%, is redrawn at most 10 times a second (plus the first and last frame of
# each phase), shows the inflation of a gzip input, and a run on a terminal ends with
# one summary line ("mpiplsim: wrote FILE (SIZE, DATA of data), ... in T s").
#
# Each run happens in a pane of a private tmux server (its own socket, no
# config). tmux pipe-pane records every byte written to the pane: the line
# is rewritten in place and erased when the run ends, so the final screen
# (capture-pane) cannot show it; the screen is checked to be clean instead.
# Skips (exit 0, counted as skipped) when tmux is not installed.
# Needs MPIPLSIM and MPIPLSIM_FIXTURES; make check sets both.
set -u
: "${MPIPLSIM:?run through make check}" "${MPIPLSIM_FIXTURES:?run through make check}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v tmux >/dev/null || skip_all "tmux is not installed (apt-get install -y tmux)"
T=$(mktemp -d "${TMPDIR:-/tmp}/mpiplsim-progress.XXXXXX")
sock=mpiplsim-progress-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
raw=$MPIPLSIM_FIXTURES/crash.raw
line='mpiplsim: writing '
gz=${MPIPLSIM_SHARED:-$MPIPLSIM_FIXTURES/../../../shared/fixtures}/crash.raw.gz

# in_pane NAME COMMAND: run COMMAND in a new pane (stdin, stdout, stderr: the
# pane's terminal) while recording the pane's output; leaves $T/NAME.log (the
# bytes written), $T/NAME.screen (the final screen) and $T/NAME.rc
in_pane() {
	local name=$1 cmd=$2 i
	tm new-session -d -s "$name" -x 160 -y 40 \
		"while [ ! -e '$T/$name.go' ]; do sleep 0.05; done; t0=\$(date +%s%N); $cmd; echo \$? >'$T/$name.rc.tmp'; echo \$(( (\$(date +%s%N) - t0) / 1000000 )) >'$T/$name.ms'; mv '$T/$name.rc.tmp' '$T/$name.rc'; exec sleep 600"
	tm pipe-pane -t "$name" -o "cat >>'$T/$name.log'"
	sleep 0.3	# let pipe-pane start its reader before anything is written
	touch "$T/$name.go"
	for ((i = 0; i < 600; i++)); do
		[ -e "$T/$name.rc" ] && break
		sleep 0.1
	done
	sleep 0.3	# let the last bytes reach the log
	tm capture-pane -p -t "$name" >"$T/$name.screen"
	tm kill-session -t "$name"
	if [ ! -e "$T/$name.rc" ]; then
		bad "$name: did not finish within 60 s"
		echo 99 >"$T/$name.rc"
	fi
	touch "$T/$name.log"
}

# a terminal: the line appears, reaches 100%, and is erased at the end
in_pane tty "'$MPIPLSIM' '$raw' -o '$T/tty.img' --no-registers"
[ "$(cat "$T/tty.rc")" = 0 ] && ok || bad "tty: exit $(cat "$T/tty.rc")"
grep -aq "$line" "$T/tty.log" && ok || bad "tty: no progress line in the pane output: $(head -c 300 "$T/tty.log" | od -c | head -5)"
grep -aq "100%" "$T/tty.log" && ok || bad "tty: progress never reached 100%"
grep -q "$line" "$T/tty.screen" && bad "tty: the progress line was left on the screen" || ok

# frames NAME PHASES: every percentage drawn is at most 100, and the frames drawn number at
# most one per 100 ms of the run plus the first and last of each phase
frames() {
	local name=$1 phases=$2 n max ms
	n=$(grep -ao $'\rmpiplsim: [a-z]' "$T/$name.log" | wc -l)
	max=$(grep -aoE '[0-9]+% \(' "$T/$name.log" | tr -d '%( ' | sort -n | tail -1)
	ms=$(cat "$T/$name.ms" 2>/dev/null || echo 0)
	[ "${max:-0}" -le 100 ] && ok || bad "$name: the progress line reached ${max}%"
	[ "$n" -le $((ms / 100 + 2 * phases)) ] && ok ||
		bad "$name: $n frames in $ms ms (at most $((ms / 100 + 2 * phases)))"
	[ "$n" -ge 1 ] && ok || bad "$name: no frame"
}
frames tty 1
grep -aq "^mpiplsim: wrote $T/tty.img (2048 MiB, [0-9.]* MiB of data) in [0-9.]* s" "$T/tty.screen" && ok ||
	bad "tty: no summary line on the screen: $(tail -3 "$T/tty.screen")"

# a gzip input, two outputs: the inflation is shown, then one phase for both outputs
if [ -e "$gz" ]; then
	in_pane gz "'$MPIPLSIM' '$gz' -o '$T/gz.img' --vmcore '$T/gz.vmcore' --no-registers"
	[ "$(cat "$T/gz.rc")" = 0 ] && ok || bad "gz: exit $(cat "$T/gz.rc")"
	grep -aq 'mpiplsim: inflating the gzip input 100%' "$T/gz.log" && ok ||
		bad "gz: no inflation progress reaching 100%"
	grep -aq "mpiplsim: writing $T/gz.img, $T/gz.vmcore 100%" "$T/gz.log" && ok ||
		bad "gz: no writing phase for both outputs reaching 100%"
	frames gz 2
	grep -aq "^mpiplsim: wrote $T/gz.img (2048 MiB, .*), $T/gz.vmcore (.* MiB of data) in" "$T/gz.screen" &&
		ok || bad "gz: no summary line naming both outputs: $(tail -3 "$T/gz.screen")"
else
	echo "SKIP: no $gz (MPIPLSIM_SHARED)"
fi

# stderr to a pipe: nothing
in_pane pipe "'$MPIPLSIM' '$raw' -o '$T/pipe.img' --no-registers 2>&1 | cat"
[ "$(cat "$T/pipe.rc")" = 0 ] && ok || bad "pipe: exit $(cat "$T/pipe.rc")"
grep -aq "mpiplsim:" "$T/pipe.log" && bad "pipe: progress with stderr to a pipe: $(head -c 300 "$T/pipe.log")" || ok

# --quiet on a terminal: nothing
in_pane quiet "'$MPIPLSIM' '$raw' -o '$T/quiet.img' --no-registers --quiet"
[ "$(cat "$T/quiet.rc")" = 0 ] && ok || bad "quiet: exit $(cat "$T/quiet.rc")"
grep -aq "mpiplsim:" "$T/quiet.log" && bad "quiet: progress with --quiet: $(head -c 300 "$T/quiet.log")" || ok

# inspect --json on a terminal: results only, no progress
in_pane json "'$MPIPLSIM' inspect --json '$raw' --no-registers >/dev/null"
grep -aq "mpiplsim:" "$T/json.log" && bad "json: progress with --json: $(head -c 300 "$T/json.log")" || ok

# the outputs are the same whether progress was shown or not
cmp -s "$T/tty.img" "$T/pipe.img" && cmp -s "$T/tty.img" "$T/quiet.img" && ok \
	|| bad "outputs differ between tty, pipe and quiet runs"

finish
