// SPDX-License-Identifier: GPL-2.0-or-later
//
// The mount-related CLI as users call it (contracts.md): `fusebpf mount`
// in the background and `fusebpf umount`, `fusebpf stats` (--json shape and
// counters), -o options (ro, timeouts, unknown ones), --threads, the daemon's
// reaction to SIGTERM and to an external umount, and the one-line errors for
// bad input (missing dirs, busy mountpoint, backing inside the mountpoint,
// not root).
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/support/mountinfo.h"
#include "tests/support/process.h"

#include <csignal>
#include <sstream>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/mount.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

bool process_gone(pid_t pid, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (::kill(pid, 0) != 0 && errno == ESRCH)
			return true;
		usleep(10000);
	}
	return false;
}

// Cleans up after a background mount whatever the test outcome.
struct background_mount_guard {
	std::string mnt;
	pid_t pid = -1;
	~background_mount_guard()
	{
		if (is_mounted())
			::umount2(mnt.c_str(), MNT_DETACH);
		if (pid > 0 && !process_gone(pid, 0)) {
			::kill(pid, SIGTERM);
			if (!process_gone(pid, 3000))
				::kill(pid, SIGKILL);
		}
	}
	bool is_mounted() const
	{
		mount_entry e;
		return find_mount(mnt, &e) && e.fstype == fusebpf_fstype;
	}
};

class Cli : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_TRUE(dir_) << dir_.error();
		backing_ = dir_.subdir("backing");
		mnt_ = dir_.subdir("mnt");
		ASSERT_FALSE(backing_.empty() || mnt_.empty());
	}
	// Runs the CLI; on a failed expectation the caller prints r.describe().
	command_result cli(std::vector<std::string> args)
	{
		args.insert(args.begin(), cli_path());
		last_ = shell_join(args);
		return run_command(args, 30000);
	}
	void TearDown() override
	{
		if (HasFailure())
			std::cerr << "repro (last command): " << last_ << "\n";
	}

	temp_dir dir_{"cli", 0755};
	std::string backing_, mnt_, last_;
};

TEST_F(Cli, BackgroundMountThenUmount)
{
	ASSERT_TRUE(write_file(backing_ + "/hello", "world"));
	auto r = cli({"mount", backing_, mnt_});
	background_mount_guard guard{mnt_};
	ASSERT_TRUE(r.exited_ok()) << r.describe() << "\nstderr: " << r.err;
	// "fusebpf: mounted BACKING_DIR on MOUNTPOINT (daemon pid N, log: WHERE)\n"
	std::string expect_start = "fusebpf: mounted " + backing_ + " on " + mnt_ + " (daemon pid ";
	ASSERT_EQ(r.out.rfind(expect_start, 0), 0u) << "stdout: " << r.out;
	ASSERT_GE(r.out.size(), expect_start.size() + 3);
	ASSERT_EQ(r.out.substr(r.out.size() - 2), ")\n") << "stdout: " << r.out;
	std::size_t comma = r.out.find(", log: ", expect_start.size());
	ASSERT_NE(comma, std::string::npos) << "stdout: " << r.out;
	std::string pid_text = r.out.substr(expect_start.size(), comma - expect_start.size());
	ASSERT_EQ(pid_text.find_first_not_of("0123456789"), std::string::npos) << r.out;
	guard.pid = std::stoi(pid_text);
	EXPECT_EQ(::kill(guard.pid, 0), 0) << "daemon pid " << guard.pid << " is not running";

	mount_entry e;
	ASSERT_TRUE(find_mount(mnt_, &e));
	EXPECT_EQ(e.fstype, "fuse.fusebpf");
	EXPECT_EQ(e.source, backing_);
	EXPECT_EQ(read_file(mnt_ + "/hello").value_or("<error>"), "world");

	auto u = cli({"umount", mnt_});
	EXPECT_TRUE(u.exited_ok()) << u.describe() << "\nstderr: " << u.err;
	EXPECT_FALSE(guard.is_mounted());
	EXPECT_TRUE(process_gone(guard.pid, 5000)) << "daemon still running after umount";

	auto again = cli({"umount", mnt_});
	EXPECT_NE(again.exit_code(), 0) << "umount of a non-mount must fail";
	EXPECT_FALSE(again.err.empty());
}

TEST_F(Cli, MountOptionErrorsAreClear)
{
	struct bad_case {
		std::vector<std::string> args;
		int code; // -1: any non-zero
		const char *mentions;
	};
	std::string inside = mnt_ + "/sub";
	ASSERT_EQ(::mkdir(inside.c_str(), 0755), 0);
	std::vector<bad_case> cases = {
	    {{"mount", "-f", "-o", "bogus_option", backing_, mnt_}, 2, "bogus_option"},
	    {{"mount", "-f", backing_ + "/missing", mnt_}, -1, "missing"},
	    {{"mount", "-f", backing_, mnt_ + "/missing"}, -1, "missing"},
	    {{"mount", "-f", inside, mnt_}, -1, "sub"},
	    {{"mount", "-f", "--threads", "zero", backing_, mnt_}, 2, "threads"},
	    {{"mount", "-f", backing_}, 2, ""},
	};
	for (auto &c : cases) {
		auto r = cli(c.args);
		background_mount_guard guard{mnt_};
		if (c.code >= 0) {
			EXPECT_EQ(r.exit_code(), c.code)
			    << last_ << ": " << r.describe() << " " << r.err;
		} else {
			EXPECT_GT(r.exit_code(), 0)
			    << last_ << ": " << r.describe() << " " << r.err;
		}
		EXPECT_FALSE(r.err.empty()) << last_ << ": no error message";
		EXPECT_NE(r.err.find(c.mentions), std::string::npos)
		    << last_ << ": error does not name the problem: " << r.err;
		EXPECT_FALSE(guard.is_mounted()) << last_ << " mounted anyway";
	}
}

TEST_F(Cli, MountRefusesBusyMountpointAndNonRoot)
{
	mounted_fs fs(backing_, mnt_);
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	auto r = cli({"mount", "-f", backing_, mnt_});
	EXPECT_GT(r.exit_code(), 0) << r.describe();
	EXPECT_FALSE(r.err.empty());
	EXPECT_TRUE(fs.is_mounted());

	std::string other = dir_.subdir("other");
	auto as_user = run_as(
	    nobody,
	    [&] {
		    auto res = run_command({cli_path(), "mount", "-f", backing_, other}, 10000);
		    return std::to_string(res.exit_code()) + "\n" + res.err;
	    },
	    why);
	ASSERT_TRUE(as_user) << why;
	EXPECT_NE(as_user->substr(0, 2), "0\n") << "a non-root mount succeeded: " << *as_user;
	EXPECT_NE(as_user->find("root"), std::string::npos)
	    << "the error should say root is needed: " << *as_user;
	EXPECT_FALSE(find_mount(other));
	EXPECT_EQ(fs.stop(), "exit 0") << fs.daemon_log();
}

TEST_F(Cli, SigtermUnmountsAndExitsZero)
{
	mounted_fs fs(backing_, mnt_, {"--threads", "4"});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	ASSERT_TRUE(write_file(mnt_ + "/f", "x"));
	ASSERT_EQ(::kill(fs.pid(), SIGTERM), 0);
	std::string how = fs.wait_exit(10000);
	EXPECT_EQ(how, "exit 0") << fs.daemon_log();
	EXPECT_FALSE(fs.is_mounted()) << "SIGTERM left the mount behind";
	EXPECT_EQ(read_file(backing_ + "/f").value_or("<error>"), "x");
}

TEST_F(Cli, ExternalUmountEndsDaemon)
{
	mounted_fs fs(backing_, mnt_);
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	ASSERT_TRUE(write_file(mnt_ + "/f", "x"));
	ASSERT_EQ(::umount2(mnt_.c_str(), 0), 0) << strerror(errno);
	std::string how = fs.wait_exit(5000);
	EXPECT_EQ(how, "exit 0") << "daemon did not exit cleanly after umount:\n"
	                         << fs.daemon_log();
}

// An unmount that comes before the daemon has answered INIT (the mount is
// visible as soon as mount(2) returns) must end the daemon just as well.
TEST_F(Cli, ExternalUmountRightAfterMountEndsDaemon)
{
	pid_t pid = ::fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		::prctl(PR_SET_PDEATHSIG, SIGTERM);
		int devnull = ::open("/dev/null", O_RDWR);
		::dup2(devnull, STDOUT_FILENO);
		::dup2(devnull, STDERR_FILENO);
		std::string cli = cli_path();
		::execl(cli.c_str(), cli.c_str(), "mount", "-f", backing_.c_str(), mnt_.c_str(),
		        nullptr);
		::_exit(127);
	}
	bool unmounted = false;
	for (int i = 0; i < 20000 && !unmounted; i++) {
		mount_entry e;
		if (find_mount(mnt_, &e) && e.fstype == fusebpf_fstype)
			unmounted = ::umount2(mnt_.c_str(), 0) == 0;
		else
			usleep(500);
	}
	EXPECT_TRUE(unmounted) << "the mount never appeared";
	int status = 0;
	bool exited = false;
	for (int waited = 0; waited < 5000 && !exited; waited += 10) {
		exited = ::waitpid(pid, &status, WNOHANG) == pid;
		if (!exited)
			usleep(10000);
	}
	if (!exited) {
		::kill(pid, SIGKILL);
		::waitpid(pid, &status, 0);
	}
	EXPECT_TRUE(exited) << "daemon still running 5 s after the umount (killed)";
	EXPECT_EQ(describe_wait_status(status), "exit 0");
	background_mount_guard guard{mnt_};
	EXPECT_FALSE(guard.is_mounted());
}

TEST_F(Cli, StatsJsonShapeAndCounters)
{
	mounted_fs fs(backing_, mnt_);
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	ASSERT_EQ(::mkdir((mnt_ + "/d").c_str(), 0755), 0);
	ASSERT_TRUE(write_file(mnt_ + "/d/f", "x"));
	EXPECT_EQ(sys(::rmdir((mnt_ + "/d").c_str())), (sys_result{-1, ENOTEMPTY}));
	auto s = read_stats(mnt_, why);
	ASSERT_TRUE(s) << why;
	EXPECT_EQ(s->value("mountpoint", ""), mnt_);
	EXPECT_EQ(s->value("backing", ""), backing_);
	EXPECT_EQ(s->value("pid", -1), fs.pid());
	EXPECT_TRUE(s->contains("passthrough") && (*s)["passthrough"].is_boolean()) << s->dump();
	for (const char *op :
	     {"LOOKUP",   "FORGET",         "GETATTR",      "SETATTR",     "READLINK",    "SYMLINK",
	      "MKNOD",    "MKDIR",          "UNLINK",       "RMDIR",       "RENAME",      "LINK",
	      "OPEN",     "READ",           "WRITE",        "STATFS",      "RELEASE",     "FSYNC",
	      "SETXATTR", "GETXATTR",       "LISTXATTR",    "REMOVEXATTR", "FLUSH",       "INIT",
	      "OPENDIR",  "READDIR",        "RELEASEDIR",   "FSYNCDIR",    "GETLK",       "SETLK",
	      "SETLKW",   "ACCESS",         "CREATE",       "INTERRUPT",   "BMAP",        "DESTROY",
	      "IOCTL",    "POLL",           "BATCH_FORGET", "FALLOCATE",   "READDIRPLUS", "RENAME2",
	      "LSEEK",    "COPY_FILE_RANGE"}) {
		EXPECT_TRUE(op_counter(*s, op, "requests").has_value())
		    << "ops." << op << ".requests";
		EXPECT_TRUE(op_counter(*s, op, "errors").has_value()) << "ops." << op << ".errors";
	}
	EXPECT_EQ(op_counter(*s, "INIT").value_or(0), 1u);
	EXPECT_EQ(op_counter(*s, "MKDIR").value_or(0), 1u);
	EXPECT_EQ(op_counter(*s, "MKDIR", "errors").value_or(99), 0u);
	EXPECT_EQ(op_counter(*s, "RMDIR").value_or(0), 1u);
	EXPECT_EQ(op_counter(*s, "RMDIR", "errors").value_or(0), 1u);
	EXPECT_EQ(op_counter(*s, "CREATE").value_or(0), 1u);

	auto table = cli({"stats", mnt_});
	EXPECT_TRUE(table.exited_ok()) << table.describe() << table.err;
	EXPECT_NE(table.out.find("MKDIR"), std::string::npos) << table.out;

	auto not_mounted = cli({"stats", dir_.path(), "--json"});
	EXPECT_GT(not_mounted.exit_code(), 0);
	EXPECT_FALSE(not_mounted.err.empty());
}

// Counts of five digits or more are grouped in threes in the table
// (cli/readable.h); --json keeps the number.
TEST_F(Cli, StatsTableGroupsLongCounts)
{
	mounted_fs fs(backing_, mnt_);
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	struct stat st;
	for (int i = 0; i < 12345; i++) // negative entries are not cached: one LOOKUP each
		ASSERT_NE(::stat((mnt_ + "/missing").c_str(), &st), 0);
	auto table = cli({"stats", mnt_});
	ASSERT_TRUE(table.exited_ok()) << table.describe() << table.err;
	auto s = read_stats(mnt_, why);
	ASSERT_TRUE(s) << why;
	std::uint64_t lookups = op_counter(*s, "LOOKUP").value_or(0);
	ASSERT_GE(lookups, 12345u);
	std::string row;
	std::istringstream lines(table.out);
	while (std::getline(lines, row) && row.rfind("LOOKUP ", 0) != 0) {
	}
	std::istringstream cells(row);
	std::string op, requests, errors;
	cells >> op >> requests >> errors;
	std::string digits = std::to_string(lookups), grouped;
	for (std::size_t i = 0; i < digits.size(); i++)
		grouped += (i && (digits.size() - i) % 3 == 0 ? "," : "") + digits.substr(i, 1);
	EXPECT_EQ(requests, grouped) << table.out;
	EXPECT_EQ(errors, grouped) << table.out;                   // every one was ENOENT
	EXPECT_EQ(requests.size(), digits.size() + 1) << requests; // 12,345 to 99,999
}

TEST_F(Cli, ReadOnlyAndZeroTimeouts)
{
	ASSERT_TRUE(write_file(backing_ + "/f", "old"));
	{
		mounted_fs fs(backing_, mnt_, {"-o", "ro"});
		std::string why;
		ASSERT_TRUE(fs.start(why)) << why;
		EXPECT_EQ(read_file(mnt_ + "/f").value_or("<error>"), "old");
		EXPECT_EQ(sys(::open((mnt_ + "/f").c_str(), O_WRONLY)), (sys_result{-1, EROFS}));
		EXPECT_EQ(sys(::mkdir((mnt_ + "/d").c_str(), 0755)), (sys_result{-1, EROFS}));
		EXPECT_EQ(fs.stop(), "exit 0");
	}
	mounted_fs fs(backing_, mnt_, {"-o", "entry_timeout=0,attr_timeout=0,negative_timeout=0"});
	std::string why;
	ASSERT_TRUE(fs.start(why)) << why;
	struct stat st;
	ASSERT_EQ(::stat((mnt_ + "/f").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_EQ(sys(::stat((mnt_ + "/g").c_str(), &st)), (sys_result{-1, ENOENT}));
	// changes made behind the mount's back show at once with zero timeouts
	ASSERT_TRUE(write_file(backing_ + "/f", "longer"));
	ASSERT_TRUE(write_file(backing_ + "/g", "new"));
	ASSERT_EQ(::stat((mnt_ + "/f").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 6);
	EXPECT_EQ(sys(::stat((mnt_ + "/g").c_str(), &st)), (sys_result{0, 0}));
	EXPECT_EQ(fs.stop(), "exit 0");
}

} // namespace
} // namespace fusebpf::test
