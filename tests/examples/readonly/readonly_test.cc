// SPDX-License-Identifier: GPL-2.0-or-later
//
// examples/readonly through a real mount: the mount starts without a filter,
// `fusebpf attach MNT/sub --filter readonly.bpf.o` makes the subtree
// read-only while the mount runs, every modifying op there fails with EROFS
// (write-open, truncate, create, mkdir, mknod, symlink, link, unlink, rmdir,
// rename, chmod/utimes, setxattr, removexattr) while reads work and the rest
// of the mount stays writable; `fusebpf detach MNT/sub` makes it writable
// again.  Everything is touched before the attach (warm caches).
#include "tests/support/fs.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using fusebpf::test::read_text;

using fusebpf::test::cli_path;
using fusebpf::test::mounted_fs;
using fusebpf::test::run_command;

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path) << text;
}

// 0 if the call succeeded, else its errno.
int err_of(int ret)
{
	return ret < 0 ? errno : 0;
}

int open_errno(const std::string &path, int flags)
{
	int fd = open(path.c_str(), flags, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

class ReadonlyExample : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		ASSERT_EQ(mkdir((backing_ + "/sub").c_str(), 0755), 0);
		ASSERT_EQ(mkdir((backing_ + "/sub/dir").c_str(), 0755), 0);
		write_file(backing_ + "/sub/file.txt", "read me\n");
		write_file(backing_ + "/top.txt", "top\n");
		ASSERT_EQ(setxattr((backing_ + "/sub/file.txt").c_str(), "user.tag", "a", 1, 0), 0);
		fs_ = std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt"));
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
		// Warm the caches: the attach must invalidate, not wait for expiry.
		struct stat st;
		for (const char *p : {"/sub", "/sub/dir", "/sub/file.txt", "/top.txt"})
			stat((mnt() + p).c_str(), &st);
		ASSERT_EQ(open_errno(mnt() + "/sub/file.txt", O_WRONLY | O_APPEND), 0);
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
	}
	std::string mnt() const { return fs_->mountpoint(); }
	std::string sub(const char *p) const { return mnt() + "/sub/" + p; }

	void cli(const std::vector<std::string> &args)
	{
		std::vector<std::string> argv{cli_path()};
		argv.insert(argv.end(), args.begin(), args.end());
		auto r = run_command(argv);
		ASSERT_TRUE(r.exited_ok())
		    << fusebpf::test::shell_join(argv) << ": " << r.describe() << "\n"
		    << r.out << r.err;
	}

	fusebpf::test::temp_dir dir_{"example_readonly"};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

TEST_F(ReadonlyExample, AttachedSubtreeRefusesEveryChangeDetachAllowsThem)
{
	cli({"attach", mnt() + "/sub", "--filter", EXAMPLE_OBJ});

	// Reads work.
	EXPECT_EQ(read_text(sub("file.txt")), "read me\n");
	EXPECT_EQ(open_errno(sub("file.txt"), O_RDONLY), 0);
	struct stat st;
	EXPECT_EQ(stat(sub("dir").c_str(), &st), 0);
	char value[8];
	EXPECT_EQ(getxattr(sub("file.txt").c_str(), "user.tag", value, sizeof(value)), 1);

	// Every change fails with EROFS.
	EXPECT_EQ(open_errno(sub("file.txt"), O_WRONLY), EROFS) << "write-open";
	EXPECT_EQ(open_errno(sub("file.txt"), O_RDWR), EROFS) << "read-write open";
	EXPECT_EQ(open_errno(sub("file.txt"), O_RDONLY | O_TRUNC), EROFS) << "O_TRUNC";
	EXPECT_EQ(err_of(truncate(sub("file.txt").c_str(), 0)), EROFS) << "truncate";
	EXPECT_EQ(open_errno(sub("new.txt"), O_WRONLY | O_CREAT), EROFS) << "create";
	EXPECT_EQ(err_of(mkdir(sub("newdir").c_str(), 0755)), EROFS) << "mkdir";
	EXPECT_EQ(err_of(mknod(sub("fifo").c_str(), S_IFIFO | 0644, 0)), EROFS) << "mknod";
	EXPECT_EQ(err_of(symlink("file.txt", sub("link").c_str())), EROFS) << "symlink";
	EXPECT_EQ(err_of(link(sub("file.txt").c_str(), sub("hard").c_str())), EROFS) << "link";
	EXPECT_EQ(err_of(unlink(sub("file.txt").c_str())), EROFS) << "unlink";
	EXPECT_EQ(err_of(rmdir(sub("dir").c_str())), EROFS) << "rmdir";
	EXPECT_EQ(err_of(rename(sub("file.txt").c_str(), sub("moved.txt").c_str())), EROFS)
	    << "rename";
	EXPECT_EQ(err_of(chmod(sub("file.txt").c_str(), 0600)), EROFS) << "chmod (setattr)";
	EXPECT_EQ(err_of(utimes(sub("file.txt").c_str(), nullptr)), EROFS) << "utimes (setattr)";
	EXPECT_EQ(err_of(setxattr(sub("file.txt").c_str(), "user.x", "1", 1, 0)), EROFS)
	    << "setxattr";
	EXPECT_EQ(err_of(removexattr(sub("file.txt").c_str(), "user.tag")), EROFS) << "removexattr";
	EXPECT_EQ(err_of(access(sub("file.txt").c_str(), W_OK)), EROFS) << "access(W_OK)";

	// The backing files are untouched.
	EXPECT_EQ(read_text(backing_ + "/sub/file.txt"), "read me\n");
	EXPECT_NE(stat((backing_ + "/sub/new.txt").c_str(), &st), 0);

	// Outside the subtree the mount is writable.
	write_file(mnt() + "/top.txt", "changed\n");
	EXPECT_EQ(read_text(backing_ + "/top.txt"), "changed\n");
	EXPECT_EQ(err_of(mkdir((mnt() + "/outside").c_str(), 0755)), 0);

	// Detached: the subtree is writable again, at once.
	cli({"detach", mnt() + "/sub"});
	EXPECT_EQ(open_errno(sub("file.txt"), O_WRONLY | O_TRUNC), 0);
	write_file(sub("file.txt"), "written\n");
	EXPECT_EQ(read_text(backing_ + "/sub/file.txt"), "written\n");
	EXPECT_EQ(err_of(mkdir(sub("newdir").c_str(), 0755)), 0);
	EXPECT_EQ(err_of(chmod(sub("file.txt").c_str(), 0600)), 0);
	EXPECT_EQ(err_of(rename(sub("file.txt").c_str(), sub("moved.txt").c_str())), 0);
	EXPECT_EQ(err_of(unlink(sub("moved.txt").c_str())), 0);
}

TEST_F(ReadonlyExample, MountedWithTheFilterTheWholeMountIsReadOnly)
{
	fs_->stop();
	fs_ = std::make_unique<mounted_fs>(backing_, mnt(),
	                                   std::vector<std::string>{"--filter", EXAMPLE_OBJ});
	std::string why;
	ASSERT_TRUE(fs_->start(why)) << why;
	EXPECT_EQ(read_text(mnt() + "/top.txt"), "top\n");
	EXPECT_EQ(open_errno(mnt() + "/top.txt", O_WRONLY), EROFS);
	EXPECT_EQ(err_of(mkdir((mnt() + "/x").c_str(), 0755)), EROFS);
}

} // namespace
