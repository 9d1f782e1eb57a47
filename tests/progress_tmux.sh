#!/usr/bin/env bash
# progress_tmux.sh - the progress line (src/core/progress.c) appears when stderr is
# a terminal, and never with stderr to a pipe or with --quiet (STYLE.md §7).
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
line='mpiplsim: writing the post-MPIPL image'

# in_pane NAME COMMAND: run COMMAND in a new pane (stdin, stdout, stderr: the
# pane's terminal) while recording the pane's output; leaves $T/NAME.log (the
# bytes written), $T/NAME.screen (the final screen) and $T/NAME.rc
in_pane() {
	local name=$1 cmd=$2 i
	tm new-session -d -s "$name" -x 160 -y 40 \
		"while [ ! -e '$T/$name.go' ]; do sleep 0.05; done; $cmd; echo \$? >'$T/$name.rc.tmp'; mv '$T/$name.rc.tmp' '$T/$name.rc'; exec sleep 600"
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
