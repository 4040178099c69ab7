// SPDX-License-Identifier: GPL-2.0-or-later
//
// Every op the daemon serves, run through the real dispatcher on a
// temporary backing dir without a mount (op_harness.h): each test checks
// the reply on the wire and the effect on the backing dir. Then malformed
// requests: short arguments, bad names, unknown nodeids, unknown opcodes and
// lying headers get the errno ops.h documents (EINVAL, ENAMETOOLONG, ESTALE,
// ENOSYS), or no reply where the kernel expects none, and never a crash.
#include "tests/op_harness/op_harness.h"
#include "tests/support/fs.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::test {
namespace {

class OpHarness : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_TRUE(dir_) << dir_.error();
		ASSERT_TRUE(h_) << h_.error();
		auto r = h_.init();
		ASSERT_EQ(r.error(), 0);
	}

	std::string at(const std::string &name) const { return dir_.path() + "/" + name; }

	// LOOKUP that must succeed; the entry's nodeid (0 on failure).
	uint64_t node(uint64_t parent, const std::string &name)
	{
		auto r = h_.lookup(parent, name);
		EXPECT_EQ(r.error(), 0) << name;
		auto e = r.as<fuse_entry_out>();
		return e ? e->nodeid : 0;
	}

	// OPEN (or OPENDIR) that must succeed; the file handle.
	uint64_t open(uint64_t nodeid, uint32_t flags, uint32_t opcode = FUSE_OPEN)
	{
		auto r = h_.call(opcode, nodeid, fuse_args().add(fuse_open_in{flags, 0}));
		EXPECT_EQ(r.error(), 0);
		auto o = r.as<fuse_open_out>();
		EXPECT_TRUE(o);
		if (o) {
			EXPECT_EQ(o->backing_id, 0) << "passthrough is off in the harness";
		}
		return o ? o->fh : 0;
	}

	int release(uint64_t nodeid, uint64_t fh, uint32_t opcode = FUSE_RELEASE)
	{
		return h_.call(opcode, nodeid, fuse_args().add(fuse_release_in{fh, 0, 0, 0}))
		    .error();
	}

	temp_dir dir_{"harness"};
	op_harness h_{dir_.path()};
};

// The entries of a READDIR (plain) or READDIRPLUS (plus) payload: name ->
// the nodeid READDIRPLUS looked up (0 for plain READDIR and for "." and "..").
std::map<std::string, uint64_t> dirents(const fuse_reply &r, bool plus)
{
	// fuse_dirent without its flexible name.
	struct dirent_head {
		uint64_t ino, off;
		uint32_t namelen, type;
	};
	static_assert(sizeof(dirent_head) == FUSE_NAME_OFFSET);
	std::map<std::string, uint64_t> out;
	const size_t entry = plus ? sizeof(fuse_entry_out) : 0;
	size_t off = 0;
	for (;;) {
		auto d = r.as<dirent_head>(off + entry);
		size_t name_at = off + entry + sizeof(dirent_head);
		if (!d || name_at + d->namelen > r.payload.size())
			break;
		std::string name(reinterpret_cast<const char *>(r.payload.data() + name_at),
		                 d->namelen);
		auto e = plus ? r.as<fuse_entry_out>(off) : std::nullopt;
		out[name] = e ? e->nodeid : 0;
		off = FUSE_DIRENT_ALIGN(name_at + d->namelen);
	}
	return out;
}

TEST_F(OpHarness, InitNegotiatesWithoutPassthrough)
{
	op_harness fresh(dir_.path());
	auto r = fresh.init();
	ASSERT_TRUE(r.well_formed());
	auto out = r.as<fuse_init_out>();
	ASSERT_TRUE(out);
	EXPECT_EQ(out->major, FUSE_KERNEL_VERSION);
	EXPECT_EQ(out->minor, 40u);
	EXPECT_GT(out->max_write, 0u);
	uint64_t flags = out->flags | uint64_t(out->flags2) << 32;
	EXPECT_FALSE(flags & FUSE_PASSTHROUGH);
	EXPECT_TRUE(flags & FUSE_DO_READDIRPLUS);
	EXPECT_TRUE(fresh.sess().init_done());
	EXPECT_FALSE(fresh.sess().passthrough_enabled());
	// A kernel older than the daemon's minimum is refused.
	op_harness old(dir_.path());
	EXPECT_EQ(old.init(10).error(), -EPROTO);
}

TEST_F(OpHarness, LookupAndGetattrReportTheBackingInode)
{
	ASSERT_TRUE(write_file(at("a"), "hello", 0640));
	struct stat st {};
	ASSERT_EQ(lstat(at("a").c_str(), &st), 0);
	auto r = h_.lookup(FUSE_ROOT_ID, "a");
	ASSERT_EQ(r.error(), 0);
	ASSERT_TRUE(r.well_formed());
	auto e = r.as<fuse_entry_out>();
	ASSERT_TRUE(e);
	EXPECT_NE(e->nodeid, 0u);
	EXPECT_EQ(e->attr.size, 5u);
	EXPECT_EQ(e->attr.mode, st.st_mode);
	EXPECT_EQ(e->attr.ino, st.st_ino);

	auto g = h_.getattr(e->nodeid).as<fuse_attr_out>();
	ASSERT_TRUE(g);
	EXPECT_EQ(g->attr.size, 5u);
	auto root = h_.getattr(FUSE_ROOT_ID).as<fuse_attr_out>();
	ASSERT_TRUE(root);
	EXPECT_TRUE(S_ISDIR(root->attr.mode));

	EXPECT_EQ(h_.lookup(FUSE_ROOT_ID, "missing").error(), -ENOENT);
}

TEST_F(OpHarness, SetattrChangesModeAndSize)
{
	ASSERT_TRUE(write_file(at("f"), "0123456789", 0644));
	uint64_t f = node(FUSE_ROOT_ID, "f");
	fuse_setattr_in in = {};
	in.valid = FATTR_MODE | FATTR_SIZE;
	in.mode = S_IFREG | 0600;
	in.size = 3;
	auto r = h_.call(FUSE_SETATTR, f, fuse_args().add(in));
	ASSERT_EQ(r.error(), 0);
	auto a = r.as<fuse_attr_out>();
	ASSERT_TRUE(a);
	EXPECT_EQ(a->attr.size, 3u);
	EXPECT_EQ(a->attr.mode & 07777, 0600u);
	struct stat st {};
	ASSERT_EQ(lstat(at("f").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(OpHarness, MknodMkdirSymlinkLinkCreateBackingEntries)
{
	auto r = h_.call(FUSE_MKNOD, FUSE_ROOT_ID,
	                 fuse_args().add(fuse_mknod_in{S_IFIFO | 0640, 0, 0, 0}).str("fifo"));
	ASSERT_EQ(r.error(), 0);
	struct stat st {};
	ASSERT_EQ(lstat(at("fifo").c_str(), &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0640u);

	r = h_.call(FUSE_MKDIR, FUSE_ROOT_ID, fuse_args().add(fuse_mkdir_in{0750, 0}).str("d"));
	ASSERT_EQ(r.error(), 0);
	auto d = r.as<fuse_entry_out>();
	ASSERT_TRUE(d);
	EXPECT_TRUE(S_ISDIR(d->attr.mode));
	ASSERT_EQ(lstat(at("d").c_str(), &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0750u);
	EXPECT_EQ(
	    h_.call(FUSE_MKDIR, FUSE_ROOT_ID, fuse_args().add(fuse_mkdir_in{0750, 0}).str("d"))
	        .error(),
	    -EEXIST);

	// SYMLINK: the entry's name, then the target; READLINK gives it back.
	r = h_.call(FUSE_SYMLINK, d->nodeid, fuse_args().str("ln").str("../target"));
	ASSERT_EQ(r.error(), 0);
	char buf[64] = {};
	ASSERT_EQ(readlink(at("d/ln").c_str(), buf, sizeof(buf)), 9);
	EXPECT_STREQ(buf, "../target");
	auto ln = r.as<fuse_entry_out>();
	ASSERT_TRUE(ln);
	auto rl = h_.call(FUSE_READLINK, ln->nodeid);
	ASSERT_EQ(rl.error(), 0);
	EXPECT_EQ(rl.text(), "../target");

	ASSERT_TRUE(write_file(at("orig"), "x"));
	uint64_t orig = node(FUSE_ROOT_ID, "orig");
	r = h_.call(FUSE_LINK, d->nodeid, fuse_args().add(fuse_link_in{orig}).str("hard"));
	ASSERT_EQ(r.error(), 0);
	auto l = r.as<fuse_entry_out>();
	ASSERT_TRUE(l);
	EXPECT_EQ(l->nodeid, orig) << "a hard link is the same node";
	EXPECT_EQ(l->attr.nlink, 2u);
	struct stat a {
	}, b{};
	ASSERT_EQ(lstat(at("orig").c_str(), &a), 0);
	ASSERT_EQ(lstat(at("d/hard").c_str(), &b), 0);
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST_F(OpHarness, UnlinkAndRmdirRemoveBackingEntries)
{
	ASSERT_TRUE(write_file(at("f"), "x"));
	ASSERT_EQ(mkdir(at("d").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(at("d/inner"), "x"));
	EXPECT_EQ(h_.call(FUSE_UNLINK, FUSE_ROOT_ID, fuse_args().str("f")).error(), 0);
	EXPECT_NE(access(at("f").c_str(), F_OK), 0);
	EXPECT_EQ(h_.call(FUSE_UNLINK, FUSE_ROOT_ID, fuse_args().str("f")).error(), -ENOENT);
	EXPECT_EQ(h_.call(FUSE_RMDIR, FUSE_ROOT_ID, fuse_args().str("d")).error(), -ENOTEMPTY);
	uint64_t d = node(FUSE_ROOT_ID, "d");
	EXPECT_EQ(h_.call(FUSE_UNLINK, d, fuse_args().str("inner")).error(), 0);
	EXPECT_EQ(h_.call(FUSE_RMDIR, FUSE_ROOT_ID, fuse_args().str("d")).error(), 0);
	EXPECT_NE(access(at("d").c_str(), F_OK), 0);
}

TEST_F(OpHarness, RenameAndRename2MoveBackingEntries)
{
	ASSERT_TRUE(write_file(at("a"), "A"));
	ASSERT_TRUE(write_file(at("b"), "B"));
	ASSERT_EQ(mkdir(at("d").c_str(), 0755), 0);
	uint64_t d = node(FUSE_ROOT_ID, "d");
	auto r = h_.call(FUSE_RENAME, FUSE_ROOT_ID,
	                 fuse_args().add(fuse_rename_in{d}).str("a").str("a2"));
	ASSERT_EQ(r.error(), 0);
	EXPECT_EQ(read_text(at("d/a2")), "A");
	EXPECT_NE(access(at("a").c_str(), F_OK), 0);

	// RENAME_NOREPLACE refuses an existing target; RENAME_EXCHANGE swaps.
	ASSERT_TRUE(write_file(at("c"), "C"));
	r = h_.call(
	    FUSE_RENAME2, FUSE_ROOT_ID,
	    fuse_args().add(fuse_rename2_in{FUSE_ROOT_ID, RENAME_NOREPLACE, 0}).str("b").str("c"));
	EXPECT_EQ(r.error(), -EEXIST);
	EXPECT_EQ(read_text(at("c")), "C");
	r = h_.call(
	    FUSE_RENAME2, FUSE_ROOT_ID,
	    fuse_args().add(fuse_rename2_in{FUSE_ROOT_ID, RENAME_EXCHANGE, 0}).str("b").str("c"));
	ASSERT_EQ(r.error(), 0);
	EXPECT_EQ(read_text(at("b")), "C");
	EXPECT_EQ(read_text(at("c")), "B");
}

TEST_F(OpHarness, CreateWriteReadFlushFsyncRelease)
{
	auto r = h_.call(FUSE_CREATE, FUSE_ROOT_ID,
	                 fuse_args()
	                     .add(fuse_create_in{O_RDWR | O_CREAT | O_EXCL, S_IFREG | 0600, 0, 0})
	                     .str("new"));
	ASSERT_EQ(r.error(), 0);
	ASSERT_TRUE(r.well_formed());
	auto e = r.as<fuse_entry_out>();
	auto o = r.as<fuse_open_out>(sizeof(fuse_entry_out));
	ASSERT_TRUE(e && o);
	struct stat st {};
	ASSERT_EQ(lstat(at("new").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);

	fuse_write_in w = {};
	w.fh = o->fh;
	w.offset = 2;
	w.size = 5;
	r = h_.call(FUSE_WRITE, e->nodeid, fuse_args().add(w).raw("world"));
	ASSERT_EQ(r.error(), 0);
	auto wo = r.as<fuse_write_out>();
	ASSERT_TRUE(wo);
	EXPECT_EQ(wo->size, 5u);
	EXPECT_EQ(read_text(at("new")), std::string("\0\0world", 7));

	ASSERT_TRUE(write_file(at("new"), "0123456789"));
	fuse_read_in rd = {};
	rd.fh = o->fh;
	rd.offset = 3;
	rd.size = 4;
	r = h_.call(FUSE_READ, e->nodeid, fuse_args().add(rd));
	ASSERT_EQ(r.error(), 0);
	EXPECT_EQ(r.text(), "3456");

	fuse_flush_in fl = {};
	fl.fh = o->fh;
	EXPECT_EQ(h_.call(FUSE_FLUSH, e->nodeid, fuse_args().add(fl)).error(), 0);
	EXPECT_EQ(
	    h_.call(FUSE_FSYNC, e->nodeid, fuse_args().add(fuse_fsync_in{o->fh, 0, 0})).error(), 0);
	EXPECT_EQ(release(e->nodeid, o->fh), 0);
	// The handle is gone: a READ through it fails (EBADF), it does not crash.
	EXPECT_EQ(h_.call(FUSE_READ, e->nodeid, fuse_args().add(rd)).error(), -EBADF);

	// OPEN of an existing file, O_TRUNC empties it.
	uint64_t fh = open(e->nodeid, O_WRONLY | O_TRUNC);
	EXPECT_EQ(read_text(at("new")), "");
	EXPECT_EQ(release(e->nodeid, fh), 0);
}

TEST_F(OpHarness, OpendirReaddirReaddirplusFsyncdirReleasedir)
{
	ASSERT_EQ(mkdir(at("d").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(at("d/one"), "1"));
	ASSERT_TRUE(write_file(at("d/two"), "2"));
	uint64_t d = node(FUSE_ROOT_ID, "d");
	uint64_t fh = open(d, O_RDONLY | O_DIRECTORY, FUSE_OPENDIR);
	fuse_read_in rd = {};
	rd.fh = fh;
	rd.size = 4096;
	auto r = h_.call(FUSE_READDIR, d, fuse_args().add(rd));
	ASSERT_EQ(r.error(), 0);
	auto plain = dirents(r, false);
	EXPECT_EQ(plain.size(), 4u);
	for (const char *name : {".", "..", "one", "two"})
		EXPECT_TRUE(plain.count(name)) << name;

	r = h_.call(FUSE_READDIRPLUS, d, fuse_args().add(rd));
	ASSERT_EQ(r.error(), 0);
	auto plus = dirents(r, true);
	ASSERT_TRUE(plus.count("one") && plus.count("two"));
	// READDIRPLUS looked the entries up: the same nodeid LOOKUP gives.
	EXPECT_NE(plus["one"], 0u);
	EXPECT_EQ(plus["one"], node(d, "one"));

	EXPECT_EQ(h_.call(FUSE_FSYNCDIR, d, fuse_args().add(fuse_fsync_in{fh, 0, 0})).error(), 0);
	EXPECT_EQ(release(d, fh, FUSE_RELEASEDIR), 0);
	EXPECT_EQ(h_.call(FUSE_READDIR, d, fuse_args().add(rd)).error(), -EBADF);
}

TEST_F(OpHarness, StatfsReportsTheBackingFileSystem)
{
	struct statvfs sv {};
	ASSERT_EQ(statvfs(dir_.path().c_str(), &sv), 0);
	auto r = h_.call(FUSE_STATFS, FUSE_ROOT_ID);
	ASSERT_EQ(r.error(), 0);
	auto s = r.as<fuse_statfs_out>();
	ASSERT_TRUE(s);
	EXPECT_EQ(s->st.bsize, sv.f_bsize);
	EXPECT_EQ(s->st.blocks, sv.f_blocks);
	EXPECT_EQ(s->st.namelen, sv.f_namemax);
}

TEST_F(OpHarness, XattrsAreTheBackingFilesXattrs)
{
	ASSERT_TRUE(write_file(at("x"), ""));
	uint64_t x = node(FUSE_ROOT_ID, "x");
	fuse_setxattr_in set = {};
	set.size = 5;
	auto r = h_.call(FUSE_SETXATTR, x, fuse_args().add(set).str("user.k").raw("value"));
	ASSERT_EQ(r.error(), 0);
	char val[16] = {};
	ASSERT_EQ(getxattr(at("x").c_str(), "user.k", val, sizeof(val)), 5);
	EXPECT_STREQ(val, "value");

	// Size 0 asks for the size; a buffer too small is ERANGE.
	r = h_.call(FUSE_GETXATTR, x, fuse_args().add(fuse_getxattr_in{0, 0}).str("user.k"));
	ASSERT_EQ(r.error(), 0);
	auto sz = r.as<fuse_getxattr_out>();
	ASSERT_TRUE(sz);
	EXPECT_EQ(sz->size, 5u);
	r = h_.call(FUSE_GETXATTR, x, fuse_args().add(fuse_getxattr_in{64, 0}).str("user.k"));
	ASSERT_EQ(r.error(), 0);
	EXPECT_EQ(r.text(), "value");
	EXPECT_EQ(h_.call(FUSE_GETXATTR, x, fuse_args().add(fuse_getxattr_in{2, 0}).str("user.k"))
	              .error(),
	          -ERANGE);

	r = h_.call(FUSE_LISTXATTR, x, fuse_args().add(fuse_getxattr_in{256, 0}));
	ASSERT_EQ(r.error(), 0);
	EXPECT_NE(r.text().find(std::string("user.k\0", 7)), std::string::npos);

	EXPECT_EQ(h_.call(FUSE_REMOVEXATTR, x, fuse_args().str("user.k")).error(), 0);
	EXPECT_LT(getxattr(at("x").c_str(), "user.k", val, sizeof(val)), 0);
	EXPECT_EQ(h_.call(FUSE_GETXATTR, x, fuse_args().add(fuse_getxattr_in{64, 0}).str("user.k"))
	              .error(),
	          -ENODATA);
}

TEST_F(OpHarness, AccessChecksTheBackingMode)
{
	ASSERT_TRUE(write_file(at("plain"), "", 0644));
	uint64_t p = node(FUSE_ROOT_ID, "plain");
	EXPECT_EQ(h_.call(FUSE_ACCESS, p, fuse_args().add(fuse_access_in{R_OK, 0})).error(), 0);
	// Not executable for anyone: X_OK fails even for root.
	EXPECT_EQ(h_.call(FUSE_ACCESS, p, fuse_args().add(fuse_access_in{X_OK, 0})).error(),
	          -EACCES);
}

TEST_F(OpHarness, FallocateLseekCopyFileRange)
{
	ASSERT_TRUE(write_file(at("src"), "abcdefgh"));
	ASSERT_TRUE(write_file(at("dst"), ""));
	uint64_t src = node(FUSE_ROOT_ID, "src");
	uint64_t dst = node(FUSE_ROOT_ID, "dst");
	uint64_t sfh = open(src, O_RDONLY);
	uint64_t dfh = open(dst, O_RDWR);

	fuse_fallocate_in fa = {dfh, 0, 4096, 0, 0};
	ASSERT_EQ(h_.call(FUSE_FALLOCATE, dst, fuse_args().add(fa)).error(), 0);
	struct stat st {};
	ASSERT_EQ(lstat(at("dst").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 4096);

	auto r = h_.call(FUSE_LSEEK, src, fuse_args().add(fuse_lseek_in{sfh, 0, SEEK_HOLE, 0}));
	ASSERT_EQ(r.error(), 0);
	auto off = r.as<fuse_lseek_out>();
	ASSERT_TRUE(off);
	EXPECT_EQ(off->offset, 8u);
	EXPECT_EQ(h_.call(FUSE_LSEEK, src, fuse_args().add(fuse_lseek_in{sfh, 100, SEEK_DATA, 0}))
	              .error(),
	          -ENXIO);

	fuse_copy_file_range_in cp = {sfh, 2, dst, dfh, 1, 3, 0};
	r = h_.call(FUSE_COPY_FILE_RANGE, src, fuse_args().add(cp));
	ASSERT_EQ(r.error(), 0);
	auto w = r.as<fuse_write_out>();
	ASSERT_TRUE(w);
	EXPECT_EQ(w->size, 3u);
	EXPECT_EQ(read_text(at("dst")).substr(0, 4), std::string("\0cde", 4));
	EXPECT_EQ(release(src, sfh), 0);
	EXPECT_EQ(release(dst, dfh), 0);
}

TEST_F(OpHarness, PosixLocksReachTheBackingFile)
{
	ASSERT_TRUE(write_file(at("l"), "0123456789"));
	uint64_t l = node(FUSE_ROOT_ID, "l");
	uint64_t fh = open(l, O_RDWR);
	fuse_lk_in set = {};
	set.fh = fh;
	set.owner = 0x1111;
	set.lk = {0, 99, F_WRLCK, static_cast<uint32_t>(getpid())};
	ASSERT_EQ(h_.call(FUSE_SETLK, l, fuse_args().add(set)).error(), 0);

	// Another owner sees the conflict through GETLK ...
	fuse_lk_in get = set;
	get.owner = 0x2222;
	auto r = h_.call(FUSE_GETLK, l, fuse_args().add(get));
	ASSERT_EQ(r.error(), 0);
	auto lk = r.as<fuse_lk_out>();
	ASSERT_TRUE(lk);
	EXPECT_EQ(lk->lk.type, uint32_t(F_WRLCK));
	// ... and so does a process on the backing file itself.
	int fd = ::open(at("l").c_str(), O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	struct flock probe = {};
	probe.l_type = F_WRLCK;
	probe.l_whence = SEEK_SET;
	probe.l_len = 10;
	ASSERT_EQ(fcntl(fd, F_OFD_GETLK, &probe), 0) << strerror(errno);
	EXPECT_EQ(probe.l_type, F_WRLCK);
	// A conflicting SETLK fails instead of waiting.
	EXPECT_EQ(h_.call(FUSE_SETLK, l, fuse_args().add(get)).error(), -EAGAIN);

	// Unlock: the backing file is free again.
	set.lk.type = F_UNLCK;
	ASSERT_EQ(h_.call(FUSE_SETLK, l, fuse_args().add(set)).error(), 0);
	// A fresh question: F_OFD_GETLK wants l_pid 0, and the first answer
	// set it.
	probe = {};
	probe.l_type = F_WRLCK;
	probe.l_whence = SEEK_SET;
	probe.l_len = 10;
	ASSERT_EQ(fcntl(fd, F_OFD_GETLK, &probe), 0) << strerror(errno);
	EXPECT_EQ(probe.l_type, F_UNLCK);
	::close(fd);
	EXPECT_EQ(release(l, fh), 0);
}

TEST_F(OpHarness, ForgetAndBatchForgetDropNodesWithoutReplying)
{
	ASSERT_TRUE(write_file(at("a"), "a"));
	ASSERT_TRUE(write_file(at("b"), "b"));
	uint64_t a = node(FUSE_ROOT_ID, "a");
	ASSERT_EQ(node(FUSE_ROOT_ID, "a"), a);
	uint64_t b = node(FUSE_ROOT_ID, "b");
	size_t before = h_.sess().inodes().size();

	// Two lookups of "a": one FORGET of 1 keeps it.
	EXPECT_TRUE(h_.send(FUSE_FORGET, a, fuse_args().add(fuse_forget_in{1})).empty());
	EXPECT_EQ(h_.getattr(a).error(), 0);
	fuse_args batch;
	batch.add(fuse_batch_forget_in{2, 0}).add(fuse_forget_one{a, 1}).add(fuse_forget_one{b, 1});
	EXPECT_TRUE(h_.send(FUSE_BATCH_FORGET, 0, batch).empty());
	EXPECT_EQ(h_.sess().inodes().size(), before - 2);
	EXPECT_EQ(h_.getattr(a).error(), -ESTALE);
	EXPECT_EQ(h_.getattr(b).error(), -ESTALE);
	// The backing files are untouched.
	EXPECT_EQ(read_text(at("a")), "a");
}

// ---- malformed requests ----

// Ops that read a fixed-size argument first: with none, EINVAL.
TEST_F(OpHarness, ShortArgumentsAreEinval)
{
	ASSERT_TRUE(write_file(at("f"), "x"));
	uint64_t f = node(FUSE_ROOT_ID, "f");
	const uint32_t ops[] = {
	    FUSE_SETATTR,     FUSE_MKNOD,      FUSE_MKDIR,      FUSE_RENAME,   FUSE_RENAME2,
	    FUSE_LINK,        FUSE_OPEN,       FUSE_CREATE,     FUSE_READ,     FUSE_WRITE,
	    FUSE_FLUSH,       FUSE_RELEASE,    FUSE_FSYNC,      FUSE_OPENDIR,  FUSE_READDIR,
	    FUSE_READDIRPLUS, FUSE_RELEASEDIR, FUSE_FSYNCDIR,   FUSE_SETXATTR, FUSE_GETXATTR,
	    FUSE_LISTXATTR,   FUSE_ACCESS,     FUSE_FALLOCATE,  FUSE_LSEEK,    FUSE_COPY_FILE_RANGE,
	    FUSE_GETLK,       FUSE_SETLK,      FUSE_SETLKW,     FUSE_LOOKUP,   FUSE_UNLINK,
	    FUSE_RMDIR,       FUSE_SYMLINK,    FUSE_REMOVEXATTR};
	for (uint32_t op : ops) {
		uint64_t target =
		    (op == FUSE_OPENDIR || op == FUSE_READDIR || op == FUSE_READDIRPLUS ||
		     op == FUSE_RELEASEDIR || op == FUSE_FSYNCDIR || op == FUSE_MKNOD ||
		     op == FUSE_MKDIR || op == FUSE_RENAME || op == FUSE_RENAME2 ||
		     op == FUSE_LINK || op == FUSE_CREATE || op == FUSE_LOOKUP ||
		     op == FUSE_UNLINK || op == FUSE_RMDIR || op == FUSE_SYMLINK)
		        ? FUSE_ROOT_ID
		        : f;
		// Empty, then one byte short of the first struct (7 bytes).
		for (size_t len : {0, 7}) {
			auto replies =
			    h_.send(op, target, fuse_args().raw(std::string(len, '\x01')));
			ASSERT_EQ(replies.size(), 1u) << "op " << op << " len " << len;
			EXPECT_TRUE(replies[0].well_formed()) << "op " << op;
			EXPECT_EQ(replies[0].error(), -EINVAL) << "op " << op << " len " << len;
		}
	}
	// FORGET, BATCH_FORGET and INTERRUPT never answer, even malformed.
	for (uint32_t op : {FUSE_FORGET, FUSE_BATCH_FORGET, FUSE_INTERRUPT})
		EXPECT_TRUE(h_.send(op, f, fuse_args().raw("abc")).empty()) << "op " << op;
	EXPECT_EQ(h_.getattr(f).error(), 0) << "a short FORGET dropped nothing";
	// A batch claiming more entries than it carries drops nothing either.
	fuse_args lying;
	lying.add(fuse_batch_forget_in{1000, 0}).add(fuse_forget_one{f, 1});
	EXPECT_TRUE(h_.send(FUSE_BATCH_FORGET, 0, lying).empty());
}

TEST_F(OpHarness, BadNamesAreRefused)
{
	struct bad_name {
		std::string name;
		int err;
	};
	const bad_name bad[] = {{"", EINVAL},
	                        {".", EINVAL},
	                        {"..", EINVAL},
	                        {std::string(NAME_MAX + 1, 'n'), ENAMETOOLONG}};
	for (const auto &[name, err] : bad) {
		// LOOKUP takes "." and ".." (export handles, ops/lookup.cc), below.
		if (name != "." && name != "..") {
			EXPECT_EQ(h_.lookup(FUSE_ROOT_ID, name).error(), -err) << name;
		}
		EXPECT_EQ(h_.call(FUSE_MKDIR, FUSE_ROOT_ID,
		                  fuse_args().add(fuse_mkdir_in{0755, 0}).str(name))
		              .error(),
		          -err)
		    << name;
		EXPECT_EQ(h_.call(FUSE_UNLINK, FUSE_ROOT_ID, fuse_args().str(name)).error(), -err)
		    << name;
		EXPECT_EQ(
		    h_.call(FUSE_SYMLINK, FUSE_ROOT_ID, fuse_args().str(name).str("t")).error(),
		    -err)
		    << name;
	}
	// ".." of the root is the root: LOOKUP never leaves the backing dir.
	auto up = h_.lookup(FUSE_ROOT_ID, "..").as<fuse_entry_out>();
	ASSERT_TRUE(up);
	EXPECT_EQ(up->nodeid, uint64_t(FUSE_ROOT_ID));
	// "a/b" inside one name: embedded slash.
	EXPECT_EQ(h_.lookup(FUSE_ROOT_ID, "a/b").error(), -EINVAL);
	// A name without its NUL (the arguments end first).
	EXPECT_EQ(h_.call(FUSE_LOOKUP, FUSE_ROOT_ID, fuse_args().raw("abc")).error(), -EINVAL);
	// RENAME's second name missing.
	ASSERT_TRUE(write_file(at("a"), "a"));
	EXPECT_EQ(h_.call(FUSE_RENAME, FUSE_ROOT_ID,
	                  fuse_args().add(fuse_rename_in{FUSE_ROOT_ID}).str("a"))
	              .error(),
	          -EINVAL);
	EXPECT_EQ(read_text(at("a")), "a");
	// Nothing was created in the backing dir by any of these.
	EXPECT_EQ(access(at("..").c_str(), F_OK), 0);
	EXPECT_NE(access(at("a/b").c_str(), F_OK), 0);
}

TEST_F(OpHarness, UnknownNodeidsAndHandlesAreRefused)
{
	const uint64_t ghost = 0x7777777;
	EXPECT_EQ(h_.getattr(ghost).error(), -ESTALE);
	EXPECT_EQ(h_.lookup(ghost, "a").error(), -ESTALE);
	EXPECT_EQ(
	    h_.call(FUSE_MKDIR, ghost, fuse_args().add(fuse_mkdir_in{0755, 0}).str("d")).error(),
	    -ESTALE);
	EXPECT_EQ(h_.call(FUSE_OPEN, ghost, fuse_args().add(fuse_open_in{O_RDONLY, 0})).error(),
	          -ESTALE);
	EXPECT_EQ(h_.call(FUSE_READLINK, ghost).error(), -ESTALE);
	// LINK to an unknown source node.
	EXPECT_EQ(
	    h_.call(FUSE_LINK, FUSE_ROOT_ID, fuse_args().add(fuse_link_in{ghost}).str("l")).error(),
	    -ESTALE);
	// RENAME into an unknown directory.
	ASSERT_TRUE(write_file(at("a"), "a"));
	EXPECT_EQ(h_.call(FUSE_RENAME, FUSE_ROOT_ID,
	                  fuse_args().add(fuse_rename_in{ghost}).str("a").str("b"))
	              .error(),
	          -ESTALE);
	EXPECT_EQ(read_text(at("a")), "a");
	// A file handle nobody opened.
	ASSERT_TRUE(write_file(at("f"), "x"));
	uint64_t f = node(FUSE_ROOT_ID, "f");
	fuse_read_in rd = {};
	rd.fh = 12345;
	rd.size = 10;
	EXPECT_EQ(h_.call(FUSE_READ, f, fuse_args().add(rd)).error(), -EBADF);
	EXPECT_EQ(h_.call(FUSE_READDIR, FUSE_ROOT_ID, fuse_args().add(rd)).error(), -EBADF);
	// FORGET of an unknown node is ignored, no reply.
	EXPECT_TRUE(h_.send(FUSE_FORGET, ghost, fuse_args().add(fuse_forget_in{1})).empty());
}

TEST_F(OpHarness, BrokenFramesAndUnknownOpcodes)
{
	// Opcodes without a handler, inside and outside the table: ENOSYS.
	for (uint32_t op :
	     {uint32_t(FUSE_BMAP), uint32_t(FUSE_IOCTL), uint32_t(FUSE_STATX), 4096u, UINT32_MAX})
		EXPECT_EQ(h_.call(op, FUSE_ROOT_ID).error(), -ENOSYS) << op;
	// An INTERRUPT for a request nobody serves: EAGAIN (the kernel retries).
	auto r = h_.call(FUSE_INTERRUPT, 0, fuse_args().add(fuse_interrupt_in{999}));
	EXPECT_EQ(r.error(), -EAGAIN);

	// Fewer bytes than a header: dropped without a reply.
	std::vector<std::byte> tiny(sizeof(fuse_in_header) - 1, std::byte{0});
	EXPECT_TRUE(h_.send_raw(tiny).empty());

	// A header whose len claims more than was received, and one whose
	// extension length exceeds the request: answered, from what is there.
	fuse_in_header hdr = {};
	hdr.len = 1 << 20;
	hdr.opcode = FUSE_GETATTR;
	hdr.unique = 42;
	hdr.nodeid = FUSE_ROOT_ID;
	fuse_getattr_in ga = {};
	std::vector<std::byte> frame(sizeof(hdr) + sizeof(ga));
	std::memcpy(frame.data(), &hdr, sizeof(hdr));
	std::memcpy(frame.data() + sizeof(hdr), &ga, sizeof(ga));
	auto replies = h_.send_raw(frame);
	ASSERT_EQ(replies.size(), 1u);
	EXPECT_EQ(replies[0].hdr.unique, 42u);
	EXPECT_EQ(replies[0].error(), 0);
	hdr.len = static_cast<uint32_t>(frame.size());
	hdr.total_extlen = 0xffff;
	std::memcpy(frame.data(), &hdr, sizeof(hdr));
	replies = h_.send_raw(frame);
	ASSERT_EQ(replies.size(), 1u);
	EXPECT_TRUE(replies[0].well_formed());
	// A header whose len is shorter than the header itself (found by
	// fuzz/fuse_request_fuzz, corpus/fuse_request/regression-short-len):
	// the arguments are empty, the op answers EINVAL.
	for (uint32_t short_len : {0u, 1u, uint32_t(sizeof(hdr) - 1)}) {
		fuse_in_header h = {};
		h.len = short_len;
		h.opcode = FUSE_FLUSH;
		h.unique = 43;
		h.nodeid = FUSE_ROOT_ID;
		std::vector<std::byte> f(sizeof(h) + 16, std::byte{1});
		std::memcpy(f.data(), &h, sizeof(h));
		replies = h_.send_raw(f);
		ASSERT_EQ(replies.size(), 1u) << short_len;
		EXPECT_EQ(replies[0].error(), -EINVAL) << short_len;
	}
	// An extension record with a broken size is skipped, not followed.
	hdr.total_extlen = 1;
	fuse_ext_header ext = {0xffffffff, FUSE_EXT_GROUPS};
	std::vector<std::byte> with_ext(sizeof(hdr) + sizeof(ext));
	hdr.len = static_cast<uint32_t>(with_ext.size());
	hdr.opcode = FUSE_STATFS;
	std::memcpy(with_ext.data(), &hdr, sizeof(hdr));
	std::memcpy(with_ext.data() + sizeof(hdr), &ext, sizeof(ext));
	replies = h_.send_raw(with_ext);
	ASSERT_EQ(replies.size(), 1u);
	EXPECT_EQ(replies[0].error(), 0);
}

} // namespace
} // namespace fusebpf::test
