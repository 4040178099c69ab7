// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount_filter_test: the mount-time binding. `fusebpf mount --filter
// FILE.bpf.o` loads the object in the daemon, binds it to the root and
// unpins it when the daemon exits; a broken object or library fails the
// mount with one clear error and mounts nothing; `--user-filter LIB.so`
// runs the library's hooks. Differs from attach_test.cc (live changes on a
// running mount). Every mount is a mounted_fs (unmounted in its destructor).
#include "tests/filter_attach/attach_util.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/mountinfo.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace fusebpf::attach_test;
using fusebpf::test::mounted_fs;

int line_of(const std::string &file, const std::string &marker)
{
	std::ifstream in(file);
	std::string line;
	for (int n = 1; std::getline(in, line); n++)
		if (line.find(marker) != std::string::npos)
			return n;
	return 0;
}

class MountFilter : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		mnt_ = dir_.subdir("mnt");
		write_file(backing_ + "/secret", "hidden\n");
		write_file(backing_ + "/plain", "plain\n");
		write_file(backing_ + "/target", "the target file\n");
	}
	// A `fusebpf mount` without -f that unexpectedly succeeded must not
	// leave a mount behind.
	void TearDown() override
	{
		if (fusebpf::test::find_mount(mnt_))
			umount2(mnt_.c_str(), MNT_DETACH);
	}

	fusebpf::test::temp_dir dir_{"filter_attach_mount"};
	std::string backing_, mnt_;
};

TEST_F(MountFilter, FilterObjectIsLoadedBoundAndUnloadedAtExit)
{
	std::string name = "fa_mount_" + std::to_string(getpid());
	mounted_fs fs(backing_, mnt_, {"--filter", HIDE_SECRET_OBJ, "--name", name});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	EXPECT_TRUE(table_pinned(name)) << "the daemon pins the table it loaded";
	EXPECT_EQ(stat_errno(mnt_ + "/secret"), ENOENT);
	EXPECT_EQ(stat_errno(mnt_ + "/plain"), 0);
	EXPECT_EQ(read_text(mnt_ + "/plain"), "plain\n");

	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	ASSERT_EQ((*status)["attachments"].size(), 1u) << status->dump();
	const auto &a = (*status)["attachments"][0];
	EXPECT_EQ(a["path"], "/");
	EXPECT_EQ(a["source"], "mount");
	EXPECT_EQ(a["loaded_table"], name);
	EXPECT_EQ(a["object"], HIDE_SECRET_OBJ);
	EXPECT_EQ(a["binding"]["ops"], nlohmann::json::array({"lookup"}));
	EXPECT_EQ((*status)["root"]["table"]["id"], a["binding"]["table"]["id"]);

	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
	EXPECT_FALSE(table_pinned(name)) << "nothing stays pinned after the daemon exits";
}

TEST_F(MountFilter, DefaultTableNameIsUniquePerDaemonAndUnpinned)
{
	mounted_fs fs(backing_, mnt_, {"--filter", HIDE_SECRET_OBJ});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	// fusebpf_add_filter() names the object filter_attach_hide_secret.bpf.o.
	std::string expected = "filter_attach_hide_secret-d" + std::to_string(fs.pid());
	EXPECT_TRUE(table_pinned(expected));
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_EQ((*status)["attachments"][0]["loaded_table"], expected) << status->dump();

	// A second mount of the same object at the same time does not clash.
	std::string backing2 = dir_.subdir("backing2"), mnt2 = dir_.subdir("mnt2");
	write_file(backing2 + "/secret", "x");
	mounted_fs fs2(backing2, mnt2, {"--filter", HIDE_SECRET_OBJ});
	ASSERT_TRUE(fs2.start(why)) << why;
	EXPECT_EQ(stat_errno(mnt2 + "/secret"), ENOENT);
	EXPECT_TRUE(table_pinned("filter_attach_hide_secret-d" + std::to_string(fs2.pid())));
	pid_t pid2 = fs2.pid();
	EXPECT_EQ(fs2.stop(), "exit 0") << fs2.daemon_log();
	EXPECT_FALSE(table_pinned("filter_attach_hide_secret-d" + std::to_string(pid2)));
	EXPECT_TRUE(table_pinned(expected)) << "the first mount's table is its own";
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
	EXPECT_FALSE(table_pinned(expected));
}

TEST_F(MountFilter, VerifierRejectionFailsTheMountWithTheVerifiersMessage)
{
	auto r = cli({"mount", "--filter", BROKEN_OBJ, "--name", "fa_broken", backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1) << r.describe() << r.err;
	int line = line_of(BROKEN_SRC, "REJECTED");
	ASSERT_GT(line, 0);
	EXPECT_NE(r.err.find("verifier rejected program 'broken_lookup_prefilter'"),
	          std::string::npos)
	    << r.err;
	EXPECT_NE(r.err.find("broken.bpf.c:" + std::to_string(line)), std::string::npos) << r.err;
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_)) << "nothing may be mounted";
	EXPECT_FALSE(table_pinned("fa_broken"));
	EXPECT_TRUE(pinned_tables_starting("filter_attach_broken").empty());
}

TEST_F(MountFilter, MissingObjectOrLibraryFailsWithOneClearError)
{
	auto r = cli({"mount", "--filter", dir_.path() + "/nope.bpf.o", backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("nope.bpf.o: No such file or directory"), std::string::npos) << r.err;
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_));

	// Not a BPF object (a text file): the loader says so.
	write_file(dir_.path() + "/text.bpf.o", "not ELF\n");
	r = cli({"mount", "--filter", dir_.path() + "/text.bpf.o", backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("text.bpf.o"), std::string::npos) << r.err;
	EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_));

	// A library that is not a shared object.
	r = cli({"mount", "--user-filter", dir_.path() + "/text.bpf.o", backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("--user-filter " + dir_.path() + "/text.bpf.o"), std::string::npos)
	    << r.err;
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_));
	// A table that is not loaded.
	r = cli({"mount", "--ops", "fa_no_such_table", backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1) << r.describe();
	EXPECT_NE(r.err.find("fa_no_such_table"), std::string::npos) << r.err;
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_));
	// A library whose table is broken: the table fails first, nothing loads.
	r = cli({"mount", "--filter", BROKEN_OBJ, "--user-filter", RENAME_USER_SO, backing_, mnt_});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_FALSE(fusebpf::test::find_mount(mnt_));
	EXPECT_TRUE(pinned_tables_starting("filter_attach_broken").empty());
}

TEST_F(MountFilter, UserFilterLibraryPrefilterRenamesTheLookup)
{
	mounted_fs fs(backing_, mnt_,
	              {"--filter", HIDE_SECRET_OBJ, "--user-filter", RENAME_USER_SO});
	// hide_secret has no USER verdicts: the library is bound but not asked.
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	EXPECT_EQ(stat_errno(mnt_ + "/alias"), ENOENT);
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();

	mounted_fs fs2(backing_, mnt_, {"--filter", TO_USER_OBJ, "--user-filter", RENAME_USER_SO});
	ASSERT_TRUE(fs2.start(why)) << why;
	// The BPF prefilter returns USER_PREFILTER; the library's pre_lookup
	// turns "alias" into "target", so "alias" is the target file.
	EXPECT_EQ(read_text(mnt_ + "/alias"), "the target file\n");
	EXPECT_EQ(read_text(mnt_ + "/plain"), "plain\n");
	EXPECT_EQ(stat_errno(mnt_ + "/nothing"), ENOENT);
	auto stats = fusebpf::test::read_stats(mnt_, why);
	ASSERT_TRUE(stats) << why;
	const auto &lookup = (*stats)["ops"]["LOOKUP"];
	EXPECT_GE(lookup["verdicts"]["USER_PREFILTER"].get<uint64_t>(), 3u) << stats->dump();
	EXPECT_GE(lookup["user"]["prefilter"].get<uint64_t>(), 3u) << stats->dump();
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_EQ((*status)["root"]["user_filter"], "rename_user") << status->dump();
	EXPECT_EQ((*status)["attachments"][0]["user_filter_library"], RENAME_USER_SO);
	EXPECT_EQ(fs2.stop(), "exit 0") << fs2.daemon_log();
}

TEST_F(MountFilter, UserFilterAloneWithArgument)
{
	write_file(backing_ + "/other", "the other file\n");
	mounted_fs fs(backing_, mnt_,
	              {"--user-filter", RENAME_USER_SO, "--user-filter-arg", "other"});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	// No table: verdict_without_table(LOOKUP) is USER_PREFILTER.
	EXPECT_EQ(read_text(mnt_ + "/alias"), "the other file\n");
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_TRUE((*status)["root"]["table"].is_null()) << status->dump();
	EXPECT_EQ((*status)["root"]["user_filter"], "rename_user");
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
}

} // namespace
