// SPDX-License-Identifier: GPL-2.0-or-later
//
// main of fusebpf-selftests: GoogleTest's, plus KTAP output.
//
//	fusebpf-selftests [GoogleTest flags] [--ktap [--verbose]]
//
// Without --ktap it is a plain GoogleTest binary (ctest runs it this way,
// one case per process via gtest_discover_tests). With --ktap GoogleTest's
// printer is replaced by ktap_listener, and the exit status is 0 only when no
// case failed (skips are fine); `fusebpf selftest` runs it like that with a
// --gtest_filter built from its -t list. The cases need root (mounts, BPF).
#include "selftests/ktap_listener.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv); // removes the --gtest_* flags it knows
	bool ktap = false, verbose = false;
	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "--ktap")) {
			ktap = true;
		} else if (!std::strcmp(argv[i], "--verbose") || !std::strcmp(argv[i], "-v")) {
			verbose = true;
		} else {
			std::fprintf(stderr,
			             "fusebpf-selftests: unknown argument '%s' (use --ktap, "
			             "--verbose or GoogleTest's --gtest_* flags)\n",
			             argv[i]);
			return 2;
		}
	}
	if (geteuid() != 0)
		std::fprintf(stderr, "fusebpf-selftests: warning: not root; the cases mount FUSE "
		                     "file systems and load BPF programs and will fail\n");
	if (ktap) {
		::testing::TestEventListeners &listeners =
		    ::testing::UnitTest::GetInstance()->listeners();
		delete listeners.Release(listeners.default_result_printer());
		listeners.Append(new fusebpf::selftest::ktap_listener(stdout, verbose));
	}
	return RUN_ALL_TESTS();
}
