#!/bin/bash
# check-layers.sh STAGE... (lowest first): every src/STAGE/*.[ch] may include
# "S/x.h" only for S its own stage or one listed before it (STYLE.md §1), and
# every quoted include must name a stage. Prints each violation; exit 1 if any.
set -u
cd "$(dirname "$0")/.."
declare -A rank
i=0
for s in "$@"; do rank[$s]=$i; i=$((i + 1)); done
bad=0
for s in "$@"; do
	for f in src/"$s"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS=: read -r line inc; do
			dep=${inc%%/*}
			if [ "$dep" = "$inc" ] || [ -z "${rank[$dep]:-}" ]; then
				echo "$f:$line: #include \"$inc\" names no stage"; bad=1
			elif [ "${rank[$dep]}" -gt "${rank[$s]}" ]; then
				echo "$f:$line: #include \"$inc\" reaches up from $s to $dep"; bad=1
			fi
		done < <(grep -n '^#include "' "$f" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
	done
done
for f in src/*.[ch]; do [ -e "$f" ] && { echo "$f: outside a stage folder"; bad=1; }; done
[ $bad = 0 ] && echo "layers: $(ls src/*/*.[ch] | wc -l) files, every include within its stage or below"
exit $bad
