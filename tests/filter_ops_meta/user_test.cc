// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_test: USER, USER_PREFILTER and USER_POSTFILTER verdicts of the meta
// ops WITH a user filter (meta_user.cc, `fusebpf mount --user-filter`):
// a userspace error remap, userspace handlers that answer an op, a
// userspace prefilter that rewrites a name. The BPF side is
// tests/support/knobs.bpf.c; the verdicts without a user filter (passthrough) are in
// verdicts_test.cc.
#include "tests/filter_ops_meta/meta_fixture.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::test {
namespace {

class MetaUser : public MetaMount {
protected:
	void mount_with_user_filter() { mount_root(false, {"--user-filter", USER_FILTER_LIB}); }
};

// The VFS answers EEXIST itself for a name the kernel sees, so the backing
// EEXIST comes from a name the BPF prefilter rewrote: "taken" -> "xaken".
TEST_F(MetaUser, PostMkdirRemapsEexistToEperm)
{
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	ASSERT_EQ(mkdir((backing() + "/xaken").c_str(), 0755), 0);
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_USER_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_in);
	EXPECT_EQ(mkdir((mnt() + "/taken").c_str(), 0755), -1);
	EXPECT_EQ(errno, EPERM);
	EXPECT_EQ(mkdir((mnt() + "/fresh").c_str(), 0755), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/xresh"));
	// Without the USER_POSTFILTER verdict the kernel sees the real error.
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	EXPECT_EQ(mkdir((mnt() + "/taken").c_str(), 0755), -1);
	EXPECT_EQ(errno, EEXIST);
}

TEST_F(MetaUser, BpfPostfilterHandsOverToTheUserPostfilter)
{
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	ASSERT_EQ(mkdir((backing() + "/xaken").c_str(), 0755), 0);
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_POSTFILTER, BPF_FUSE_USER_POSTFILTER, rewrite_in);
	EXPECT_EQ(mkdir((mnt() + "/taken").c_str(), 0755), -1);
	EXPECT_EQ(errno, EPERM);
	EXPECT_GE(table().calls(FUSEBPF_OP_MKDIR, FUSEBPF_POST), 1u);
}

TEST_F(MetaUser, HandleStatfsAnswers)
{
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	table().set(FUSEBPF_OP_STATFS, BPF_FUSE_USER);
	struct statvfs sv;
	ASSERT_EQ(statvfs(mnt().c_str(), &sv), 0) << std::strerror(errno);
	EXPECT_EQ(sv.f_files, 777u);
	EXPECT_EQ(sv.f_ffree, 77u);
	EXPECT_EQ(sv.f_blocks, 1000u);
}

TEST_F(MetaUser, HandleGetxattrAnswersOneNameAndDeclinesTheOthers)
{
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	make_file(backing() + "/f", "x");
	set_xattr(backing() + "/f", "user.real", "backing");
	table().set(FUSEBPF_OP_GETXATTR, BPF_FUSE_USER);
	EXPECT_EQ(xattr_of(mnt() + "/f", "user.virtual"), "from user");
	EXPECT_EQ(xattr_of(backing() + "/f", "user.virtual"), "<ENODATA>");
	EXPECT_EQ(getxattr((mnt() + "/f").c_str(), "user.virtual", nullptr, 0), 9); // the probe
	EXPECT_EQ(xattr_of(mnt() + "/f", "user.real"), "backing");                  // declined
}

TEST_F(MetaUser, PreUnlinkRewritesTheName)
{
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	make_file(backing() + "/ofile", "o");
	make_file(backing() + "/ufile", "u");
	table().set(FUSEBPF_OP_UNLINK, BPF_FUSE_USER_PREFILTER);
	ASSERT_EQ(unlink((mnt() + "/ofile").c_str()), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/ofile"));
	EXPECT_FALSE(exists(backing() + "/ufile"));
}

TEST_F(MetaUser, DirectoryRenameReparentsItsBindingPoint)
{
	// notable/ runs without a table (a lookup handler's child decision);
	// notable/moved inherits that. Moved into plain/, it must inherit the
	// root's table instead: its binding point follows the rename.
	ASSERT_NO_FATAL_FAILURE(mount_with_user_filter());
	ASSERT_EQ(mkdir((backing() + "/notable").c_str(), 0755), 0);
	ASSERT_EQ(mkdir((backing() + "/notable/moved").c_str(), 0755), 0);
	ASSERT_EQ(mkdir((backing() + "/plain").c_str(), 0755), 0);
	table().set(FUSEBPF_OP_LOOKUP, BPF_FUSE_USER);
	table().set(FUSEBPF_OP_MKDIR, -EACCES);
	struct stat st;
	ASSERT_EQ(stat((mnt() + "/notable/moved").c_str(), &st), 0) << std::strerror(errno);
	ASSERT_EQ(stat((mnt() + "/plain").c_str(), &st), 0) << std::strerror(errno);
	// The table does not reach below notable/ ...
	EXPECT_EQ(mkdir((mnt() + "/notable/moved/before").c_str(), 0755), 0)
	    << std::strerror(errno);
	// ... and does below plain/.
	EXPECT_EQ(mkdir((mnt() + "/plain/denied").c_str(), 0755), -1);
	EXPECT_EQ(errno, EACCES);
	ASSERT_EQ(rename((mnt() + "/notable/moved").c_str(), (mnt() + "/plain/moved").c_str()), 0)
	    << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/plain/moved/before"));
	EXPECT_EQ(mkdir((mnt() + "/plain/moved/after").c_str(), 0755), -1);
	EXPECT_EQ(errno, EACCES);
	EXPECT_FALSE(exists(backing() + "/plain/moved/after"));
	// And back: unfiltered again.
	ASSERT_EQ(rename((mnt() + "/plain/moved").c_str(), (mnt() + "/notable/moved").c_str()), 0)
	    << std::strerror(errno);
	EXPECT_EQ(mkdir((mnt() + "/notable/moved/again").c_str(), 0755), 0) << std::strerror(errno);
}

} // namespace
} // namespace fusebpf::test
