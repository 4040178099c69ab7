# SPDX-License-Identifier: GPL-2.0-or-later
#
# FusebpfInstall.cmake: what `cmake --install` (and the Debian package, see
# packaging/) puts where, for a prefix P (GNUInstallDirs):
#   P/bin/fusebpf                        the CLI
#   P/sbin/mount.fuse.fusebpf            -> ../bin/fusebpf, mount(8)'s helper
#   P/lib*/libfusebpf_{common,loader,filter,daemon}.a
#   P/lib*/cmake/fusebpf/                find_package(fusebpf), FusebpfFilter.cmake
#   P/lib*/pkgconfig/fusebpf.pc
#   P/include/fusebpf/                   filter_abi.h, fuse_wire.h, fusebpf.bpf.h,
#                                        and the common/ loader/ daemon/ headers
#   P/share/fusebpf/examples/            the examples (`fusebpf new`)
#   P/libexec/fusebpf/                   fusebpf-selftests, its BPF objects and
#                                        user filters (`fusebpf selftest`; the
#                                        rules are in selftests/CMakeLists.txt)
#   P/share/man/, P/share/bash-completion/completions/fusebpf
# Nothing installed names the build or source tree: the tools find their
# files from their own location (common/paths.h), the CMake package and the
# pkg-config file from theirs. `cmake --install --strip` (and the package)
# also strips the static libraries' debug info, whose compile directories
# would name the build tree.
include(CMakePackageConfigHelpers)

set(FUSEBPF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fusebpf)
set(FUSEBPF_LIBEXEC_DIR ${CMAKE_INSTALL_LIBEXECDIR}/fusebpf)
set(FUSEBPF_DATA_DIR ${CMAKE_INSTALL_DATADIR}/fusebpf)

# The CLI and the mount helper.
install(TARGETS fusebpf RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
file(RELATIVE_PATH _fusebpf_sbin_to_bin /${CMAKE_INSTALL_SBINDIR} /${CMAKE_INSTALL_BINDIR})
install(CODE "
	set(_dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}\")
	file(MAKE_DIRECTORY \"\${_dir}\")
	message(STATUS \"Installing: \${_dir}/mount.fuse.fusebpf\")
	file(CREATE_LINK \"${_fusebpf_sbin_to_bin}/fusebpf\" \"\${_dir}/mount.fuse.fusebpf\" SYMBOLIC)
")

# Libraries for custom daemons and tools, with their headers.
set_target_properties(fusebpf_common PROPERTIES EXPORT_NAME common)
set_target_properties(fusebpf_loader PROPERTIES EXPORT_NAME loader)
set_target_properties(fusebpf_filter PROPERTIES EXPORT_NAME filter)
set_target_properties(fusebpf_daemon PROPERTIES EXPORT_NAME daemon)
# A sanitizer build's libraries need the sanitizer runtimes in whatever links them.
if(FUSEBPF_SANITIZE)
	target_link_options(fusebpf_common INTERFACE
		$<INSTALL_INTERFACE:-fsanitize=address,undefined>)
endif()
install(TARGETS fusebpf_common fusebpf_loader fusebpf_filter fusebpf_daemon
	EXPORT fusebpfTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
	INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fusebpf ${CMAKE_INSTALL_INCLUDEDIR})
install(CODE "
	if(CMAKE_INSTALL_DO_STRIP)
		foreach(_lib common loader filter daemon)
			execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
				\"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libfusebpf_\${_lib}.a\"
				COMMAND_ERROR_IS_FATAL ANY)
		endforeach()
	endif()
")
install(FILES include/fusebpf/filter_abi.h include/fusebpf/fuse_wire.h bpf/fusebpf.bpf.h
	DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fusebpf)
install(DIRECTORY common loader daemon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fusebpf
	FILES_MATCHING PATTERN "*.h" PATTERN tests EXCLUDE)

# The CMake package and the pkg-config file.
install(EXPORT fusebpfTargets NAMESPACE fusebpf:: DESTINATION ${FUSEBPF_CMAKE_DIR})
configure_package_config_file(cmake/fusebpfConfig.cmake.in
	${PROJECT_BINARY_DIR}/fusebpfConfig.cmake
	INSTALL_DESTINATION ${FUSEBPF_CMAKE_DIR}
	PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fusebpfConfigVersion.cmake
	COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fusebpfConfig.cmake
	${PROJECT_BINARY_DIR}/fusebpfConfigVersion.cmake cmake/FusebpfFilter.cmake
	DESTINATION ${FUSEBPF_CMAKE_DIR})
file(RELATIVE_PATH FUSEBPF_PC_PREFIX_FROM_PCDIR /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" FUSEBPF_PC_PREFIX_FROM_PCDIR "${FUSEBPF_PC_PREFIX_FROM_PCDIR}")
configure_file(packaging/fusebpf.pc.in ${PROJECT_BINARY_DIR}/fusebpf.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/fusebpf.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Examples for `fusebpf new`, and the docs.
install(DIRECTORY examples/ DESTINATION ${FUSEBPF_DATA_DIR}/examples)
install(FILES README.md docs/filter-guide.md docs/filter-abi.md docs/filters.md
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
