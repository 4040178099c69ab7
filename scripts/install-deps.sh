#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs the Debian 12 packages fusebpf needs to build, test and run.
# Only missing packages are installed, so a second run costs a few
# dpkg-query calls and no network. Must run as root.
set -euo pipefail

packages=(
	# toolchain
	build-essential cmake ninja-build ccache pkg-config clang llvm clang-format
	# libFuzzer and clang's sanitizer runtimes for the fuzz targets (fuzz/)
	libclang-rt-14-dev
	# BPF: libbpf 1.1 for the loader, bpftool 7.1 for skeletons
	libbpf-dev bpftool libelf-dev zlib1g-dev
	# FUSE: libfuse3 for mount helpers and the passthrough_ll peer, fuse3 for fusermount3
	libfuse3-dev fuse3
	# libraries we build on
	libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev liburing-dev
	# tests and benchmarks
	googletest libgtest-dev libgmock-dev libbenchmark-dev attr python3
	# install tests: man -w on the installed pages
	man-db
)

if [[ $(id -u) -ne 0 ]]; then
	echo "install-deps.sh: must run as root (it installs Debian packages)" >&2
	exit 1
fi

missing=()
for pkg in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-deps.sh: all ${#packages[@]} packages present"
	exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
