// SPDX-License-Identifier: GPL-2.0-or-later
//
// What a dead daemon leaves behind, and who removes it (daemon/stale_state.h):
// a daemon killed with SIGKILL leaves its mount (ENOTCONN), the table it
// loaded with --filter and its control socket; `fusebpf umount` of that
// mount removes all three, and `fusebpf list` no longer shows the table. And
// `fusebpf unload` of a table a mount has bound refuses, naming the mount,
// unless --force.
#include "tests/daemon/fs_util.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace fusebpf::test {
namespace {

bool exists(const std::string &path)
{
	struct stat st;
	return ::lstat(path.c_str(), &st) == 0;
}

const std::string pin_root = "/sys/fs/bpf/fusebpf";

TEST(Cleanup, UmountOfAKilledDaemonsMountRemovesItsTableAndSocket)
{
	temp_dir dir("cleanup", 0755);
	ASSERT_TRUE(dir) << dir.error();
	std::string table = "cleanup-killed-" + std::to_string(::getpid());
	mounted_fs fs(dir.subdir("backing"), dir.subdir("mnt"),
	              {"--filter", HIDE_OBJ, "--name", table});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	std::string socket = fs.control_socket_path();
	ASSERT_TRUE(exists(pin_root + "/" + table));
	ASSERT_TRUE(exists(socket));

	ASSERT_EQ(::kill(fs.pid(), SIGKILL), 0);
	EXPECT_NE(fs.wait_exit(5000), "");
	// (stat may still answer from the kernel's attribute cache; an open asks.)
	// ENOTCONN, or ECONNABORTED when the kernel aborted the connection
	// (an io_uring transport's queues torn down with the daemon).
	sys_result dead = sys(::open(fs.mountpoint().c_str(), O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(dead.ret, -1);
	EXPECT_TRUE(dead.err == ENOTCONN || dead.err == ECONNABORTED) << describe(dead);
	EXPECT_TRUE(exists(pin_root + "/" + table)) << "a killed daemon cannot unpin";

	auto r = run_command({cli_path(), "umount", fs.mountpoint()});
	EXPECT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.out << r.err;
	EXPECT_NE(r.out.find("unpinned table " + table), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("removed control socket " + socket), std::string::npos) << r.out;
	EXPECT_FALSE(fs.is_mounted());
	EXPECT_FALSE(exists(pin_root + "/" + table));
	EXPECT_FALSE(exists(socket));
	EXPECT_FALSE(exists("/run/fusebpf/tables/" + table));
	auto list = run_command({cli_path(), "list"});
	EXPECT_EQ(list.out.find(table), std::string::npos) << list.out;
}

TEST(Cleanup, UnloadRefusesATableAMountUsesUnlessForced)
{
	temp_dir dir("cleanup", 0755);
	ASSERT_TRUE(dir) << dir.error();
	std::string table = "cleanup-bound-" + std::to_string(::getpid());
	auto load = run_command({cli_path(), "load", HIDE_OBJ, "--name", table});
	ASSERT_TRUE(load.exited_ok()) << load.describe() << "\n" << load.out << load.err;
	mounted_fs fs(dir.subdir("backing"), dir.subdir("mnt"), {"--ops", table});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;

	auto refused = run_command({cli_path(), "unload", table});
	EXPECT_EQ(refused.describe(), "exit 1") << refused.out << refused.err;
	EXPECT_NE(refused.err.find(fs.mountpoint()), std::string::npos) << refused.err;
	EXPECT_TRUE(exists(pin_root + "/" + table));

	auto forced = run_command({cli_path(), "unload", "--force", table});
	EXPECT_TRUE(forced.exited_ok()) << forced.describe() << "\n" << forced.out << forced.err;
	EXPECT_FALSE(exists(pin_root + "/" + table));
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
}

} // namespace
} // namespace fusebpf::test
