# SPDX-License-Identifier: GPL-2.0-or-later
#
# FusebpfPackage.cmake: the Debian package, made by CPack from the install
# rules (FusebpfInstall.cmake and the subdirectories'), stripped, for prefix
# /usr: `cpack -G DEB` in a release build dir (packaging/build-deb.sh), or
# from any build dir's CPackConfig.cmake into a scratch dir (the ctest
# install_deb, packaging/test-deb.sh).
# Depends: the shared libraries the binaries link (dpkg-shlibdeps: libbpf1,
# libspdlog, libfmt, libstdc++...), fuse3 (fusermount3 for the mount
# helpers), and what `fusebpf build` runs: clang and bpftool for BPF filters
# with the libbpf and kernel headers they include, g++ for user filters.
# Recommends: what find_package(fusebpf) and pkg-config users need.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fusebpf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "fusebpf")
set(CPACK_PACKAGE_CONTACT "fusebpf maintainers <fusebpf@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FUSE-BPF filters for a stacked FUSE file system")
set(CPACK_PACKAGE_DESCRIPTION
	"fusebpf mounts a backing directory through a FUSE daemon whose operations\n"
	"eBPF programs pre- and post-filter, userspace filters take over where BPF\n"
	"declines, and file data moves through the kernel's FUSE passthrough.\n"
	"Includes the fusebpf CLI, the mount.fuse.fusebpf helper for fstab, the\n"
	"libraries and headers for filters and custom daemons, the examples and the\n"
	"FUSE-BPF selftest suite.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
	"fuse3, clang (>= 1:12), bpftool, libbpf-dev (>= 1:1.1), linux-libc-dev, libc6-dev, g++")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
	"cmake (>= 3.25), pkg-config, libspdlog-dev, nlohmann-json3-dev, liburing-dev, bash-completion, man-db")
include(CPack)
