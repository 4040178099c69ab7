// SPDX-License-Identifier: GPL-2.0-or-later
//
// verdicts_test: every verdict of every namespace, attribute, xattr and lock
// op through a real mount. One real BPF table (tests/support/knobs.bpf.c, loaded once
// per suite) is bound to the root with `fusebpf mount --ops ID`; each test
// sets the table's knobs through its pinned maps and runs the op with plain
// syscalls on the mountpoint, then checks the result, what happened in the
// backing tree and which programs ran.
//
// The matrix (OpVerdicts, one test per op): CONTINUE; a negative errno from
// the prefilter; POSTFILTER with a postfilter that continues, returns an
// errno, returns CALL_DEFAULT or garbage; CALL_DEFAULT with the
// default_filter answering an errno or CONTINUE; USER, USER_PREFILTER and
// USER_POSTFILTER without a user filter (plain passthrough); a garbage
// prefilter verdict (EIO, and the next op works: the daemon goes on).
// Input and output rewrites are in rewrite_test.cc.
#include "tests/filter_ops_meta/meta_fixture.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>

namespace fusebpf::test {
namespace {

// One op as a test runs it: prepare the backing dir, act through the mount
// (0 or errno), and whether the backing op took effect (null: no effect to
// see, e.g. a read-only op).
struct op_case {
	const char *name;
	fusebpf_op op;
	std::uint32_t opcode;
	std::function<void(const std::string &backing)> prepare;
	std::function<int(const std::string &mnt)> act;
	std::function<bool(const std::string &backing)> done;
};

int errno_of(int rc)
{
	return rc < 0 ? errno : 0;
}

// A lock op on a file of the mount: opens it read-write, runs cmd.
int lock_op(const std::string &path, int cmd, short type)
{
	int fd = open(path.c_str(), O_RDWR);
	if (fd < 0)
		return errno;
	struct flock fl = {};
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	int err = errno_of(fcntl(fd, cmd, &fl));
	close(fd);
	return err;
}

const op_case cases[] = {
    {"setattr", FUSEBPF_OP_SETATTR, FUSE_SETATTR,
     [](const std::string &b) { make_file(b + "/f", "x", 0644); },
     [](const std::string &m) { return errno_of(chmod((m + "/f").c_str(), 0640)); },
     [](const std::string &b) { return mode_of(b + "/f") == 0640; }},
    {"mkdir", FUSEBPF_OP_MKDIR, FUSE_MKDIR, nullptr,
     [](const std::string &m) { return errno_of(mkdir((m + "/d").c_str(), 0755)); },
     [](const std::string &b) { return exists(b + "/d"); }},
    {"unlink", FUSEBPF_OP_UNLINK, FUSE_UNLINK,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return errno_of(unlink((m + "/f").c_str())); },
     [](const std::string &b) { return !exists(b + "/f"); }},
    {"rename", FUSEBPF_OP_RENAME, FUSE_RENAME,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return errno_of(rename((m + "/f").c_str(), (m + "/g").c_str())); },
     [](const std::string &b) { return exists(b + "/g") && !exists(b + "/f"); }},
    {"rename2", FUSEBPF_OP_RENAME, FUSE_RENAME2,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) {
	     return errno_of(renameat2(AT_FDCWD, (m + "/f").c_str(), AT_FDCWD, (m + "/g").c_str(),
	                               RENAME_NOREPLACE));
     },
     [](const std::string &b) { return exists(b + "/g") && !exists(b + "/f"); }},
    {"setxattr", FUSEBPF_OP_SETXATTR, FUSE_SETXATTR,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) {
	     return errno_of(setxattr((m + "/f").c_str(), "user.a", "v1", 2, 0));
     },
     [](const std::string &b) { return xattr_of(b + "/f", "user.a") == "v1"; }},
    {"getxattr", FUSEBPF_OP_GETXATTR, FUSE_GETXATTR,
     [](const std::string &b) {
	     make_file(b + "/f", "x");
	     set_xattr(b + "/f", "user.a", "value");
     },
     [](const std::string &m) {
	     char buf[64];
	     ssize_t n = getxattr((m + "/f").c_str(), "user.a", buf, sizeof(buf));
	     if (n < 0)
		     return errno;
	     return std::string(buf, static_cast<size_t>(n)) == "value" ? 0 : EBADMSG;
     },
     nullptr},
    {"listxattr", FUSEBPF_OP_LISTXATTR, FUSE_LISTXATTR,
     [](const std::string &b) {
	     make_file(b + "/f", "x");
	     set_xattr(b + "/f", "user.a", "value");
     },
     [](const std::string &m) {
	     char buf[256];
	     ssize_t n = listxattr((m + "/f").c_str(), buf, sizeof(buf));
	     if (n < 0)
		     return errno;
	     return std::string(buf, static_cast<size_t>(n)).find("user.a") != std::string::npos
	                ? 0
	                : EBADMSG;
     },
     nullptr},
    {"removexattr", FUSEBPF_OP_REMOVEXATTR, FUSE_REMOVEXATTR,
     [](const std::string &b) {
	     make_file(b + "/f", "x");
	     set_xattr(b + "/f", "user.a", "value");
     },
     [](const std::string &m) { return errno_of(removexattr((m + "/f").c_str(), "user.a")); },
     [](const std::string &b) { return xattr_of(b + "/f", "user.a") == "<ENODATA>"; }},
    {"mknod", FUSEBPF_OP_MKNOD, FUSE_MKNOD, nullptr,
     [](const std::string &m) { return errno_of(mkfifo((m + "/p").c_str(), 0644)); },
     [](const std::string &b) { return exists(b + "/p"); }},
    {"symlink", FUSEBPF_OP_SYMLINK, FUSE_SYMLINK, nullptr,
     [](const std::string &m) { return errno_of(symlink("target", (m + "/l").c_str())); },
     [](const std::string &b) { return link_of(b + "/l") == "target"; }},
    {"link", FUSEBPF_OP_LINK, FUSE_LINK, [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return errno_of(link((m + "/f").c_str(), (m + "/h").c_str())); },
     [](const std::string &b) { return exists(b + "/h"); }},
    {"rmdir", FUSEBPF_OP_RMDIR, FUSE_RMDIR,
     [](const std::string &b) { mkdir((b + "/d").c_str(), 0755); },
     [](const std::string &m) { return errno_of(rmdir((m + "/d").c_str())); },
     [](const std::string &b) { return !exists(b + "/d"); }},
    {"readlink", FUSEBPF_OP_READLINK, FUSE_READLINK,
     [](const std::string &b) { symlink("target", (b + "/l").c_str()); },
     [](const std::string &m) {
	     char buf[64];
	     ssize_t n = readlink((m + "/l").c_str(), buf, sizeof(buf));
	     if (n < 0)
		     return errno;
	     return std::string(buf, static_cast<size_t>(n)) == "target" ? 0 : EBADMSG;
     },
     nullptr},
    {"access", FUSEBPF_OP_ACCESS, FUSE_ACCESS,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return errno_of(access((m + "/f").c_str(), R_OK)); }, nullptr},
    {"statfs", FUSEBPF_OP_STATFS, FUSE_STATFS, nullptr,
     [](const std::string &m) {
	     struct statvfs sv;
	     return errno_of(statvfs(m.c_str(), &sv));
     },
     nullptr},
    {"getlk", FUSEBPF_OP_GETLK, FUSE_GETLK, [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return lock_op(m + "/f", F_GETLK, F_WRLCK); }, nullptr},
    {"setlk", FUSEBPF_OP_SETLK, FUSE_SETLK, [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return lock_op(m + "/f", F_SETLK, F_WRLCK); }, nullptr},
    {"setlkw", FUSEBPF_OP_SETLK, FUSE_SETLKW,
     [](const std::string &b) { make_file(b + "/f", "x"); },
     [](const std::string &m) { return lock_op(m + "/f", F_SETLKW, F_WRLCK); }, nullptr},
};

// Errnos no backing op produces here, so a test knows who answered.
constexpr int pre_errno = EXFULL;
constexpr int post_errno = ENOTUNIQ;
constexpr int default_errno = EBADE;

class OpVerdicts : public MetaMount, public ::testing::WithParamInterface<op_case> {
protected:
	// A fresh scenario directory (backing and mount side) prepared for c.
	void scenario(const char *what)
	{
		table().reset();
		std::string dir = "/" + std::string(GetParam().name) + "_" + what;
		ASSERT_EQ(mkdir((backing() + dir).c_str(), 0755), 0) << dir;
		b_ = backing() + dir;
		m_ = mnt() + dir;
		if (GetParam().prepare)
			GetParam().prepare(b_);
	}
	int act() { return GetParam().act(m_); }
	bool done() const { return !GetParam().done || GetParam().done(b_); }
	std::uint64_t pre_calls() const { return table().calls(GetParam().op, FUSEBPF_PRE); }
	std::uint64_t post_calls() const { return table().calls(GetParam().op, FUSEBPF_POST); }

	std::string b_, m_;
};

TEST_P(OpVerdicts, EveryVerdict)
{
	const op_case &c = GetParam();
	ASSERT_NO_FATAL_FAILURE(mount_root());

	SCOPED_TRACE(c.name);
	{
		SCOPED_TRACE("CONTINUE");
		ASSERT_NO_FATAL_FAILURE(scenario("continue"));
		EXPECT_EQ(act(), 0);
		EXPECT_TRUE(done());
		EXPECT_GE(pre_calls(), 1u);
		EXPECT_EQ(post_calls(), 0u);
	}
	{
		SCOPED_TRACE("prefilter errno");
		ASSERT_NO_FATAL_FAILURE(scenario("errno"));
		table().set(c.op, -pre_errno);
		EXPECT_EQ(act(), pre_errno);
		if (c.done) {
			EXPECT_FALSE(done()) << "the backing op ran after a failing prefilter";
		}
	}
	{
		SCOPED_TRACE("POSTFILTER, CONTINUE");
		ASSERT_NO_FATAL_FAILURE(scenario("post"));
		table().set(c.op, BPF_FUSE_POSTFILTER, BPF_FUSE_CONTINUE);
		EXPECT_EQ(act(), 0);
		EXPECT_TRUE(done());
		EXPECT_GE(post_calls(), 1u);
	}
	{
		SCOPED_TRACE("POSTFILTER, errno");
		ASSERT_NO_FATAL_FAILURE(scenario("posterr"));
		table().set(c.op, BPF_FUSE_POSTFILTER, -post_errno);
		EXPECT_EQ(act(), post_errno);
		EXPECT_GE(post_calls(), 1u);
	}
	{
		SCOPED_TRACE("POSTFILTER, CALL_DEFAULT -> errno");
		ASSERT_NO_FATAL_FAILURE(scenario("postdflt"));
		table().set(c.op, BPF_FUSE_POSTFILTER, BPF_FUSE_CALL_DEFAULT);
		table().set_default(c.opcode, -default_errno);
		EXPECT_EQ(act(), default_errno);
		EXPECT_GE(table().default_calls(), 1u);
	}
	{
		SCOPED_TRACE("CALL_DEFAULT -> errno");
		ASSERT_NO_FATAL_FAILURE(scenario("dflterr"));
		table().set(c.op, BPF_FUSE_CALL_DEFAULT);
		table().set_default(c.opcode, -default_errno);
		EXPECT_EQ(act(), default_errno);
		if (c.done) {
			EXPECT_FALSE(done());
		}
		EXPECT_GE(table().default_calls(), 1u);
	}
	{
		SCOPED_TRACE("CALL_DEFAULT -> CONTINUE");
		ASSERT_NO_FATAL_FAILURE(scenario("dflt"));
		table().set(c.op, BPF_FUSE_CALL_DEFAULT);
		table().set_default(c.opcode, BPF_FUSE_CONTINUE);
		EXPECT_EQ(act(), 0);
		EXPECT_TRUE(done());
		EXPECT_GE(table().default_calls(), 1u);
	}
	for (int v : {BPF_FUSE_USER, BPF_FUSE_USER_PREFILTER, BPF_FUSE_USER_POSTFILTER}) {
		// No user filter: documented as plain passthrough.
		SCOPED_TRACE("USER verdict " + std::to_string(v));
		ASSERT_NO_FATAL_FAILURE(scenario(("user" + std::to_string(v)).c_str()));
		table().set(c.op, v);
		EXPECT_EQ(act(), 0);
		EXPECT_TRUE(done());
		EXPECT_GE(pre_calls(), 1u);
	}
	{
		SCOPED_TRACE("garbage prefilter verdict");
		ASSERT_NO_FATAL_FAILURE(scenario("garbage"));
		table().set(c.op, 42);
		EXPECT_EQ(act(), EIO);
		if (c.done) {
			EXPECT_FALSE(done());
		}
	}
	{
		SCOPED_TRACE("garbage postfilter verdict");
		ASSERT_NO_FATAL_FAILURE(scenario("postgarbage"));
		table().set(c.op, BPF_FUSE_POSTFILTER, 42);
		EXPECT_EQ(act(), EIO);
	}
	{
		SCOPED_TRACE("after garbage: the daemon goes on");
		ASSERT_NO_FATAL_FAILURE(scenario("after"));
		EXPECT_EQ(act(), 0);
		EXPECT_TRUE(done());
	}
	EXPECT_EQ(stop(), "exit 0");
}

INSTANTIATE_TEST_SUITE_P(MetaOps, OpVerdicts, ::testing::ValuesIn(cases),
                         [](const ::testing::TestParamInfo<op_case> &i) {
	                         return std::string(i.param.name);
                         });

} // namespace
} // namespace fusebpf::test
