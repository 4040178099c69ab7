#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_no_tree_paths.sh DIR PATH...: exits 0 when no file under DIR names
# any PATH (the source and build trees), else 1, listing each offending file
# with what `strings -a` (binaries and static libraries) or the file itself
# shows of it. Every byte of every file is searched (grep -a), so nothing
# `strings` could print is missed. Prints how many files it read.
set -euo pipefail
dir=$1
shift
patterns=()
for p in "$@"; do patterns+=(-e "$p"); done

binaries=0 others=0
while IFS= read -r -d '' f; do
	magic=$(head -c 7 "$f" | od -An -c | tr -d ' ')
	if [[ $magic == 177ELF* || $magic == '!<arch>' ]]; then
		binaries=$((binaries + 1))
	else
		others=$((others + 1))
	fi
done < <(find "$dir" -type f -print0)
leaks=$(grep -rlaF "${patterns[@]}" "$dir" || true)
if [[ -n $leaks ]]; then
	while IFS= read -r f; do
		echo "FAIL: $f names the source or build tree:"
		strings -a "$f" | grep -F "${patterns[@]}" | head -5 | sed 's/^/    /'
	done <<<"$leaks"
	exit 1
fi
echo "ok: no file names $*: $binaries binaries and libraries, $others other files"
