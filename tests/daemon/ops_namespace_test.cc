// SPDX-License-Identifier: GPL-2.0-or-later
//
// Namespace ops through a real mount, checked against the backing dir: create,
// mknod (fifo, socket, char device), mkdir, unlink, rmdir, rename (plain,
// RENAME_NOREPLACE, RENAME_EXCHANGE via renameat2), link, symlink, readlink.
// Each error case is compared with the same call on a native directory.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

sys_result renameat2_(const std::string &from, const std::string &to, unsigned flags)
{
	return sys(::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

class NamespaceOps : public mount_fixture {
protected:
	// Builds the same small tree in backing (before mounting) and native.
	void prepare_backing() override
	{
		for (const std::string &root : {backing_dir(), native_dir()}) {
			ASSERT_TRUE(write_file(root + "/a", "A"));
			ASSERT_TRUE(write_file(root + "/b", "BB"));
			ASSERT_EQ(::mkdir((root + "/d").c_str(), 0755), 0);
			ASSERT_TRUE(write_file(root + "/d/x", "X"));
			ASSERT_EQ(::mkdir((root + "/e").c_str(), 0755), 0);
		}
	}

	// Runs `op` on the mount and on the native tree; the results must agree.
	template <class Op> sys_result same(const char *what, Op op)
	{
		sys_result mounted = op(mount_dir());
		sys_result native = op(native_dir());
		EXPECT_EQ(mounted, native)
		    << what << ": mount " << describe(mounted) << ", native " << describe(native);
		return mounted;
	}

	void expect_trees_equal()
	{
		auto backing = snapshot_tree(backing_dir()), native = snapshot_tree(native_dir());
		EXPECT_EQ(diff_snapshots(backing, "backing", native, "native"), "");
		EXPECT_EQ(diff_snapshots(snapshot_tree(mount_dir()), "mount", native, "native"),
		          "");
	}
};

TEST_F(NamespaceOps, CreateRespectsModeUmaskAndFlags)
{
	auto create = [](const std::string &path, int flags, mode_t mode) {
		int fd = ::open(path.c_str(), flags, mode);
		if (fd >= 0)
			::close(fd);
		return sys(fd < 0 ? -1 : 0);
	};
	same("create new 0666",
	     [&](auto r) { return create(r + "/new", O_CREAT | O_WRONLY, 0666); });
	EXPECT_EQ(lattrs(b("new"))->mode, S_IFREG | 0644u);
	same("create 0600", [&](auto r) { return create(r + "/p", O_CREAT | O_RDWR, 0600); });
	same("O_EXCL on existing",
	     [&](auto r) { return create(r + "/a", O_CREAT | O_EXCL | O_WRONLY, 0644); });
	same("O_EXCL on new",
	     [&](auto r) { return create(r + "/ex", O_CREAT | O_EXCL | O_WRONLY, 0640); });
	same("create in missing dir",
	     [&](auto r) { return create(r + "/nodir/f", O_CREAT | O_WRONLY, 0644); });
	same("create under a file",
	     [&](auto r) { return create(r + "/a/f", O_CREAT | O_WRONLY, 0644); });
	same("O_CREAT on a dir",
	     [&](auto r) { return create(r + "/d", O_CREAT | O_WRONLY, 0644); });
	same("O_TRUNC existing", [&](auto r) { return create(r + "/b", O_TRUNC | O_WRONLY, 0); });
	EXPECT_EQ(lattrs(b("b"))->size, 0);
	std::string long_name(300, 'n');
	same("name too long",
	     [&](auto r) { return create(r + "/" + long_name, O_CREAT | O_WRONLY, 0644); });
	expect_trees_equal();
	EXPECT_GT(requests(stats(), "CREATE"), 0);
}

TEST_F(NamespaceOps, MknodFifoSocketAndCharDevice)
{
	same("mknod fifo",
	     [](auto r) { return sys(::mknod((r + "/fifo").c_str(), S_IFIFO | 0640, 0)); });
	same("mknod socket",
	     [](auto r) { return sys(::mknod((r + "/sock").c_str(), S_IFSOCK | 0600, 0)); });
	same("mknod chr 1:3", [](auto r) {
		return sys(::mknod((r + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)));
	});
	same("mknod existing",
	     [](auto r) { return sys(::mknod((r + "/a").c_str(), S_IFIFO | 0640, 0)); });
	same("mkfifo", [](auto r) { return sys(::mkfifo((r + "/fifo2").c_str(), 0600)); });
	EXPECT_TRUE(S_ISFIFO(lattrs(b("fifo"))->mode));
	EXPECT_TRUE(S_ISSOCK(lattrs(b("sock"))->mode));
	EXPECT_TRUE(S_ISCHR(lattrs(b("null"))->mode));
	EXPECT_EQ(lattrs(b("null"))->rdev, makedev(1, 3));
	EXPECT_EQ(*lattrs(m("null")), *lattrs(b("null")));

	// bind() of a unix socket inside the mount also goes through MKNOD
	int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
	ASSERT_GE(s, 0);
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::string path = m("bound.sock");
	ASSERT_LT(path.size(), sizeof addr.sun_path);
	std::strcpy(addr.sun_path, path.c_str());
	EXPECT_EQ(::bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0)
	    << strerror(errno);
	::close(s);
	EXPECT_TRUE(S_ISSOCK(lattrs(b("bound.sock"))->mode));
	ASSERT_EQ(::unlink(b("bound.sock").c_str()), 0);
	expect_trees_equal();
	EXPECT_GT(requests(stats(), "MKNOD"), 0);
}

TEST_F(NamespaceOps, MkdirRmdirUnlink)
{
	same("mkdir 0750", [](auto r) { return sys(::mkdir((r + "/nd").c_str(), 0750)); });
	EXPECT_EQ(lattrs(b("nd"))->mode, S_IFDIR | 0750u);
	same("mkdir nested", [](auto r) { return sys(::mkdir((r + "/nd/sub").c_str(), 0700)); });
	same("mkdir existing", [](auto r) { return sys(::mkdir((r + "/d").c_str(), 0755)); });
	same("mkdir in missing",
	     [](auto r) { return sys(::mkdir((r + "/zz/sub").c_str(), 0755)); });
	same("rmdir non-empty", [](auto r) { return sys(::rmdir((r + "/nd").c_str())); });
	same("rmdir a file", [](auto r) { return sys(::rmdir((r + "/a").c_str())); });
	same("rmdir missing", [](auto r) { return sys(::rmdir((r + "/nope").c_str())); });
	same("rmdir sub", [](auto r) { return sys(::rmdir((r + "/nd/sub").c_str())); });
	same("rmdir nd", [](auto r) { return sys(::rmdir((r + "/nd").c_str())); });
	EXPECT_FALSE(lattrs(b("nd")));
	same("unlink a dir", [](auto r) { return sys(::unlink((r + "/d").c_str())); });
	same("unlink missing", [](auto r) { return sys(::unlink((r + "/nope").c_str())); });
	same("unlink file", [](auto r) { return sys(::unlink((r + "/d/x").c_str())); });
	EXPECT_FALSE(lattrs(b("d/x")));
	same("rmdir emptied d", [](auto r) { return sys(::rmdir((r + "/d").c_str())); });
	same("rmdir .", [](auto r) { return sys(::rmdir((r + "/e/.").c_str())); });
	expect_trees_equal();
	auto s = stats();
	EXPECT_GT(requests(s, "MKDIR"), 0);
	EXPECT_GT(requests(s, "RMDIR"), 0);
	EXPECT_GT(requests(s, "UNLINK"), 0);
}

TEST_F(NamespaceOps, RenamePlainNoreplaceExchange)
{
	same("rename a->c", [](auto r) { return renameat2_(r + "/a", r + "/c", 0); });
	EXPECT_EQ(read_file(b("c")).value_or("<error>"), "A");
	same("rename over file", [](auto r) { return renameat2_(r + "/c", r + "/b", 0); });
	EXPECT_EQ(read_file(b("b")).value_or("<error>"), "A");
	same("NOREPLACE onto existing",
	     [](auto r) { return renameat2_(r + "/b", r + "/d/x", RENAME_NOREPLACE); });
	same("NOREPLACE onto new",
	     [](auto r) { return renameat2_(r + "/b", r + "/d/y", RENAME_NOREPLACE); });
	EXPECT_EQ(read_file(b("d/y")).value_or("<error>"), "A");
	same("EXCHANGE file and dir",
	     [](auto r) { return renameat2_(r + "/d/x", r + "/e", RENAME_EXCHANGE); });
	EXPECT_TRUE(S_ISDIR(lattrs(b("d/x"))->mode));
	EXPECT_EQ(read_file(b("e")).value_or("<error>"), "X");
	same("EXCHANGE with missing",
	     [](auto r) { return renameat2_(r + "/e", r + "/nope", RENAME_EXCHANGE); });
	same("EXCHANGE|NOREPLACE", [](auto r) {
		return renameat2_(r + "/e", r + "/d/y", RENAME_EXCHANGE | RENAME_NOREPLACE);
	});
	same("dir over file", [](auto r) { return renameat2_(r + "/d/x", r + "/e", 0); });
	same("file over dir", [](auto r) { return renameat2_(r + "/e", r + "/d/x", 0); });
	same("dir into itself", [](auto r) { return renameat2_(r + "/d", r + "/d/x/in", 0); });
	same("missing source", [](auto r) { return renameat2_(r + "/nope", r + "/z", 0); });
	same("dir over empty dir", [](auto r) {
		::mkdir((r + "/empty").c_str(), 0755);
		return renameat2_(r + "/d/x", r + "/empty", 0);
	});
	same("dir over non-empty dir",
	     [](auto r) { return renameat2_(r + "/empty", r + "/d", 0); });
	expect_trees_equal();
	auto s = stats();
	EXPECT_GT(requests(s, "RENAME2") + requests(s, "RENAME"), 0);
}

TEST_F(NamespaceOps, LinkSymlinkReadlink)
{
	same("link", [](auto r) { return sys(::link((r + "/a").c_str(), (r + "/d/a2").c_str())); });
	struct stat s1, s2;
	ASSERT_EQ(::lstat(b("a").c_str(), &s1), 0);
	ASSERT_EQ(::lstat(b("d/a2").c_str(), &s2), 0);
	EXPECT_EQ(s1.st_ino, s2.st_ino) << "link did not make a hard link in the backing dir";
	EXPECT_EQ(s1.st_nlink, 2u);
	EXPECT_EQ(lattrs(m("a"))->nlink, 2u);
	same("link existing",
	     [](auto r) { return sys(::link((r + "/a").c_str(), (r + "/b").c_str())); });
	same("link a dir",
	     [](auto r) { return sys(::link((r + "/d").c_str(), (r + "/d2").c_str())); });
	// writes through one name show through the other
	ASSERT_TRUE(write_file(m("d/a2"), "shared"));
	EXPECT_EQ(read_file(m("a")).value_or("<error>"), "shared");
	EXPECT_EQ(read_file(b("a")).value_or("<error>"), "shared");
	ASSERT_TRUE(write_file(n("d/a2"), "shared"));

	same("symlink rel", [](auto r) { return sys(::symlink("d/x", (r + "/s").c_str())); });
	same("symlink abs",
	     [](auto r) { return sys(::symlink("/nonexistent/../etc", (r + "/abs").c_str())); });
	same("symlink dangling",
	     [](auto r) { return sys(::symlink("nope", (r + "/dang").c_str())); });
	same("symlink existing", [](auto r) { return sys(::symlink("x", (r + "/a").c_str())); });
	char target[256];
	ssize_t len = ::readlink(m("abs").c_str(), target, sizeof target);
	ASSERT_GT(len, 0);
	EXPECT_EQ(std::string(target, static_cast<size_t>(len)), "/nonexistent/../etc");
	len = ::readlink(b("s").c_str(), target, sizeof target);
	EXPECT_EQ(std::string(target, static_cast<size_t>(std::max<ssize_t>(len, 0))), "d/x");
	// a short buffer truncates, as readlink(2) does natively
	same("readlink short buffer", [](auto r) {
		char t[2];
		return sys(::readlink((r + "/s").c_str(), t, sizeof t));
	});
	same("readlink on a file", [](auto r) {
		char t[16];
		return sys(::readlink((r + "/a").c_str(), t, sizeof t));
	});
	EXPECT_EQ(read_file(m("s")).value_or("<error>"), "X");
	same("open dangling", [](auto r) { return sys(::open((r + "/dang").c_str(), O_RDONLY)); });
	same("O_NOFOLLOW on a symlink",
	     [](auto r) { return sys(::open((r + "/s").c_str(), O_RDONLY | O_NOFOLLOW)); });
	expect_trees_equal();
	auto s = stats();
	EXPECT_GT(requests(s, "LINK"), 0);
	EXPECT_GT(requests(s, "SYMLINK"), 0);
	EXPECT_GT(requests(s, "READLINK"), 0);
}

} // namespace
} // namespace fusebpf::test
