#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run_readme.sh EXAMPLE_DIR FUSEBPF_BIN_DIR - run every ```sh block of
# EXAMPLE_DIR/README.md, in order, in ONE `bash -euo pipefail` shell, the way
# a reader would: cwd is a fresh copy of the example folder in a temp dir,
# `fusebpf` (from FUSEBPF_BIN_DIR) is first on PATH, and the locale is C (the
# messages README shows are the C locale's). A ```text block right
# after a ```sh block is the output README shows for it: the block's output
# must match it (readme_blocks.py says how `...` stands for what varies).
# Other ```text blocks are samples and are not run.
#
# Fails (exit 1) when a command fails, when a block's output differs from
# the one README shows, when the README has no ```sh block, or when anything
# is still mounted under /tmp/fusebpf-<example> afterwards (the README's last
# block must unmount): those mounts are force-unmounted first, so a failing
# README leaves nothing behind. Each block's output is shown after it ran
# (ctest --output-on-failure prints it), headed by its line in README.md.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 EXAMPLE_DIR FUSEBPF_BIN_DIR" >&2
	exit 2
fi
example_dir=$(cd "$1" && pwd)
bin_dir=$(cd "$2" && pwd)
name=$(basename "$example_dir")
readme="$example_dir/README.md"
scratch="/tmp/fusebpf-$name"
[[ -f $readme ]] || { echo "no README.md in $example_dir" >&2; exit 1; }
[[ -x $bin_dir/fusebpf ]] || { echo "no fusebpf in $bin_dir" >&2; exit 1; }

work=$(mktemp -d "/tmp/fusebpf-readme-$name.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
cp -a "$example_dir" "$work/$name"

python3 "$(dirname "$0")/readme_blocks.py" script "$readme" "$work"

status=0
(cd "$work/$name" && LC_ALL=C PATH="$bin_dir:$PATH" timeout 300 bash -euo pipefail "$work/commands.sh") ||
	status=$?
if [[ $status -ne 0 ]]; then
	echo "FAIL: the commands of $readme exited with status $status" >&2
fi

# Anything left mounted under the example's scratch dir: unmount it, then fail.
left=$(awk -v top="$scratch" '$5 == top || index($5, top "/") == 1 { print $5 }' \
	/proc/self/mountinfo | sort -r)
if [[ -n $left ]]; then
	echo "FAIL: $readme left mounts behind (its last block must unmount):" >&2
	while read -r mnt; do
		echo "  $mnt" >&2
		umount -l "$mnt" || true
	done <<<"$left"
	status=1
fi
exit "$status"
