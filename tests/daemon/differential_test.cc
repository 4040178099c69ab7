// SPDX-License-Identifier: GPL-2.0-or-later
//
// Differential test: one seeded random sequence of 10,000 file operations
// (random_ops.h) runs on the mount and on a native directory of the same
// file system, op by op; every result must match errno by errno, and the
// final trees (backing vs native, and the mount's view vs native) must be
// identical: names, types, content, mode, size, owner, link count, symlink
// targets, xattrs. Runs as root (with passthrough and with
// --no-passthrough, so the daemon's own data path is compared too) and, on a
// tree owned by 65534 with -o allow_other,default_permissions, as uid/gid
// 65534. Without default_permissions the kernel skips its permission checks,
// and where two errors apply at once (a link of a directory into a
// non-writable dir) the VFS reports its own (EPERM) before the daemon could
// report the backing fs's (EACCES); that mode is covered op by op in
// nonroot_test.cc instead. The filtered modes run the same with the hide
// example bound to the root (deny list empty: it filters LOOKUP, so creates
// and renames go through the name guard, and the create-like ops run its
// prefilters) and the readonly example attached to a sibling of the test
// tree, as root and as 65534: filters that guard nothing here change
// nothing here.
//
// The seed is printed; FUSEBPF_DIFF_SEED=N replays one, FUSEBPF_DIFF_OPS=N
// changes the length.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/daemon/random_ops.h"

#include "tests/support/process.h"

#include <chrono>
#include <cstdlib>
#include <unistd.h>

namespace fusebpf::test {
namespace {

uint64_t diff_seed()
{
	if (const char *s = std::getenv("FUSEBPF_DIFF_SEED"))
		return std::strtoull(s, nullptr, 0);
	return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count() ^
	                             ::getpid());
}

int diff_ops()
{
	if (const char *s = std::getenv("FUSEBPF_DIFF_OPS"))
		return std::atoi(s);
	return 10000;
}

enum class diff_mode {
	root,
	root_no_passthrough,
	nobody,
	filters_root,
	filters_nobody
};

class Differential : public mount_fixture, public ::testing::WithParamInterface<diff_mode> {
protected:
	bool as_nobody() const
	{
		return GetParam() == diff_mode::nobody || GetParam() == diff_mode::filters_nobody;
	}
	bool with_filters() const
	{
		return GetParam() == diff_mode::filters_root ||
		       GetParam() == diff_mode::filters_nobody;
	}
	std::vector<std::string> mount_args() const override
	{
		switch (GetParam()) {
		case diff_mode::nobody:
			return {"-o", "allow_other,default_permissions"};
		case diff_mode::filters_root:
			return {"--filter", HIDE_OBJ};
		case diff_mode::filters_nobody:
			return {"--filter", HIDE_OBJ, "-o", "allow_other,default_permissions"};
		case diff_mode::root_no_passthrough:
			return {"--no-passthrough"};
		default:
			return {};
		}
	}
	void prepare_backing() override
	{
		for (const std::string &root : {backing_dir(), native_dir()}) {
			std::string t = root + "/t";
			ASSERT_EQ(::mkdir(t.c_str(), 0755), 0);
			ASSERT_EQ(::mkdir((root + "/ro").c_str(), 0755), 0);
			if (as_nobody()) {
				ASSERT_EQ(::chown(t.c_str(), 65534, 65534), 0);
			}
		}
	}
};

TEST_P(Differential, SameResultsAndTreesAsNative)
{
	uint64_t seed = diff_seed();
	int count = diff_ops();
	auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
	std::cout << "differential seed " << seed << " (" << count
	          << " ops); replay: FUSEBPF_DIFF_SEED=" << seed << " "
	          << ::testing::internal::GetArgvs()[0]
	          << " --gtest_filter=" << info->test_suite_name() << "." << info->name()
	          << std::endl;

	if (with_filters()) {
		auto r = run_command({cli_path(), "attach", m("ro"), "--filter", READONLY_OBJ});
		ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.out << r.err;
	}
	std::string mnt = m("t"), nat = n("t");
	auto start = std::chrono::steady_clock::now();
	std::string report;
	std::string why;
	int ran = 0, errors = 0;
	if (as_nobody()) {
		auto out = run_as(
		    nobody,
		    [&] {
			    int r = 0, e = 0;
			    std::string rep = run_differential(seed, count, mnt, nat, &r, &e);
			    return std::to_string(r) + " " + std::to_string(e) + "\n" + rep;
		    },
		    why, 240000);
		ASSERT_TRUE(out) << why;
		std::istringstream in(*out);
		in >> ran >> errors;
		report = out->substr(out->find('\n') + 1);
	} else {
		report = run_differential(seed, count, mnt, nat, &ran, &errors);
	}
	auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	std::cout << ran << " ops in " << secs << " s, " << errors << " of them failed natively"
	          << std::endl;
	EXPECT_EQ(report, "") << "first mismatch (replay with FUSEBPF_DIFF_SEED=" << seed << ")";
	EXPECT_GT(errors, ran / 20) << "too few colliding ops: the namespace is too large";

	auto native = snapshot_tree(nat);
	EXPECT_EQ(diff_snapshots(snapshot_tree(b("t")), "backing", native, "native"), "")
	    << "seed " << seed;
	EXPECT_EQ(diff_snapshots(snapshot_tree(mnt), "mount", native, "native"), "")
	    << "seed " << seed;
	EXPECT_GT(native.size(), 3u) << "the sequence left an empty tree; weak test";
}

// The harness itself: the same seed on two native directories must agree op
// for op, or a mismatch above could be the generator's fault, not the daemon's.
TEST(DifferentialHarness, NativeAgainstNativeAgrees)
{
	temp_dir dir("diffself", 0755);
	ASSERT_TRUE(dir) << dir.error();
	std::string one = dir.subdir("one"), two = dir.subdir("two");
	uint64_t seed = diff_seed();
	int ran = 0, errors = 0;
	EXPECT_EQ(run_differential(seed, diff_ops(), one, two, &ran, &errors), "");
	EXPECT_EQ(ran, diff_ops());
	std::cout << ran << " ops, " << errors << " failed (seed " << seed << ")" << std::endl;
	EXPECT_EQ(diff_snapshots(snapshot_tree(one), "one", snapshot_tree(two), "two"), "")
	    << "seed " << seed;
}

INSTANTIATE_TEST_SUITE_P(Mode, Differential,
                         ::testing::Values(diff_mode::root, diff_mode::root_no_passthrough,
                                           diff_mode::nobody, diff_mode::filters_root,
                                           diff_mode::filters_nobody),
                         [](const auto &p) {
	                         switch (p.param) {
	                         case diff_mode::root:
		                         return "root";
	                         case diff_mode::root_no_passthrough:
		                         return "root_no_passthrough";
	                         case diff_mode::filters_root:
		                         return "hide_and_readonly_root";
	                         case diff_mode::filters_nobody:
		                         return "hide_and_readonly_nobody";
	                         default:
		                         return "nobody";
	                         }
                         });

} // namespace
} // namespace fusebpf::test
