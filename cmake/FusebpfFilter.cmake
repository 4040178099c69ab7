# SPDX-License-Identifier: GPL-2.0-or-later
#
# FusebpfFilter.cmake - build fuse_ops filter objects and their skeletons.
#
#   fusebpf_add_filter(<name> <source.bpf.c> [<more.bpf.c> ...]
#                      [INCLUDE_DIRECTORIES <dir> ...] [COMPILE_OPTIONS <opt> ...])
#
# Compiles each source with clang -target bpf (-g -O2 -Wall -Werror -mcpu=v3,
# headers tracked through clang's -MD depfile), links them with
# `bpftool gen object` into <name>.bpf.o and generates <name>.skel.h with
# `bpftool gen skeleton` (skeleton struct `<name>`, so <name> must be a C
# identifier).  Yields:
#   - INTERFACE target <name>_skel: link it to get the skeleton's include dir
#     and libbpf; it depends on the build of the object;
#   - the object's path as ${<name>_BPF_OBJECT} in the caller's scope and as
#     the target property FUSEBPF_BPF_OBJECT of <name>_skel (tests use
#     $<TARGET_PROPERTY:<name>_skel,FUSEBPF_BPF_OBJECT>);
#   - "<name>=<path of the object>" appended to the global property
#     FUSEBPF_BPF_OBJECTS: every object of the build, for the verifier sweep
#     (tests/verifier).
# Outputs go to ${CMAKE_CURRENT_BINARY_DIR}/<name>/.
#
# Unlike libbpf-bootstrap's bpf_object() this is a function (no variables
# leak between calls), it never generates vmlinux.h (fuse_ops filters need no
# kernel types) and it fails at configure time, naming the fix, when clang or
# bpftool is missing or too old.  The same flags are used by `fusebpf build`
# (loader/filter_build.cc), which gets them from FUSEBPF_BPF_CFLAGS.

# fusebpf's headers for filter sources: the source tree's when this file is
# included from it, the installed ones when fusebpfConfig.cmake sets
# FUSEBPF_FILTER_INCLUDE_DIRS before including it.
if(NOT FUSEBPF_FILTER_INCLUDE_DIRS)
	get_filename_component(_fusebpf_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
	set(FUSEBPF_FILTER_INCLUDE_DIRS ${_fusebpf_root}/bpf ${_fusebpf_root}/include
		${_fusebpf_root})
endif()
set(FUSEBPF_FILTER_INCLUDE_DIRS ${FUSEBPF_FILTER_INCLUDE_DIRS} CACHE INTERNAL "")

# The one list of BPF compile flags (also compiled into `fusebpf build`).
set(FUSEBPF_BPF_CFLAGS -g -O2 -Wall -Werror -mcpu=v3 CACHE INTERNAL "")

# Finds and checks clang and bpftool once (the first filter, or the loader
# for `fusebpf build`); sets FUSEBPF_BPF_CLANG, FUSEBPF_BPFTOOL and
# FUSEBPF_BPF_ARCH_INCLUDE.
function(fusebpf_find_bpf_toolchain)
	if(DEFINED CACHE{FUSEBPF_BPF_TOOLCHAIN_OK})
		return()
	endif()
	find_program(FUSEBPF_BPF_CLANG NAMES clang clang-14 clang-15 clang-16
		DOC "clang used to compile BPF filters (-target bpf)")
	if(NOT FUSEBPF_BPF_CLANG)
		message(FATAL_ERROR "fusebpf: clang not found; BPF filters need clang >= 12 "
			"(Debian: apt-get install clang), or set -DFUSEBPF_BPF_CLANG=/path/to/clang")
	endif()
	execute_process(COMMAND ${FUSEBPF_BPF_CLANG} --version OUTPUT_VARIABLE out
		RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0 OR NOT out MATCHES "clang version ([0-9]+)")
		message(FATAL_ERROR "fusebpf: ${FUSEBPF_BPF_CLANG} --version failed: ${out}")
	endif()
	if(CMAKE_MATCH_1 LESS 12)
		message(FATAL_ERROR "fusebpf: ${FUSEBPF_BPF_CLANG} is clang ${CMAKE_MATCH_1}; "
			"BPF filters need clang >= 12 (-mcpu=v3, BTF line info)")
	endif()
	find_program(FUSEBPF_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin
		DOC "bpftool used to link BPF objects and generate skeletons")
	if(NOT FUSEBPF_BPFTOOL)
		message(FATAL_ERROR "fusebpf: bpftool not found; it links BPF objects and "
			"generates skeletons (Debian: apt-get install bpftool), or set "
			"-DFUSEBPF_BPFTOOL=/path/to/bpftool")
	endif()
	execute_process(COMMAND ${FUSEBPF_BPFTOOL} version OUTPUT_VARIABLE out RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0 OR NOT out MATCHES "v([0-9]+)\\.([0-9]+)")
		message(FATAL_ERROR "fusebpf: `${FUSEBPF_BPFTOOL} version` failed: ${out}")
	endif()
	# `gen object` (static linking) appeared in bpftool 5.13.
	if(CMAKE_MATCH_1 LESS 5 OR (CMAKE_MATCH_1 EQUAL 5 AND CMAKE_MATCH_2 LESS 13))
		message(FATAL_ERROR "fusebpf: bpftool v${CMAKE_MATCH_1}.${CMAKE_MATCH_2} is too old; "
			"`bpftool gen object` needs bpftool >= 5.13")
	endif()
	# <linux/types.h> includes <asm/types.h>, which lives in the multiarch dir.
	set(arch ${CMAKE_LIBRARY_ARCHITECTURE})
	if(NOT arch)
		execute_process(COMMAND ${FUSEBPF_BPF_CLANG} -print-multiarch
			OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
	endif()
	set(FUSEBPF_BPF_ARCH_INCLUDE "/usr/include/${arch}" CACHE INTERNAL "")
	set(FUSEBPF_BPF_TOOLCHAIN_OK ON CACHE INTERNAL "")
endfunction()

function(fusebpf_add_filter name)
	cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "INCLUDE_DIRECTORIES;COMPILE_OPTIONS")
	set(sources ${arg_UNPARSED_ARGUMENTS})
	if(NOT sources)
		message(FATAL_ERROR "fusebpf_add_filter(${name}): no source given")
	endif()
	if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
		message(FATAL_ERROR "fusebpf_add_filter(${name}): the name must be a C identifier "
			"(it names the skeleton struct)")
	endif()
	fusebpf_find_bpf_toolchain()

	set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/${name})
	file(MAKE_DIRECTORY ${out_dir})
	set(includes)
	foreach(dir IN LISTS FUSEBPF_FILTER_INCLUDE_DIRS)
		list(APPEND includes -I${dir})
	endforeach()
	list(APPEND includes -I${FUSEBPF_BPF_ARCH_INCLUDE})
	# BTF names source files relative to the directory clang runs in (the
	# current binary dir), so the object names neither tree; clang still finds
	# each file to copy its source lines into the line info, which the
	# verifier's messages quote.
	file(RELATIVE_PATH to_source ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_SOURCE_DIR})
	if(NOT to_source)
		set(to_source .)
	endif()
	set(prefix_maps -ffile-prefix-map=${CMAKE_CURRENT_BINARY_DIR}=.
		-ffile-prefix-map=${CMAKE_SOURCE_DIR}=${to_source})
	foreach(dir IN LISTS arg_INCLUDE_DIRECTORIES)
		list(APPEND includes -I${dir})
	endforeach()

	set(objects)
	foreach(src IN LISTS sources)
		get_filename_component(src_abs ${src} ABSOLUTE)
		get_filename_component(src_name ${src} NAME_WE)
		set(obj ${out_dir}/${src_name}.tmp.o)
		add_custom_command(OUTPUT ${obj}
			COMMAND ${FUSEBPF_BPF_CLANG} -target bpf ${FUSEBPF_BPF_CFLAGS}
				${arg_COMPILE_OPTIONS} ${prefix_maps} ${includes} -MD -MF ${obj}.d
				-c ${src_abs} -o ${obj}
			DEPENDS ${src_abs}
			DEPFILE ${obj}.d
			COMMENT "[clang] Building BPF object: ${name} (${src_name})"
			VERBATIM)
		list(APPEND objects ${obj})
	endforeach()

	set(bpf_object ${out_dir}/${name}.bpf.o)
	set(skeleton ${out_dir}/${name}.skel.h)
	add_custom_command(OUTPUT ${bpf_object}
		COMMAND ${FUSEBPF_BPFTOOL} gen object ${bpf_object} ${objects}
		DEPENDS ${objects}
		COMMENT "[bpftool] Linking BPF object: ${name}.bpf.o"
		VERBATIM)
	# bpftool writes the skeleton to stdout; write a temporary file first so a
	# failure leaves no half-written header behind.
	add_custom_command(OUTPUT ${skeleton}
		COMMAND ${FUSEBPF_BPFTOOL} gen skeleton ${bpf_object} name ${name} > ${skeleton}.tmp
		COMMAND ${CMAKE_COMMAND} -E rename ${skeleton}.tmp ${skeleton}
		DEPENDS ${bpf_object}
		COMMENT "[skel] Building BPF skeleton: ${name}.skel.h"
		VERBATIM)

	add_custom_target(${name}_bpf DEPENDS ${bpf_object} ${skeleton})
	add_library(${name}_skel INTERFACE)
	add_dependencies(${name}_skel ${name}_bpf)
	target_include_directories(${name}_skel INTERFACE ${out_dir})
	target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
	set_target_properties(${name}_skel PROPERTIES FUSEBPF_BPF_OBJECT ${bpf_object})
	set_property(GLOBAL APPEND PROPERTY FUSEBPF_BPF_OBJECTS "${name}=${bpf_object}")
	set(${name}_BPF_OBJECT ${bpf_object} PARENT_SCOPE)
endfunction()

# fusebpf_add_user_filter(<name> <source.cc> [...])
#
# Builds a userspace filter (daemon/filter/user_filter.h) as a shared object
# `<name>.so` for `fusebpf mount --user-filter`: a MODULE library with hidden
# visibility (only FUSEBPF_USER_FILTER_EXPORT's symbols are exported), the
# project's include roots, and no link to the daemon (the interface is
# header-only; the daemon provides the rest). The path is
# $<TARGET_FILE:<name>>.
function(fusebpf_add_user_filter name)
	add_library(${name} MODULE ${ARGN})
	target_include_directories(${name} PRIVATE ${FUSEBPF_FILTER_INCLUDE_DIRS})
	set_target_properties(${name} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
		VISIBILITY_INLINES_HIDDEN ON)
endfunction()
