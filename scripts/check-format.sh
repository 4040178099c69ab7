#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fails when a tracked C, C++ or BPF source is not clang-format clean
# (.clang-format at the top). Runs as a ctest test; `--fix` rewrites in place.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

mapfile -t files < <(git ls-files '*.c' '*.h' '*.cc' '*.hpp' 2>/dev/null || true)
if ((${#files[@]} == 0)); then
	echo "check-format.sh: no sources found (not a git checkout?)" >&2
	exit 1
fi
if [[ ${1:-} == --fix ]]; then
	clang-format -i "${files[@]}"
	exit 0
fi
clang-format --dry-run -Werror "${files[@]}"
echo "check-format.sh: ${#files[@]} files clean"
