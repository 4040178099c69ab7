#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install_test.sh BUILD_DIR SOURCE_DIR sanitize|plain
#
# Installs BUILD_DIR (`cmake --install --strip`) into a scratch prefix and
# checks, from the installed files alone:
#   1. no installed file contains the source or the build path
#      (check_no_tree_paths.sh: `strings -a` on binaries and libraries);
#   2. then, in a private mount namespace with SOURCE_DIR and BUILD_DIR
#      hidden under empty tmpfs mounts (install_inner.sh):
#      `fusebpf new` + `fusebpf build` of a BPF filter and of a user filter;
#      a custom tool built with find_package(fusebpf) (CMAKE_PREFIX_PATH at
#      the prefix) and with pkg-config; `mount -T FSTAB MNT` through the
#      installed mount.fuse.fusebpf with a filter and a log file, then
#      `umount` (the daemon exits); `fusebpf selftest` (a few cases);
#      `man -w` with MANPATH; the bash completion sourcing cleanly.
# The scratch dir is removed and every mount undone, also on failure.
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
mode=$3
here=$(dirname "$(realpath "$0")")

scratch=$(mktemp -d /tmp/fusebpf-install-XXXXXX)
cleanup() {
	rm -rf "$scratch"
}
trap cleanup EXIT

prefix=$scratch/prefix
echo "== cmake --install --strip --prefix $prefix"
cmake --install "$build" --prefix "$prefix" --strip >"$scratch/install.log"

echo "== no installed file names $src or $build"
bash "$here/check_no_tree_paths.sh" "$prefix" "$src" "$build"

# The rest runs with the trees hidden; the inner script must not be read
# from the source tree once it is hidden, so it runs from a copy.
cp "$here/install_inner.sh" "$scratch/install_inner.sh"
cd "$scratch"
unshare --mount --propagation private bash "$scratch/install_inner.sh" "$prefix" "$scratch" \
	"$src" "$build" "$mode" 1-3
