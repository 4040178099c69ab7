#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Configures and builds fusebpf.
#   scripts/build.sh            release build in build/ (what the demo and benchmarks use)
#   scripts/build.sh --test     ASan+UBSan build with -Werror in build-test/ (what the tests use)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

mode=release
if [[ ${1:-} == --test ]]; then
	mode=test
fi

if [[ $mode == test ]]; then
	dir=$top/build-test
	flags=(-DCMAKE_BUILD_TYPE=Debug -DFUSEBPF_SANITIZE=ON -DFUSEBPF_WERROR=ON)
else
	dir=$top/build
	flags=(-DCMAKE_BUILD_TYPE=Release)
fi

cmake -S "$top" -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
