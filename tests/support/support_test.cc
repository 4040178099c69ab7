// SPDX-License-Identifier: GPL-2.0-or-later
//
// Tests of fusebpf_test_support itself, without a daemon: temp dirs go away,
// commands report their output and status, run_as really changes uid/gid and
// returns errno, mountinfo parsing finds "/", and mounted_fs reports a daemon
// that fails to start with its stderr.
#include "tests/support/mountinfo.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/run_as.h"
#include "tests/support/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace fusebpf::test;

TEST(TempDir, CreatesPrivateDirAndRemovesTree)
{
	std::string path;
	{
		temp_dir d("support");
		ASSERT_TRUE(d) << d.error();
		path = d.path();
		EXPECT_EQ(path.rfind(leftover_prefix(), 0), 0u) << path;
		auto sub = d.subdir("a", 0700);
		ASSERT_FALSE(sub.empty());
		ASSERT_EQ(::symlink("/etc/passwd", (sub + "/link").c_str()), 0);
		int fd = ::open((sub + "/f").c_str(), O_CREAT | O_WRONLY, 0600);
		ASSERT_GE(fd, 0);
		::close(fd);
		ASSERT_EQ(::chmod(sub.c_str(), 0), 0);
	}
	struct stat st;
	EXPECT_NE(::lstat(path.c_str(), &st), 0) << path << " still exists";
	EXPECT_EQ(::access("/etc/passwd", F_OK), 0) << "removal followed a symlink";
}

TEST(RunCommand, CollectsOutputAndStatus)
{
	auto r = run_command({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
	EXPECT_EQ(r.exit_code(), 3) << r.describe();
	EXPECT_EQ(r.out, "out\n");
	EXPECT_EQ(r.err, "err\n");
	auto slow = run_command({"/bin/sleep", "10"}, 200);
	EXPECT_FALSE(slow.exited_ok());
	EXPECT_NE(slow.error.find("timed out"), std::string::npos) << slow.describe();
	EXPECT_EQ(shell_join({"a b", "c", "it's"}), "'a b' c 'it'\\''s'");
}

TEST(RunAs, DropsToNobodyAndReturnsErrno)
{
	std::string why;
	auto ids = run_as(
	    nobody,
	    [] {
		    gid_t groups[4];
		    return std::to_string(::getuid()) + ":" + std::to_string(::geteuid()) + ":" +
		           std::to_string(::getgid()) + ":" + std::to_string(::getegid()) + ":" +
		           std::to_string(::getgroups(4, groups));
	    },
	    why);
	ASSERT_TRUE(ids) << why;
	EXPECT_EQ(*ids, "65534:65534:65534:65534:0");

	temp_dir d("support");
	ASSERT_TRUE(d) << d.error();
	std::string target = d.path() + "/x";
	auto r = run_as_syscall(
	    nobody, [&] { return sys(::mkdir(target.c_str(), 0755)); }, why);
	EXPECT_EQ(r, (sys_result{-1, EACCES})) << describe(r) << " " << why;
	EXPECT_EQ(describe(r).find("-1 EACCES"), 0u) << describe(r);
}

TEST(Mountinfo, FindsRoot)
{
	mount_entry root;
	ASSERT_TRUE(find_mount("/", &root));
	EXPECT_FALSE(root.fstype.empty());
}

TEST(MountedFs, FailedStartReportsDaemonStderr)
{
	temp_dir d("support");
	ASSERT_TRUE(d) << d.error();
	auto mnt = d.subdir("mnt");
	mounted_fs fs(d.path() + "/does-not-exist", mnt);
	std::string why;
	EXPECT_FALSE(fs.start(why, 5000));
	EXPECT_NE(why.find("daemon ended while waiting for a fuse.fusebpf mount"),
	          std::string::npos)
	    << why;
	EXPECT_NE(why.find("daemon output:"), std::string::npos) << why;
	EXPECT_EQ(fs.pid(), -1);
	EXPECT_FALSE(fs.is_mounted());
}
