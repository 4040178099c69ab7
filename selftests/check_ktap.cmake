# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_ktap.cmake - the ctest `fusebpf_selftest_ktap`: runs
# `fusebpf selftest` (the whole suite through the CLI) and checks its KTAP:
# the version line, a plan `1..N` with N > 0, exactly N result lines
# numbered 1..N in order, each `ok`, a SKIP only for the cases README.md
# lists under "Skipped on a stock kernel" (FUSEBPF_ALLOWED_SKIPS below, the
# same list as selftests/main.cc) and always with a reason, and exit status
# 0. Fails naming the first line that breaks a rule, printing the whole
# output.
#
#   cmake -DFUSEBPF_CLI=/path/to/fusebpf -P check_ktap.cmake
cmake_minimum_required(VERSION 3.20)
if(NOT FUSEBPF_CLI)
	message(FATAL_ERROR "check_ktap.cmake: pass -DFUSEBPF_CLI=<path to fusebpf>")
endif()
set(FUSEBPF_ALLOWED_SKIPS inotify_test)
execute_process(COMMAND ${FUSEBPF_CLI} selftest
	OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)

function(fail why)
	message(FATAL_ERROR "fusebpf selftest: ${why}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
endfunction()

string(REPLACE "\n" ";" lines "${out}")
set(state version)
set(plan 0)
set(seen 0)
foreach(line IN LISTS lines)
	if(line STREQUAL "" OR line MATCHES "^#")
		continue()
	endif()
	if(state STREQUAL "version")
		if(NOT line STREQUAL "TAP version 13")
			fail("the first line is not 'TAP version 13': '${line}'")
		endif()
		set(state plan)
	elseif(state STREQUAL "plan")
		if(NOT line MATCHES "^1\\.\\.([0-9]+)$" OR CMAKE_MATCH_1 EQUAL 0)
			fail("no plan line '1..N' after the version: '${line}'")
		endif()
		set(plan ${CMAKE_MATCH_1})
		set(state results)
	else()
		math(EXPR next "${seen} + 1")
		if(line MATCHES "^not ok ")
			fail("a case failed: '${line}'")
		elseif(NOT line MATCHES "^ok ([0-9]+) ([A-Za-z0-9_]+)( # SKIP (.*))?$")
			fail("not a KTAP result line: '${line}'")
		endif()
		if(NOT CMAKE_MATCH_1 EQUAL next)
			fail("result ${CMAKE_MATCH_1} where ${next} was due: '${line}'")
		endif()
		if(CMAKE_MATCH_3 AND CMAKE_MATCH_4 STREQUAL "")
			fail("a SKIP without a reason: '${line}'")
		endif()
		if(CMAKE_MATCH_3 AND NOT CMAKE_MATCH_2 IN_LIST FUSEBPF_ALLOWED_SKIPS)
			fail("${CMAKE_MATCH_2} skipped; only ${FUSEBPF_ALLOWED_SKIPS} may: '${line}'")
		endif()
		set(seen ${next})
	endif()
endforeach()
if(NOT state STREQUAL "results")
	fail("no KTAP header")
endif()
if(NOT seen EQUAL plan)
	fail("the plan says ${plan} cases, ${seen} results were printed")
endif()
if(NOT rc EQUAL 0)
	fail("exit status ${rc} although every case is ok")
endif()
message(STATUS "fusebpf selftest: ${plan} cases, KTAP well-formed, none failed, "
	"no case skipped but ${FUSEBPF_ALLOWED_SKIPS}")
