// SPDX-License-Identifier: GPL-2.0-or-later
//
// rewrite_test: filters that change what an op does (input rewrites by a
// prefilter: the backing op uses them) or what it answers (output rewrites
// and error remapping by a postfilter: the kernel gets them), through a real
// mount with tests/support/knobs.bpf.c. The backing tree is asserted, not only the
// mount. Neighbour: verdicts_test.cc (every verdict, no rewrites).
#include "tests/filter_ops_meta/meta_fixture.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace fusebpf::test {
namespace {

class MetaRewrite : public MetaMount {};

// Attributes as the kernel has them cached, without asking the daemon.
mode_t cached_mode(const std::string &path)
{
	struct statx stx;
	if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MODE,
	          &stx) < 0)
		return ~0u;
	return stx.stx_mode & 07777;
}

std::string getxattr_str(const std::string &path, const char *name, size_t size = 65536)
{
	std::string buf(size, '\0');
	ssize_t n = getxattr(path.c_str(), name, buf.data(), buf.size());
	if (n < 0)
		return "<errno " + std::to_string(errno) + ">";
	buf.resize(static_cast<size_t>(n));
	return buf;
}

TEST_F(MetaRewrite, SetattrPrefilterRewritesTheMode)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x", 0644);
	table().set(FUSEBPF_OP_SETATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(chmod((mnt() + "/f").c_str(), 0755), 0) << std::strerror(errno);
	EXPECT_EQ(mode_of(backing() + "/f"), 0600u);
	EXPECT_EQ(mode_of(mnt() + "/f"), 0600u);
	// A setattr without a mode (truncate) is left alone by the rewrite.
	ASSERT_EQ(truncate((mnt() + "/f").c_str(), 0), 0);
	EXPECT_EQ(read_text(backing() + "/f"), "");
}

TEST_F(MetaRewrite, SetattrPostfilterRewritesTheReturnedAttr)
{
	ASSERT_NO_FATAL_FAILURE(mount_root(true));
	make_file(backing() + "/f", "x", 0644);
	struct stat st;
	ASSERT_EQ(stat((mnt() + "/f").c_str(), &st), 0);
	knob k;
	k.pre = BPF_FUSE_POSTFILTER;
	k.flags = rewrite_out;
	k.post_arg = 0704;
	table().set(FUSEBPF_OP_SETATTR, k);
	ASSERT_EQ(chmod((mnt() + "/f").c_str(), 0640), 0) << std::strerror(errno);
	EXPECT_EQ(mode_of(backing() + "/f"), 0640u); // the backing op is the asked one
	EXPECT_EQ(cached_mode(mnt() + "/f"), 0704u); // the kernel got the rewrite
	EXPECT_GE(table().calls(FUSEBPF_OP_SETATTR, FUSEBPF_POST), 1u);
}

TEST_F(MetaRewrite, MkdirOfARewrittenNameCreatesAnotherBackingEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(mkdir((mnt() + "/odir").c_str(), 0755), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/xdir"));
	EXPECT_FALSE(exists(backing() + "/odir"));
	// The kernel's name finds nothing in the backing tree: the lookup is
	// not rewritten.
	struct stat st;
	EXPECT_EQ(stat((mnt() + "/odir").c_str(), &st), -1);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(stat((mnt() + "/xdir").c_str(), &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(MetaRewrite, MkdirPostfilterRemapsEexistToEperm)
{
	// The VFS answers EEXIST itself for a name the kernel sees, so the
	// backing EEXIST comes from a rewritten name: "taken" -> "xaken".
	ASSERT_NO_FATAL_FAILURE(mount_root());
	ASSERT_EQ(mkdir((backing() + "/xaken").c_str(), 0755), 0);
	knob k;
	k.pre = BPF_FUSE_POSTFILTER;
	k.remap_from = -EEXIST;
	k.remap_to = -EPERM;
	k.flags = rewrite_in;
	table().set(FUSEBPF_OP_MKDIR, k);
	EXPECT_EQ(mkdir((mnt() + "/taken").c_str(), 0755), -1);
	EXPECT_EQ(errno, EPERM);
	// Other results pass: a new directory is made.
	EXPECT_EQ(mkdir((mnt() + "/fresh").c_str(), 0755), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/xresh"));
	EXPECT_GE(table().calls(FUSEBPF_OP_MKDIR, FUSEBPF_POST), 2u);
	// Without the remap the kernel gets the backing error.
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_in);
	EXPECT_EQ(mkdir((mnt() + "/taken").c_str(), 0755), -1);
	EXPECT_EQ(errno, EEXIST);
}

TEST_F(MetaRewrite, MkdirPostfilterRewritesTheEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root(true));
	knob k;
	k.pre = BPF_FUSE_POSTFILTER;
	k.flags = rewrite_out;
	k.post_arg = 0704;
	table().set(FUSEBPF_OP_MKDIR, k);
	ASSERT_EQ(mkdir((mnt() + "/d").c_str(), 0755), 0) << std::strerror(errno);
	EXPECT_EQ(mode_of(backing() + "/d"), 0755u);
	EXPECT_EQ(cached_mode(mnt() + "/d"), 0704u);
}

TEST_F(MetaRewrite, MkdirPostfilterErrorGivesTheLookupReferenceBack)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_POSTFILTER, -EPERM);
	EXPECT_EQ(mkdir((mnt() + "/d").c_str(), 0755), -1);
	EXPECT_EQ(errno, EPERM);
	EXPECT_TRUE(exists(backing() + "/d")); // the backing op ran; the answer is the filter's
	// The node works normally afterwards (its reference was given back, not leaked
	// into a stale state).
	table().reset();
	struct stat st;
	EXPECT_EQ(stat((mnt() + "/d").c_str(), &st), 0);
	EXPECT_EQ(rmdir((mnt() + "/d").c_str()), 0);
	EXPECT_FALSE(exists(backing() + "/d"));
}

TEST_F(MetaRewrite, UnlinkOfARewrittenNameRemovesAnotherBackingEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/ofile", "o");
	make_file(backing() + "/xfile", "x");
	table().set(FUSEBPF_OP_UNLINK, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(unlink((mnt() + "/ofile").c_str()), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/ofile"));
	EXPECT_FALSE(exists(backing() + "/xfile"));
}

TEST_F(MetaRewrite, RmdirOfARewrittenNameRemovesAnotherBackingEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	ASSERT_EQ(mkdir((backing() + "/odir").c_str(), 0755), 0);
	ASSERT_EQ(mkdir((backing() + "/xdir").c_str(), 0755), 0);
	table().set(FUSEBPF_OP_RMDIR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(rmdir((mnt() + "/odir").c_str()), 0) << std::strerror(errno);
	EXPECT_TRUE(exists(backing() + "/odir"));
	EXPECT_FALSE(exists(backing() + "/xdir"));
}

TEST_F(MetaRewrite, RenameToARewrittenNameReachesAnotherBackingEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/src", "data");
	ASSERT_EQ(mkdir((backing() + "/sub").c_str(), 0755), 0);
	table().set(FUSEBPF_OP_RENAME, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(rename((mnt() + "/src").c_str(), (mnt() + "/sub/new").c_str()), 0)
	    << std::strerror(errno);
	EXPECT_FALSE(exists(backing() + "/src"));
	EXPECT_FALSE(exists(backing() + "/sub/new"));
	EXPECT_EQ(read_text(backing() + "/sub/xew"), "data");
}

TEST_F(MetaRewrite, OpsBelowAMovedDirectoryStillRunThroughTheTable)
{
	// A smoke test: a directory moved to another parent keeps inheriting a
	// table (the same one here; user_test.cc's DirectoryRenameReparents...
	// moves one between two different bindings).
	ASSERT_NO_FATAL_FAILURE(mount_root());
	ASSERT_EQ(mkdir((backing() + "/a").c_str(), 0755), 0);
	ASSERT_EQ(mkdir((backing() + "/a/moved").c_str(), 0755), 0);
	ASSERT_EQ(mkdir((backing() + "/b").c_str(), 0755), 0);
	struct stat st;
	ASSERT_EQ(stat((mnt() + "/a/moved").c_str(), &st), 0);
	ASSERT_EQ(rename((mnt() + "/a/moved").c_str(), (mnt() + "/b/moved").c_str()), 0);
	table().set(FUSEBPF_OP_MKDIR, -EACCES);
	EXPECT_EQ(mkdir((mnt() + "/b/moved/inner").c_str(), 0755), -1);
	EXPECT_EQ(errno, EACCES);
	table().set(FUSEBPF_OP_MKDIR, BPF_FUSE_CONTINUE);
	EXPECT_EQ(mkdir((mnt() + "/b/moved/inner").c_str(), 0755), 0);
	EXPECT_TRUE(exists(backing() + "/b/moved/inner"));
}

TEST_F(MetaRewrite, LinkOfARewrittenNameCreatesAnotherBackingEntry)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "data");
	table().set(FUSEBPF_OP_LINK, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(link((mnt() + "/f").c_str(), (mnt() + "/olink").c_str()), 0)
	    << std::strerror(errno);
	EXPECT_EQ(read_text(backing() + "/xlink"), "data");
	EXPECT_FALSE(exists(backing() + "/olink"));
}

TEST_F(MetaRewrite, MknodPrefilterRewritesTheMode)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	table().set(FUSEBPF_OP_MKNOD, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(mkfifo((mnt() + "/p").c_str(), 0644), 0) << std::strerror(errno);
	struct stat st;
	ASSERT_EQ(lstat((backing() + "/p").c_str(), &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(MetaRewrite, SymlinkPrefilterRewritesTheTarget)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	table().set(FUSEBPF_OP_SYMLINK, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(symlink("target", (mnt() + "/l").c_str()), 0) << std::strerror(errno);
	EXPECT_EQ(link_of(backing() + "/l"), "xarget");
}

TEST_F(MetaRewrite, ReadlinkPostfilterRewritesTheTarget)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	ASSERT_EQ(symlink("target", (backing() + "/l").c_str()), 0);
	table().set(FUSEBPF_OP_READLINK, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_out);
	EXPECT_EQ(link_of(mnt() + "/l"), "xarget");
	EXPECT_EQ(link_of(backing() + "/l"), "target");
}

TEST_F(MetaRewrite, StatfsPostfilterRewritesTheCounts)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	table().set(FUSEBPF_OP_STATFS, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_out);
	struct statvfs sv;
	ASSERT_EQ(statvfs(mnt().c_str(), &sv), 0) << std::strerror(errno);
	EXPECT_EQ(sv.f_files, 12345u);
	EXPECT_EQ(sv.f_ffree, 123u);
	struct statvfs real;
	ASSERT_EQ(statvfs(backing().c_str(), &real), 0);
	EXPECT_EQ(sv.f_bsize, real.f_bsize); // the rest is the backing fs's
}

TEST_F(MetaRewrite, AccessPrefilterDenies)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x", 0644);
	table().set(FUSEBPF_OP_ACCESS, -EACCES);
	EXPECT_EQ(access((mnt() + "/f").c_str(), R_OK), -1);
	EXPECT_EQ(errno, EACCES);
	table().set(FUSEBPF_OP_ACCESS, BPF_FUSE_CONTINUE);
	EXPECT_EQ(access((mnt() + "/f").c_str(), R_OK), 0);
}

TEST_F(MetaRewrite, GetlkPostfilterReportsAConflict)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	table().set(FUSEBPF_OP_GETLK, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_out);
	int fd = open((mnt() + "/f").c_str(), O_RDWR);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	struct flock fl = {};
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	EXPECT_EQ(fcntl(fd, F_GETLK, &fl), 0) << std::strerror(errno);
	EXPECT_EQ(fl.l_type, F_WRLCK);
	// (l_pid is not asserted: the kernel maps the filter's pid 4242 through
	// the pid namespace, and a pid that does not exist becomes 0.)
	close(fd);
}

TEST_F(MetaRewrite, SetlkPrefilterErrorLeavesNoLock)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	table().set(FUSEBPF_OP_SETLK, -ENOLCK);
	int fd = open((mnt() + "/f").c_str(), O_RDWR);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	struct flock fl = {};
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	EXPECT_EQ(fcntl(fd, F_SETLK, &fl), -1);
	EXPECT_EQ(errno, ENOLCK);
	// Nobody holds a lock on the backing file.
	int bfd = open((backing() + "/f").c_str(), O_RDWR);
	ASSERT_GE(bfd, 0);
	struct flock probe = {};
	probe.l_type = F_WRLCK;
	probe.l_whence = SEEK_SET;
	EXPECT_EQ(fcntl(bfd, F_OFD_GETLK, &probe), 0);
	EXPECT_EQ(probe.l_type, F_UNLCK);
	close(bfd);
	close(fd);
}

// ---- extended attributes ----

TEST_F(MetaRewrite, GetxattrPostfilterRewritesTheValueAndTheProbe)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	set_xattr(backing() + "/f", "user.a", "original value");
	table().set(FUSEBPF_OP_GETXATTR, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_out);
	EXPECT_EQ(getxattr((mnt() + "/f").c_str(), "user.a", nullptr, 0), 8); // the probe
	EXPECT_EQ(getxattr_str(mnt() + "/f", "user.a"), "filtered");
	// The kernel's size applies to the filtered value.
	EXPECT_EQ(getxattr_str(mnt() + "/f", "user.a", 4),
	          "<errno " + std::to_string(ERANGE) + ">");
	EXPECT_EQ(xattr_of(backing() + "/f", "user.a"), "original value");
}

TEST_F(MetaRewrite, GetxattrPrefilterRewritesTheName)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	set_xattr(backing() + "/f", "user.a", "from a");
	set_xattr(backing() + "/f", "user.x", "from x");
	table().set(FUSEBPF_OP_GETXATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	EXPECT_EQ(getxattr_str(mnt() + "/f", "user.a"), "from x");
}

TEST_F(MetaRewrite, GetxattrTruncatedValueKeepsItsBytesUnlessShrunk)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	std::string big(1000, 'b');
	big[0] = 'B';
	set_xattr(backing() + "/f", "user.big", big);
	// A postfilter that sees the truncated value and leaves it: all 1000 bytes.
	table().set(FUSEBPF_OP_GETXATTR, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE);
	EXPECT_EQ(getxattr((mnt() + "/f").c_str(), "user.big", nullptr, 0), 1000);
	EXPECT_EQ(getxattr_str(mnt() + "/f", "user.big"), big);
	// One that shrinks it into the buffer: its 4 bytes.
	table().set(FUSEBPF_OP_GETXATTR, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, shrink);
	EXPECT_EQ(getxattr_str(mnt() + "/f", "user.big"), "Bbbb");
}

TEST_F(MetaRewrite, SetxattrPrefilterRewritesTheValue)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	table().set(FUSEBPF_OP_SETXATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(setxattr((mnt() + "/f").c_str(), "user.a", "value", 5, 0), 0)
	    << std::strerror(errno);
	EXPECT_EQ(xattr_of(backing() + "/f", "user.a"), "Xalue");
}

TEST_F(MetaRewrite, SetxattrTruncatedValueKeepsItsBytesUnlessShrunk)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	std::string big(600, 'v');
	// The prefilter changes byte 0 of the truncated copy only: the
	// original 600 bytes are stored.
	table().set(FUSEBPF_OP_SETXATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(setxattr((mnt() + "/f").c_str(), "user.big", big.data(), big.size(), 0), 0)
	    << std::strerror(errno);
	EXPECT_EQ(xattr_of(backing() + "/f", "user.big"), big);
	// Shrunk into the buffer: what the filter left.
	table().set(FUSEBPF_OP_SETXATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in | shrink);
	ASSERT_EQ(setxattr((mnt() + "/f").c_str(), "user.big", big.data(), big.size(), 0), 0)
	    << std::strerror(errno);
	EXPECT_EQ(xattr_of(backing() + "/f", "user.big"), "Xvvv");
}

TEST_F(MetaRewrite, ListxattrPostfilterRewritesTheList)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	set_xattr(backing() + "/f", "user.a", "1");
	set_xattr(backing() + "/f", "user.secret", "2");
	table().set(FUSEBPF_OP_LISTXATTR, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE, rewrite_out);
	char buf[256];
	EXPECT_EQ(listxattr((mnt() + "/f").c_str(), nullptr, 0), 10); // the probe
	ssize_t n = listxattr((mnt() + "/f").c_str(), buf, sizeof(buf));
	ASSERT_EQ(n, 10) << std::strerror(errno);
	EXPECT_EQ(std::string(buf, 10), std::string("user.only\0", 10));
}

TEST_F(MetaRewrite, RemovexattrPrefilterRewritesTheName)
{
	ASSERT_NO_FATAL_FAILURE(mount_root());
	make_file(backing() + "/f", "x");
	set_xattr(backing() + "/f", "user.a", "1");
	set_xattr(backing() + "/f", "user.x", "2");
	table().set(FUSEBPF_OP_REMOVEXATTR, BPF_FUSE_CONTINUE, BPF_FUSE_CONTINUE, rewrite_in);
	ASSERT_EQ(removexattr((mnt() + "/f").c_str(), "user.a"), 0) << std::strerror(errno);
	EXPECT_EQ(xattr_of(backing() + "/f", "user.a"), "1");
	EXPECT_EQ(xattr_of(backing() + "/f", "user.x"), "<ENODATA>");
}

} // namespace
} // namespace fusebpf::test
