// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_data_test: the open-file and directory ops (OPEN, CREATE, READ, WRITE,
// FLUSH, RELEASE, FSYNC, FALLOCATE, LSEEK, COPY_FILE_RANGE, OPENDIR,
// READDIR(PLUS), RELEASEDIR, FSYNCDIR) through the filter engine, observed
// through a real mount with a real BPF table of the knob-driven test filter
// (tests/support/knobs.bpf.c), whose verdicts and rewrites the tests set
// through its `knobs` map (ops_data_fixture.h).  Covers every verdict kind, input and output
// rewriting, error_in remapping, CALL_DEFAULT, USER verdicts without a user
// filter, garbage verdicts, the data path rule (classic path for files
// whose table filters data, passthrough for the others) and readdir batches
// across many requests with drops.  User filters (virtual files) are in
// user_filter_test.cc.
#include "ops_data_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace fusebpf::ops_data_test {
namespace {

// The names of a directory listing, "." and ".." left out; on an error
// `err` gets readdir's errno.
std::vector<std::string> list_dir(const std::string &path, int &err)
{
	std::vector<std::string> names;
	err = 0;
	DIR *d = opendir(path.c_str());
	if (!d) {
		err = errno;
		return names;
	}
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			err = errno;
			break;
		}
		std::string n = e->d_name;
		if (n != "." && n != "..")
			names.push_back(n);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> list_dir(const std::string &path)
{
	int err = 0;
	auto names = list_dir(path, err);
	EXPECT_EQ(err, 0) << std::strerror(err);
	return names;
}

// Reads a whole file through open/read/close; "" and errno in err on failure.
std::string read_all(const std::string &path, int &err, int flags = 0)
{
	err = 0;
	int fd = open(path.c_str(), O_RDONLY | flags);
	if (fd < 0) {
		err = errno;
		return "";
	}
	std::string out;
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		out.append(buf, static_cast<size_t>(n));
	}
	close(fd);
	return out;
}

const int data_ops[] = {
    FUSEBPF_OP_OPEN,       FUSEBPF_OP_CREATE,          FUSEBPF_OP_READ,    FUSEBPF_OP_WRITE,
    FUSEBPF_OP_FLUSH,      FUSEBPF_OP_RELEASE,         FUSEBPF_OP_FSYNC,   FUSEBPF_OP_FALLOCATE,
    FUSEBPF_OP_LSEEK,      FUSEBPF_OP_COPY_FILE_RANGE, FUSEBPF_OP_OPENDIR, FUSEBPF_OP_READDIR,
    FUSEBPF_OP_RELEASEDIR, FUSEBPF_OP_FSYNCDIR};

// Runs every op of the list once through the mount; returns "" or what failed.
std::string exercise_all_ops(const std::string &m)
{
	std::string f = m + "/f", g = m + "/g";
	int fd = open(f.c_str(), O_RDWR);
	if (fd < 0)
		return "open: " + std::string(std::strerror(errno));
	char buf[64] = {};
	if (pread(fd, buf, sizeof(buf), 0) != 11 || std::string(buf) != "hello world")
		return "read: got '" + std::string(buf) + "'";
	if (pwrite(fd, "HELLO", 5, 0) != 5)
		return "write: " + std::string(std::strerror(errno));
	if (fsync(fd) != 0 || fdatasync(fd) != 0)
		return "fsync: " + std::string(std::strerror(errno));
	if (fallocate(fd, 0, 0, 8192) != 0)
		return "fallocate: " + std::string(std::strerror(errno));
	if (lseek(fd, 0, SEEK_DATA) != 0)
		return "lseek: " + std::string(std::strerror(errno));
	int out = open(g.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (out < 0)
		return "create: " + std::string(std::strerror(errno));
	loff_t in_off = 0, out_off = 0;
	ssize_t copied = copy_file_range(fd, &in_off, out, &out_off, 11, 0);
	if (copied != 11)
		return "copy_file_range: " + std::to_string(copied) + " " + std::strerror(errno);
	if (close(out) != 0 || close(fd) != 0)
		return "close: " + std::string(std::strerror(errno));
	int dfd = open(m.c_str(), O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return "opendir: " + std::string(std::strerror(errno));
	char dents[4096];
	if (syscall(SYS_getdents64, dfd, dents, sizeof(dents)) <= 0)
		return "readdir: " + std::string(std::strerror(errno));
	if (fsync(dfd) != 0)
		return "fsyncdir: " + std::string(std::strerror(errno));
	close(dfd);
	return "";
}

// ---------------------------------------------------------------------------
// CONTINUE everywhere: every op works, every prefilter ran, data reached the
// daemon (classic path: the table has read and write programs).

TEST_F(OpsDataTest, ContinueRunsEveryWiredOpOnTheClassicDataPath)
{
	write_file(back("f"), "hello world");
	mount();
	ASSERT_EQ(exercise_all_ops(mnt()), "");
	EXPECT_EQ(read_text(back("f")).substr(0, 11), "HELLO world");
	EXPECT_EQ(read_text(back("g")), "HELLO world");
	for (int op : data_ops)
		EXPECT_TRUE(eventually([&] { return calls(op) >= 1; })) << "op " << op;
	for (int op : data_ops)
		EXPECT_EQ(calls(op, 1), 0u) << "no postfilter without POSTFILTER, op " << op;
	auto s = stats();
	EXPECT_GE(counter(s, "READ", "requests"), 1u) << s.dump();
	EXPECT_GE(counter(s, "WRITE", "requests"), 1u) << s.dump();
	EXPECT_GE(counter(s, "READ", "filtered"), 1u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// A negative verdict is the op's error; no backing op runs.

TEST_F(OpsDataTest, NegativeVerdictIsTheErrorOfEachOp)
{
	write_file(back("f"), "hello world");
	mkdir(back("d").c_str(), 0755);
	write_file(back("d/x"), "x");
	mount();
	int err = 0;

	set_pre(FUSEBPF_OP_OPEN, -EACCES);
	read_all(mnt("f"), err);
	EXPECT_EQ(err, EACCES);
	set_pre(FUSEBPF_OP_OPEN, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_CREATE, -EROFS);
	errno = 0;
	EXPECT_EQ(open(mnt("new").c_str(), O_CREAT | O_WRONLY, 0644), -1);
	EXPECT_EQ(errno, EROFS);
	EXPECT_NE(access(back("new").c_str(), F_OK), 0) << "the backing create did not run";
	set_pre(FUSEBPF_OP_CREATE, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_READ, -ENOLINK);
	read_all(mnt("f"), err);
	EXPECT_EQ(err, ENOLINK);
	read_all(mnt("f"), err, O_DIRECT);
	EXPECT_EQ(err, ENOLINK);
	set_pre(FUSEBPF_OP_READ, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_WRITE, -ENOSPC);
	int fd = open(mnt("f").c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(pwrite(fd, "zz", 2, 0), -1);
	EXPECT_EQ(errno, ENOSPC);
	set_pre(FUSEBPF_OP_WRITE, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_FSYNC, -EDQUOT);
	errno = 0;
	EXPECT_EQ(fsync(fd), -1);
	EXPECT_EQ(errno, EDQUOT);
	set_pre(FUSEBPF_OP_FSYNC, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_FALLOCATE, -ENOSPC);
	errno = 0;
	EXPECT_EQ(fallocate(fd, 0, 0, 4096), -1);
	EXPECT_EQ(errno, ENOSPC);
	set_pre(FUSEBPF_OP_FALLOCATE, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_LSEEK, -ENXIO);
	errno = 0;
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), -1);
	EXPECT_EQ(errno, ENXIO);
	set_pre(FUSEBPF_OP_LSEEK, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_COPY_FILE_RANGE, -EFBIG);
	int out = open(mnt("d/x").c_str(), O_WRONLY);
	ASSERT_GE(out, 0);
	loff_t a = 0, b = 0;
	errno = 0;
	EXPECT_EQ(copy_file_range(fd, &a, out, &b, 4, 0), -1);
	EXPECT_EQ(errno, EFBIG);
	set_pre(FUSEBPF_OP_COPY_FILE_RANGE, BPF_FUSE_CONTINUE);
	close(out);

	// FLUSH's error is close()'s; RELEASE cannot fail (the handle goes).
	set_pre(FUSEBPF_OP_FLUSH, -EDQUOT);
	set_pre(FUSEBPF_OP_RELEASE, -EIO);
	errno = 0;
	EXPECT_EQ(close(fd), -1);
	EXPECT_EQ(errno, EDQUOT);
	EXPECT_TRUE(eventually([&] { return calls(FUSEBPF_OP_RELEASE) >= 1; }));
	set_pre(FUSEBPF_OP_FLUSH, BPF_FUSE_CONTINUE);
	set_pre(FUSEBPF_OP_RELEASE, BPF_FUSE_CONTINUE);
	EXPECT_EQ(read_text(mnt("f")), "hello world") << "the file is still usable";

	set_pre(FUSEBPF_OP_OPENDIR, -EACCES);
	list_dir(mnt("d"), err);
	EXPECT_EQ(err, EACCES);
	set_pre(FUSEBPF_OP_OPENDIR, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_READDIR, -EPERM);
	list_dir(mnt("d"), err);
	EXPECT_EQ(err, EPERM);
	set_pre(FUSEBPF_OP_READDIR, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_FSYNCDIR, -EDQUOT);
	set_pre(FUSEBPF_OP_RELEASEDIR, -EIO);
	int dfd = open(mnt("d").c_str(), O_RDONLY | O_DIRECTORY);
	ASSERT_GE(dfd, 0);
	errno = 0;
	EXPECT_EQ(fsync(dfd), -1);
	EXPECT_EQ(errno, EDQUOT);
	EXPECT_EQ(close(dfd), 0);
	EXPECT_TRUE(eventually([&] { return calls(FUSEBPF_OP_RELEASEDIR) >= 1; }));
	set_pre(FUSEBPF_OP_FSYNCDIR, BPF_FUSE_CONTINUE);
	set_pre(FUSEBPF_OP_RELEASEDIR, BPF_FUSE_CONTINUE);
	EXPECT_EQ(list_dir(mnt("d")), std::vector<std::string>{"x"});

	auto s = stats();
	EXPECT_GE(s["ops"]["READ"]["verdicts"]["errno"].get<uint64_t>(), 1u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// POSTFILTER: the postfilters rewrite what the kernel gets.

TEST_F(OpsDataTest, PostfiltersRewriteReadSizeLseekCopyAndCreateAttr)
{
	write_file(back("f"), "hello world");
	write_file(back("g"), "0123456789");
	// attr_timeout: fstat after creat() shows the CREATE reply's attr.
	mount("attr_timeout=30,entry_timeout=0");

	knob c;
	c.pre = BPF_FUSE_POSTFILTER;
	c.flags = test::rewrite_out;
	c.post_arg = 5;
	set(FUSEBPF_OP_READ, c);
	int err = 0;
	EXPECT_EQ(read_all(mnt("f"), err), "hello");
	EXPECT_EQ(err, 0);
	EXPECT_GE(calls(FUSEBPF_OP_READ, 1), 1u);
	set(FUSEBPF_OP_READ, {});

	c.post_arg = 0600;
	set(FUSEBPF_OP_CREATE, c);
	int fd = open(mnt("created").c_str(), O_CREAT | O_RDWR, 0644);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	struct stat st;
	ASSERT_EQ(fstat(fd, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600u) << "the create postfilter's attr";
	EXPECT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(stat(back("created").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644u) << "the backing file is as created";
	EXPECT_EQ(write(fd, "abc", 3), 3) << "the created handle works";
	close(fd);
	EXPECT_EQ(read_text(back("created")), "abc");
	set(FUSEBPF_OP_CREATE, {});

	// fh and backing_id are the daemon's: a postfilter writing them
	// changes nothing.
	c.post_arg = 0xdead;
	set(FUSEBPF_OP_OPEN, c);
	EXPECT_EQ(read_all(mnt("g"), err), "0123456789");
	EXPECT_EQ(err, 0);
	EXPECT_GE(calls(FUSEBPF_OP_OPEN, 1), 1u);
	set(FUSEBPF_OP_OPEN, {});

	c.post_arg = 4096;
	set(FUSEBPF_OP_LSEEK, c);
	fd = open(mnt("f").c_str(), O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_DATA), 4096);
	set(FUSEBPF_OP_LSEEK, {});

	c.post_arg = 3;
	set(FUSEBPF_OP_COPY_FILE_RANGE, c);
	int out = open(mnt("copy").c_str(), O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(out, 0);
	loff_t a = 0, b = 0;
	EXPECT_EQ(copy_file_range(fd, &a, out, &b, 11, 0), 3);
	set(FUSEBPF_OP_COPY_FILE_RANGE, {});
	close(out);
	close(fd);

	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(OpsDataTest, ReaddirPostfilterDropsAndRenamesEntries)
{
	mkdir(back("d").c_str(), 0755);
	for (const char *n : {"hide1", "hide2", "old", "keep"})
		write_file(back("d/") + n, n);
	mount();
	knob c;
	c.pre = BPF_FUSE_POSTFILTER;
	c.flags = test::rewrite_out;
	c.post_arg = 1;
	set(FUSEBPF_OP_READDIR, c);
	// Twice: READDIRPLUS first (FUSE_READDIRPLUS_AUTO), then maybe READDIR.
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(list_dir(mnt("d")), (std::vector<std::string>{"keep", "new"}));
	EXPECT_GE(calls(FUSEBPF_OP_READDIR, 1), 1u);
	int err = 0;
	auto backing = list_dir(back("d"), err);
	EXPECT_EQ(backing.size(), 4u);
	// A dropped name is still there for a lookup (only readdir hides it).
	struct stat st;
	EXPECT_EQ(stat(mnt("d/hide1").c_str(), &st), 0);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// Hundreds of entries over many READDIR requests, most of them dropped, some
// requests with every backing entry dropped: the listing is exactly the kept
// names, each once.
TEST_F(OpsDataTest, ReaddirOffsetsStayRightAcrossRequestsWithDrops)
{
	mkdir(back("big").c_str(), 0755);
	std::set<std::string> want;
	for (int i = 0; i < 600; i++) {
		std::string n = (i % 25 == 0 ? "keep_" : "hide_") + std::to_string(i);
		write_file(back("big/") + n, "");
		if (n.starts_with("keep"))
			want.insert(n);
	}
	mount();
	knob c;
	c.pre = BPF_FUSE_POSTFILTER;
	c.flags = test::rewrite_out;
	c.post_arg = 1;
	set(FUSEBPF_OP_READDIR, c);
	for (int round = 0; round < 2; round++) {
		auto got = list_dir(mnt("big"));
		EXPECT_EQ(got.size(), want.size());
		EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
	}
	uint64_t pre = calls(FUSEBPF_OP_READDIR, 0), post = calls(FUSEBPF_OP_READDIR, 1);
	EXPECT_GE(pre, 4u) << "several READDIR requests per listing";
	// One postfilter run per batch of 32, not per entry.
	EXPECT_LT(post, 2 * 600 / 10u) << "postfilter runs: " << post;
	EXPECT_GE(post, 2 * 600 / FUSEBPF_READDIR_BATCH) << "postfilter runs: " << post;
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// Unmounts a tmpfs the test mounted, also when it fails.
struct tmpfs_guard {
	std::string path;
	~tmpfs_guard()
	{
		if (!path.empty())
			umount2(path.c_str(), MNT_DETACH);
	}
};

// A backing tmpfs lists in creation order: the only kept names are the
// first and the very last, so every READDIR request in between gets
// nothing but dropped entries, which must not end the listing.
TEST_F(OpsDataTest, ReaddirReadsOnWhenAPostfilterDropsAWholeRequest)
{
	std::string big = back("big");
	mkdir(big.c_str(), 0755);
	ASSERT_EQ(::mount("tmpfs", big.c_str(), "tmpfs", 0, "mode=0755"), 0)
	    << std::strerror(errno);
	tmpfs_guard guard{big};
	write_file(big + "/keep_first", "");
	for (int i = 0; i < 2000; i++)
		write_file(big + "/hide_" + std::to_string(i), "");
	write_file(big + "/keep_last", "");
	mount();
	knob c;
	c.pre = BPF_FUSE_POSTFILTER;
	c.flags = test::rewrite_out;
	c.post_arg = 1;
	set(FUSEBPF_OP_READDIR, c);
	for (int round = 0; round < 2; round++)
		EXPECT_EQ(list_dir(mnt("big")),
		          (std::vector<std::string>{"keep_first", "keep_last"}));
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// Input rewriting: the backing op uses what the prefilter wrote.

TEST_F(OpsDataTest, PrefiltersRewriteCreateNameAndReadWriteOffsets)
{
	write_file(back("f"), "hello world");
	mount();
	knob c;
	c.flags = test::rewrite_in;
	set(FUSEBPF_OP_CREATE, c);
	int fd = open(mnt("asked").c_str(), O_CREAT | O_WRONLY, 0644);
	ASSERT_GE(fd, 0) << std::strerror(errno);
	EXPECT_EQ(write(fd, "data", 4), 4);
	close(fd);
	EXPECT_EQ(read_text(back("redirected")), "data") << "create made another backing file";
	EXPECT_NE(access(back("asked").c_str(), F_OK), 0);
	set(FUSEBPF_OP_CREATE, {});

	c.arg = 6; // write lands 6 bytes further
	set(FUSEBPF_OP_WRITE, c);
	fd = open(mnt("f").c_str(), O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(pwrite(fd, "WORLD", 5, 0), 5);
	close(fd);
	set(FUSEBPF_OP_WRITE, {});
	EXPECT_EQ(read_text(back("f")), "hello WORLD");

	c.arg = 6; // reads come from 6 bytes further
	set(FUSEBPF_OP_READ, c);
	int err = 0;
	EXPECT_EQ(read_all(mnt("f"), err), "WORLD");
	EXPECT_EQ(err, 0);
	set(FUSEBPF_OP_READ, {});
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// error_in remapping in the postfilter.

TEST_F(OpsDataTest, PostfiltersRemapBackingErrors)
{
	write_file(back("f"), "hello world");
	// (No CREATE case: the kernel looks a name up again before an O_EXCL
	// create, so a backing EEXIST never reaches CREATE; the remap is the
	// engine's, the same for every op.)
	mount();
	knob c;
	c.pre = BPF_FUSE_POSTFILTER;
	c.flags = test::rewrite_in;
	c.remap_to = -EPERM;

	// A write moved past the largest file size fails with EFBIG, remapped.
	c.arg = uint64_t{1} << 62;
	c.remap_from = -EFBIG;
	set(FUSEBPF_OP_WRITE, c);
	int fd = open(mnt("f").c_str(), O_WRONLY);
	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(pwrite(fd, "x", 1, 0), -1);
	EXPECT_EQ(errno, EPERM);
	set(FUSEBPF_OP_WRITE, {});

	// SEEK_DATA past the end is ENXIO from the backing fs, remapped.
	c.arg = 0;
	c.remap_from = -ENXIO;
	set(FUSEBPF_OP_LSEEK, c);
	errno = 0;
	EXPECT_EQ(lseek(fd, 1 << 20, SEEK_DATA), -1);
	EXPECT_EQ(errno, EPERM);
	set(FUSEBPF_OP_LSEEK, {});
	close(fd);

	// A read moved past INT64_MAX is EINVAL from the daemon's pread, remapped.
	c.arg = uint64_t{1} << 63;
	c.remap_from = -EINVAL;
	set(FUSEBPF_OP_READ, c);
	int err = 0;
	read_all(mnt("f"), err, O_DIRECT);
	EXPECT_EQ(err, EPERM);
	set(FUSEBPF_OP_READ, {});
	EXPECT_EQ(read_text(mnt("f")), "hello world");
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// USER, USER_PREFILTER, USER_POSTFILTER without a user filter: passthrough.

TEST_F(OpsDataTest, UserVerdictsWithoutAUserFilterArePassthrough)
{
	write_file(back("f"), "hello world");
	mkdir(back("d").c_str(), 0755);
	write_file(back("d/x"), "x");
	mount();
	for (int verdict : {BPF_FUSE_USER, BPF_FUSE_USER_PREFILTER, BPF_FUSE_USER_POSTFILTER}) {
		SCOPED_TRACE("verdict " + std::to_string(verdict));
		for (int op : data_ops)
			set_pre(static_cast<uint32_t>(op), verdict);
		std::string name = "c" + std::to_string(verdict);
		int fd = open(mnt(name).c_str(), O_CREAT | O_RDWR, 0644);
		ASSERT_GE(fd, 0) << std::strerror(errno);
		EXPECT_EQ(pwrite(fd, "abc", 3, 0), 3);
		char buf[8] = {};
		EXPECT_EQ(pread(fd, buf, sizeof(buf), 0), 3);
		EXPECT_STREQ(buf, "abc");
		EXPECT_EQ(fsync(fd), 0);
		EXPECT_EQ(close(fd), 0);
		EXPECT_EQ(read_text(back(name)), "abc");
		int err = 0;
		EXPECT_EQ(read_all(mnt("f"), err), "hello world");
		EXPECT_EQ(err, 0);
		EXPECT_EQ(list_dir(mnt("d")), std::vector<std::string>{"x"});
	}
	auto s = stats();
	EXPECT_GE(s["ops"]["READ"]["verdicts"]["USER"].get<uint64_t>(), 1u) << s.dump();
	EXPECT_EQ(s["ops"]["READ"]["user_fallbacks"].get<uint64_t>(), 0u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// A garbage verdict fails that op with EIO; the daemon goes on.

TEST_F(OpsDataTest, GarbageVerdictsFailWithEioAndTheDaemonGoesOn)
{
	write_file(back("f"), "hello world");
	mkdir(back("d").c_str(), 0755);
	mount();
	int err = 0;
	set_pre(FUSEBPF_OP_OPEN, 42);
	read_all(mnt("f"), err);
	EXPECT_EQ(err, EIO);
	set_pre(FUSEBPF_OP_OPEN, BPF_FUSE_CONTINUE);

	set_pre(FUSEBPF_OP_READ, 42);
	read_all(mnt("f"), err, O_DIRECT);
	EXPECT_EQ(err, EIO);
	set_pre(FUSEBPF_OP_READ, BPF_FUSE_CONTINUE);

	knob bad_post;
	bad_post.pre = BPF_FUSE_POSTFILTER;
	bad_post.post = 77;
	set(FUSEBPF_OP_WRITE, bad_post);
	int fd = open(mnt("f").c_str(), O_WRONLY);
	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(pwrite(fd, "x", 1, 0), -1);
	EXPECT_EQ(errno, EIO);
	close(fd);
	set(FUSEBPF_OP_WRITE, {});

	set_pre(FUSEBPF_OP_CREATE, 1000);
	errno = 0;
	EXPECT_EQ(open(mnt("n").c_str(), O_CREAT | O_WRONLY, 0644), -1);
	EXPECT_EQ(errno, EIO);
	set_pre(FUSEBPF_OP_CREATE, BPF_FUSE_CONTINUE);

	set(FUSEBPF_OP_READDIR, bad_post);
	list_dir(mnt("d"), err);
	EXPECT_EQ(err, EIO);
	set(FUSEBPF_OP_READDIR, {});

	// Everything works again.
	EXPECT_EQ(read_text(mnt("f")), "xello world");
	EXPECT_EQ(list_dir(mnt("d")), std::vector<std::string>{});
	fd = open(mnt("n").c_str(), O_CREAT | O_WRONLY, 0644);
	EXPECT_GE(fd, 0);
	close(fd);
	auto s = stats();
	uint64_t invalid = 0;
	for (const char *op : {"OPEN", "READ", "WRITE", "CREATE", "READDIR", "READDIRPLUS"})
		if (s["ops"].contains(op) && s["ops"][op].contains("filter_errors"))
			invalid += s["ops"][op]["filter_errors"]["invalid_verdict"].get<uint64_t>();
	EXPECT_GE(invalid, 5u) << s.dump();
	EXPECT_TRUE(fs_->is_mounted());
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// The data path: a table without read/write programs keeps passthrough.

class OpsDataNoDataTest : public OpsDataTest {
protected:
	const char *object() const override { return KNOBS_NODATA_OBJ; }
};

TEST_F(OpsDataNoDataTest, FilesKeepPassthroughWithoutDataFilters)
{
	std::string big(1 << 20, 'p');
	write_file(back("f"), big);
	mount();
	int err = 0;
	EXPECT_EQ(read_all(mnt("f"), err), big);
	int fd = open(mnt("f").c_str(), O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(pwrite(fd, "x", 1, 0), 1);
	close(fd);
	EXPECT_EQ(read_text(back("f"))[0], 'x');
	EXPECT_GE(calls(FUSEBPF_OP_OPEN), 2u) << "OPEN was filtered";
	auto s = stats();
	ASSERT_TRUE(s.value("passthrough", false)) << s.dump();
	EXPECT_EQ(counter(s, "READ", "requests"), 0u) << s.dump();
	EXPECT_EQ(counter(s, "WRITE", "requests"), 0u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(OpsDataTest, FilesWithDataFiltersTakeTheClassicPath)
{
	std::string big(1 << 20, 'c');
	write_file(back("f"), big);
	mount();
	int err = 0;
	EXPECT_EQ(read_all(mnt("f"), err), big);
	auto s = stats();
	ASSERT_TRUE(s.value("passthrough", false)) << s.dump();
	EXPECT_GE(counter(s, "READ", "requests"), 1u) << s.dump();
	EXPECT_GE(calls(FUSEBPF_OP_READ), 1u);
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// CALL_DEFAULT runs the default filter.

class OpsDataDefaultTest : public OpsDataTest {
protected:
	const char *object() const override { return KNOBS_OBJ; }
};

TEST_F(OpsDataDefaultTest, CallDefaultRunsTheDefaultFilter)
{
	write_file(back("f"), "hello world");
	mkdir(back("d").c_str(), 0755);
	mount();
	struct case_t {
		int op;
		uint32_t opcode;
	};
	for (case_t k :
	     {case_t{FUSEBPF_OP_OPEN, FUSE_OPEN}, case_t{FUSEBPF_OP_READ, FUSE_READ},
	      case_t{FUSEBPF_OP_CREATE, FUSE_CREATE}, case_t{FUSEBPF_OP_OPENDIR, FUSE_OPENDIR}}) {
		SCOPED_TRACE("op " + std::to_string(k.op));
		knobs_.set_default(k.opcode, -ENOLINK);
		set_pre(k.op, BPF_FUSE_CALL_DEFAULT);
		uint64_t before = knobs_.default_calls();
		int err = 0;
		if (k.op == FUSEBPF_OP_CREATE) {
			errno = 0;
			EXPECT_EQ(open(mnt("n").c_str(), O_CREAT | O_WRONLY, 0644), -1);
			err = errno;
		} else if (k.op == FUSEBPF_OP_OPENDIR) {
			list_dir(mnt("d"), err);
		} else {
			read_all(mnt("f"), err, k.op == FUSEBPF_OP_READ ? O_DIRECT : 0);
		}
		EXPECT_EQ(err, ENOLINK);
		EXPECT_GT(knobs_.default_calls(), before);
		set_pre(k.op, BPF_FUSE_CONTINUE);
		knobs_.set_default(0, BPF_FUSE_CONTINUE);
	}
	// The default's CONTINUE for the others: everything works.
	set_pre(FUSEBPF_OP_READ, BPF_FUSE_CALL_DEFAULT);
	EXPECT_EQ(read_text(mnt("f")), "hello world");
	auto s = stats();
	EXPECT_GE(s["ops"]["READ"]["verdicts"]["CALL_DEFAULT"].get<uint64_t>(), 1u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// ---------------------------------------------------------------------------
// READDIRPLUS in a directory whose lookups are filtered: no nodeids, so a
// name the lookup filter hides gets no dentry from the listing.

class OpsDataLookupTest : public OpsDataTest {
protected:
	// Every op but the default filter; the lookup prefilter hides "hidden".
	const char *object() const override { return KNOBS_NODEFAULT_OBJ; }
	void SetUp() override
	{
		OpsDataTest::SetUp();
		knob hide;
		hide.pre = -ENOENT;
		hide.flags = test::only_hidden;
		set(FUSEBPF_OP_LOOKUP, hide);
	}
};

TEST_F(OpsDataLookupTest, ReaddirplusInstantiatesNothingWhereLookupIsFiltered)
{
	mkdir(back("d").c_str(), 0755);
	write_file(back("d/hidden"), "h");
	write_file(back("d/seen"), "s");
	// Long entry timeouts: a dentry readdirplus made would answer stat()
	// from the cache without a LOOKUP.
	mount("attr_timeout=60,entry_timeout=60");
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(list_dir(mnt("d")), (std::vector<std::string>{"hidden", "seen"}));
	struct stat st;
	errno = 0;
	EXPECT_NE(stat(mnt("d/hidden").c_str(), &st), 0);
	EXPECT_EQ(errno, ENOENT);
	EXPECT_EQ(stat(mnt("d/seen").c_str(), &st), 0);
	auto s = stats();
	EXPECT_GE(counter(s, "READDIRPLUS", "requests"), 1u) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

// The same listing without a lookup filter: readdirplus instantiates the
// entries (stat is answered from the cache: no LOOKUP for it).
TEST_F(OpsDataTest, ReaddirplusInstantiatesEntriesWhereLookupIsNotFiltered)
{
	mkdir(back("d").c_str(), 0755);
	write_file(back("d/a"), "a");
	write_file(back("d/b"), "b");
	mount("attr_timeout=60,entry_timeout=60");
	EXPECT_EQ(list_dir(mnt("d")), (std::vector<std::string>{"a", "b"}));
	auto before = counter(stats(), "LOOKUP", "requests");
	struct stat st;
	EXPECT_EQ(stat(mnt("d/a").c_str(), &st), 0);
	EXPECT_EQ(stat(mnt("d/b").c_str(), &st), 0);
	auto s = stats();
	EXPECT_GE(counter(s, "READDIRPLUS", "requests"), 1u) << s.dump();
	EXPECT_EQ(counter(s, "LOOKUP", "requests"), before) << s.dump();
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
} // namespace fusebpf::ops_data_test
