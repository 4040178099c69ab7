// SPDX-License-Identifier: GPL-2.0-or-later
//
// main() of the daemon test binaries: GoogleTest plus an environment whose
// TearDown fails the run if any fuse.fusebpf mount made by this process is
// still mounted after the last test (and detaches it, so nothing lingers).
// The ctest-level check across all test processes is leftover_check.cc.
#include "tests/support/mountinfo.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace {

class no_leftover_mounts : public ::testing::Environment {
public:
	void TearDown() override
	{
		for (auto &e :
		     fusebpf::test::fusebpf_mounts_under(fusebpf::test::process_prefix())) {
			ADD_FAILURE() << "a test left " << e.mount_point << " mounted (" << e.source
			              << "); detaching it";
			::umount2(e.mount_point.c_str(), MNT_DETACH);
		}
	}
};

} // namespace

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	::testing::AddGlobalTestEnvironment(new no_leftover_mounts);
	return RUN_ALL_TESTS();
}
