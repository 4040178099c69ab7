// SPDX-License-Identifier: GPL-2.0-or-later
//
// What a dead daemon leaves behind, and who removes it (daemon/control/stale_state.h):
// a daemon killed with SIGKILL leaves its mount (ENOTCONN), the table it
// loaded with --filter and its control socket; `fusebpf umount` of that
// mount removes all three, and `fusebpf list` no longer shows the table. And
// `fusebpf unload` of a table a mount has bound refuses, naming the mount,
// unless --force. A background daemon's default log file
// (/run/fusebpf/<mount>.log, used where no system log listens) goes with a
// clean unmount, and a killed daemon's with the next `fusebpf umount`.
#include "tests/daemon/fs_util.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
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

// `fusebpf mount` in the background: the daemon's pid and log file from
// its "mounted ... (daemon pid N, log: FILE)" line.
struct background_mount {
	pid_t pid = 0;
	std::string log;
};
std::optional<background_mount> mount_in_background(const std::string &backing,
                                                    const std::string &mnt, std::string &why)
{
	auto r = run_command({cli_path(), "mount", backing, mnt});
	if (!r.exited_ok()) {
		why = r.describe() + "\n" + r.out + r.err;
		return std::nullopt;
	}
	background_mount m;
	size_t p = r.out.find("daemon pid "), l = r.out.find("log: ");
	if (p == std::string::npos || l == std::string::npos) {
		why = "no pid or log in: " + r.out;
		return std::nullopt;
	}
	m.pid = static_cast<pid_t>(std::stol(r.out.substr(p + 11)));
	m.log = r.out.substr(l + 5, r.out.find(')', l) - l - 5);
	return m;
}

TEST(Cleanup, DefaultLogFileGoesWithItsDaemon)
{
	temp_dir dir("cleanup", 0755);
	ASSERT_TRUE(dir) << dir.error();
	std::string backing = dir.subdir("backing");
	// Whatever fails below, nothing stays mounted (the daemons end with
	// their mounts).
	struct unmount_all {
		std::string root;
		~unmount_all()
		{
			for (const char *m : {"/mnt1", "/mnt2"})
				::umount2((root + m).c_str(), MNT_DETACH);
		}
	} guard{dir.path()};
	std::string why;

	// A clean unmount: the daemon removes its log file as it ends.
	auto clean = mount_in_background(backing, dir.subdir("mnt1"), why);
	ASSERT_TRUE(clean) << why;
	if (clean->log == "system log")
		GTEST_SKIP() << "a system log listens on /dev/log: no log file to remove";
	EXPECT_TRUE(exists(clean->log)) << clean->log;
	auto u = run_command({cli_path(), "umount", dir.path() + "/mnt1"});
	EXPECT_TRUE(u.exited_ok()) << u.describe() << "\n" << u.out << u.err;
	EXPECT_FALSE(exists(clean->log)) << clean->log;

	// A killed daemon: its log stays until `fusebpf umount` sweeps it.
	auto killed = mount_in_background(backing, dir.subdir("mnt2"), why);
	ASSERT_TRUE(killed) << why;
	ASSERT_EQ(::kill(killed->pid, SIGKILL), 0);
	for (int i = 0; i < 500 && ::kill(killed->pid, 0) == 0; i++)
		::usleep(10000);
	EXPECT_TRUE(exists(killed->log)) << "a killed daemon cannot remove its log";
	u = run_command({cli_path(), "umount", dir.path() + "/mnt2"});
	EXPECT_TRUE(u.exited_ok()) << u.describe() << "\n" << u.out << u.err;
	EXPECT_NE(u.out.find("removed log file " + killed->log), std::string::npos) << u.out;
	EXPECT_FALSE(exists(killed->log)) << killed->log;
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
