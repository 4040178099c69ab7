// SPDX-License-Identifier: GPL-2.0-or-later
//
// main of fusebpf-selftests: GoogleTest's, plus KTAP output.
//
//	fusebpf-selftests [GoogleTest flags] [--ktap [--verbose]]
//
// Without --ktap it is a plain GoogleTest binary (ctest runs it this way,
// one case per process via gtest_discover_tests). With --ktap GoogleTest's
// printer is replaced by ktap_listener. In both modes the exit status is 0
// only when no case failed and no case skipped except those in
// allowed_skips; `fusebpf selftest` runs it with --ktap and a --gtest_filter
// built from its -t list. The cases need root (mounts, BPF).
#include "selftests/ktap_listener.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>

namespace {

// The cases that may skip, each for a reason README.md documents under
// "Skipped on a stock kernel": inotify_test skips its second half (fsnotify
// for a file created directly in the backing dir) after the first passed.
const std::set<std::string> allowed_skips = {"inotify_test"};

// The cases of this run that skipped although they may not.
int unexpected_skips(const ::testing::UnitTest &unit)
{
	int n = 0;
	for (int i = 0; i < unit.total_test_suite_count(); i++) {
		const ::testing::TestSuite &suite = *unit.GetTestSuite(i);
		for (int j = 0; j < suite.total_test_count(); j++) {
			const ::testing::TestInfo &info = *suite.GetTestInfo(j);
			if (info.should_run() && info.result()->Skipped() &&
			    !allowed_skips.count(info.name())) {
				std::fprintf(
				    stderr,
				    "fusebpf-selftests: %s skipped; only the cases README.md "
				    "lists under \"Skipped on a stock kernel\" may skip\n",
				    info.name());
				n++;
			}
		}
	}
	return n;
}

} // namespace

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
		listeners.Append(
		    new fusebpf::selftest::ktap_listener(stdout, verbose, allowed_skips));
	}
	int rc = RUN_ALL_TESTS();
	if (unexpected_skips(*::testing::UnitTest::GetInstance()) > 0)
		return 1;
	return rc;
}
