#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# README command (2): installs what is missing, builds the sanitizer
# configuration and runs the whole test suite through ctest. Must run as
# root: the tests mount FUSE file systems and load BPF programs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh" --test

# FUSE over io_uring is off by default (module parameter): turn it on where
# the kernel has it, so the suites labelled uring run on the rings.
uring_param=/sys/module/fuse/parameters/enable_uring
if [[ -w $uring_param ]]; then
	echo Y >"$uring_param"
fi

cd "$top/build-test"
status=0
ctest --output-on-failure --timeout 600 -j1 || status=$?

# A leftover mount breaks the next run: fail loudly if the suite left one.
left=$(awk '$3 ~ /^fuse/ && $1 != "fusectl" {print $2}' /proc/mounts)
if [[ -n $left ]]; then
	echo "test.sh: FUSE mounts left behind by the tests:" >&2
	echo "$left" | sed 's/^/  /' >&2
	status=1
fi
exit "$status"
