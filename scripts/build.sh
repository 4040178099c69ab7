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

# Ninja and ccache: a rebuild after a small change, and CI on a fresh clone of
# a tree built before on this machine, recompile only what changed.
# Paths below the source tree are hashed relative to it, so a clone in another
# folder hits the same cache entries.
export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=1
flags+=(-G Ninja -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [[ -f $dir/CMakeCache.txt ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
	rm -rf "$dir" # a build dir made by another generator cannot switch to Ninja
fi
cmake -S "$top" -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
