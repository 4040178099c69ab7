#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the Debian package from the release build (build/, scripts/build.sh)
# with CPack (cmake/FusebpfPackage.cmake) and prints its path:
#	packaging/build-deb.sh          -> build/fusebpf_<version>_<arch>.deb
# Install it with `apt install ./build/fusebpf_*.deb`, remove it with
# `apt purge fusebpf`. `packaging/test-deb.sh build` makes the same package
# and checks both (the ctest install_deb does it for build-test/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" >/dev/null
cd "$top/build"
cpack -G DEB >cpack.log || { cat cpack.log; exit 1; }
ls "$top"/build/fusebpf_*.deb
