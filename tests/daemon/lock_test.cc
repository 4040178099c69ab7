// SPDX-License-Identifier: GPL-2.0-or-later
//
// Locks through a real mount between two processes, each with its own fd:
// flock conflicts (EWOULDBLOCK), POSIX record lock conflicts (EAGAIN), F_GETLK
// naming the holder's pid and range, non-overlapping ranges coexisting, locks
// released when the holder exits, and a blocked F_SETLKW interrupted by a
// signal returning EINTR (the kernel sends INTERRUPT to the daemon), and more
// F_SETLKW waiters than daemon workers not starving the mount.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"
#include "tests/support/child.h"

#include "common/unique_fd.h"

#include <csignal>
#include <functional>
#include <vector>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

int flock_ex(int fd)
{
	return ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
}

int posix_write_lock_0_100(int fd)
{
	struct flock fl {};
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 100;
	return ::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : errno;
}

struct flock lock_range(short type, off_t start, off_t len)
{
	struct flock fl {};
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return fl;
}

class Locks : public mount_fixture {
protected:
	void prepare_backing() override { ASSERT_TRUE(write_file(b("lockfile"), "0123456789")); }
};

TEST_F(Locks, FlockConflictsBetweenProcesses)
{
	lock_holder holder(m("lockfile"), flock_ex);
	ASSERT_EQ(holder.result(), 0) << strerror(holder.result());
	unique_fd fd(::open(m("lockfile").c_str(), O_RDWR));
	ASSERT_TRUE(fd);
	EXPECT_EQ(sys(::flock(fd.get(), LOCK_EX | LOCK_NB)), (sys_result{-1, EWOULDBLOCK}));
	EXPECT_EQ(sys(::flock(fd.get(), LOCK_SH | LOCK_NB)), (sys_result{-1, EWOULDBLOCK}));
	holder.release();
	// The holder's flock goes with its RELEASE, which the kernel sends
	// after close() returned (asynchronously, unlike a native close): so
	// the lock is free within a bounded time, not at once.
	sys_result taken = sys(::flock(fd.get(), LOCK_EX | LOCK_NB));
	for (int i = 0; i < 200 && taken == sys_result{-1, EWOULDBLOCK}; i++) {
		::usleep(10000);
		taken = sys(::flock(fd.get(), LOCK_EX | LOCK_NB));
	}
	EXPECT_EQ(taken, (sys_result{0, 0}));
	EXPECT_EQ(sys(::flock(fd.get(), LOCK_UN)), (sys_result{0, 0}));

	// shared locks coexist
	lock_holder shared(m("lockfile"),
	                   [](int f) { return ::flock(f, LOCK_SH | LOCK_NB) ? errno : 0; });
	ASSERT_EQ(shared.result(), 0);
	EXPECT_EQ(sys(::flock(fd.get(), LOCK_SH | LOCK_NB)), (sys_result{0, 0}));
	EXPECT_EQ(sys(::flock(fd.get(), LOCK_EX | LOCK_NB)), (sys_result{-1, EWOULDBLOCK}));
}

TEST_F(Locks, PosixLockConflictAndGetlk)
{
	lock_holder holder(m("lockfile"), posix_write_lock_0_100);
	ASSERT_EQ(holder.result(), 0) << strerror(holder.result());
	unique_fd fd(::open(m("lockfile").c_str(), O_RDWR));
	ASSERT_TRUE(fd);

	struct flock fl = lock_range(F_WRLCK, 50, 10);
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLK, &fl)), (sys_result{-1, EAGAIN}));
	fl = lock_range(F_RDLCK, 0, 1);
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLK, &fl)), (sys_result{-1, EAGAIN}));

	fl = lock_range(F_WRLCK, 10, 5);
	ASSERT_EQ(::fcntl(fd.get(), F_GETLK, &fl), 0) << strerror(errno);
	EXPECT_EQ(fl.l_type, F_WRLCK);
	EXPECT_EQ(fl.l_pid, holder.pid()) << "F_GETLK must name the holding process";
	EXPECT_EQ(fl.l_start, 0);
	EXPECT_EQ(fl.l_len, 100);

	// a range past the held one is free
	fl = lock_range(F_WRLCK, 100, 50);
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLK, &fl)), (sys_result{0, 0}));
	fl = lock_range(F_WRLCK, 200, 1);
	ASSERT_EQ(::fcntl(fd.get(), F_GETLK, &fl), 0);
	EXPECT_EQ(fl.l_type, F_UNLCK);

	holder.release(); // the holder's exit drops its locks
	fl = lock_range(F_WRLCK, 0, 100);
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLK, &fl)), (sys_result{0, 0}));
	auto s = stats();
	EXPECT_GT(requests(s, "SETLK"), 0) << "POSIX locks never reached the daemon";
	EXPECT_GT(requests(s, "GETLK"), 0);
}

void on_sigusr1(int)
{}

TEST_F(Locks, BlockedSetlkwInterruptedBySignal)
{
	lock_holder holder(m("lockfile"), posix_write_lock_0_100);
	ASSERT_EQ(holder.result(), 0) << strerror(holder.result());
	std::string mnt_file = m("lockfile");

	// The waiter: a child that blocks in F_SETLKW; SIGUSR1 without SA_RESTART
	// must make it return EINTR.
	int out[2];
	ASSERT_EQ(::pipe(out), 0);
	pid_t waiter = ::fork();
	ASSERT_GE(waiter, 0);
	if (waiter == 0) {
		::prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct sigaction sa {};
		sa.sa_handler = on_sigusr1;
		::sigaction(SIGUSR1, &sa, nullptr);
		int fd = ::open(mnt_file.c_str(), O_RDWR);
		struct flock fl = lock_range(F_WRLCK, 0, 10);
		sys_result r = fd < 0 ? sys(-1) : sys(::fcntl(fd, F_SETLKW, &fl));
		(void)!::write(out[1], &r, sizeof r);
		::_exit(0);
	}
	::close(out[1]);
	unique_fd rd(out[0]);
	// Give the waiter time to block in the daemon (the counters may only
	// move when a request is answered, so they cannot tell us).
	usleep(300000);
	ASSERT_EQ(::kill(waiter, SIGUSR1), 0);
	sys_result r{};
	pollfd pfd{rd.get(), POLLIN, 0};
	int ready = ::poll(&pfd, 1, 10000);
	if (ready <= 0)
		::kill(waiter, SIGKILL);
	ASSERT_EQ(ready, 1) << "F_SETLKW did not return within 10 s of the signal";
	ASSERT_EQ(::read(rd.get(), &r, sizeof r), static_cast<ssize_t>(sizeof r));
	int status;
	::waitpid(waiter, &status, 0);
	EXPECT_EQ(r, (sys_result{-1, EINTR})) << describe(r);

	auto s = stats();
	EXPECT_GT(requests(s, "SETLKW"), 0) << "the blocking lock never reached the daemon";
	EXPECT_GT(requests(s, "INTERRUPT"), 0) << "no INTERRUPT reached the daemon";
	// the daemon is still healthy and the lock is still the holder's
	unique_fd fd(::open(m("lockfile").c_str(), O_RDWR));
	ASSERT_TRUE(fd);
	struct flock fl = lock_range(F_WRLCK, 0, 1);
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLK, &fl)), (sys_result{-1, EAGAIN}));
	holder.release();
	EXPECT_EQ(sys(::fcntl(fd.get(), F_SETLKW, &fl)), (sys_result{0, 0}));
}

// More F_SETLKW waiters than the daemon has workers: each waiter holds a
// worker in the daemon, so without extra workers the mount would hang,
// and with it the unlock that would free them.
class LocksFewWorkers : public Locks {
protected:
	std::vector<std::string> mount_args() const override { return {"--threads", "2"}; }
};

TEST_F(LocksFewWorkers, MoreSetlkwWaitersThanWorkersDoNotStarveTheMount)
{
	lock_holder holder(m("lockfile"), posix_write_lock_0_100);
	ASSERT_EQ(holder.result(), 0) << strerror(holder.result());
	std::string file = m("lockfile");

	constexpr int waiters = 4; // twice the workers
	std::vector<pid_t> pids(waiters);
	std::vector<unique_fd> results;
	for (int i = 0; i < waiters; i++)
		results.push_back(run_in_child(
		    [&file] {
			    int fd = ::open(file.c_str(), O_RDWR);
			    struct flock fl = lock_range(F_WRLCK, 0, 10);
			    return fd < 0 || ::fcntl(fd, F_SETLKW, &fl) < 0 ? errno : 0;
		    },
		    pids[i]));
	usleep(500000); // let them all block in the daemon

	// Other requests are still served.
	pid_t lister;
	std::string dir = m("");
	unique_fd listed = run_in_child(
	    [&dir] {
		    struct stat st;
		    return ::stat(dir.c_str(), &st) == 0 && !list_dir(dir).empty() ? 0 : EIO;
	    },
	    lister);
	int r = -1;
	ASSERT_TRUE(child_result(listed, lister, 10000, r))
	    << "stat/readdir hung while lock waiters occupied the workers";
	EXPECT_EQ(r, 0);

	// The unlock reaches the daemon, and every waiter gets the lock in turn
	// (each exits, which releases it for the next).
	holder.release();
	for (int i = 0; i < waiters; i++) {
		ASSERT_TRUE(child_result(results[i], pids[i], 10000, r))
		    << "waiter " << i << " never got the lock";
		EXPECT_EQ(r, 0) << "waiter " << i << ": " << strerror(r);
	}
}

} // namespace
} // namespace fusebpf::test
