// SPDX-License-Identifier: GPL-2.0-or-later
//
// Lock ops: POSIX record locks (GETLK, SETLK, SETLKW) and flock(2) locks
// (SETLK/SETLKW with FUSE_LK_FLOCK), held on the backing files so they
// conflict with locks taken on the backing tree directly.
//
// Why not plain fcntl(F_SETLK): the daemon is one process, and classic
// POSIX locks belong to the process, so every caller's locks would merge
// into one owner: they would never conflict with each other, and one
// caller's unlock would drop another's lock.
//
// POSIX locks -> OFD locks on one "carrier" description per (inode, owner).
// The kernel names the lock owner in each request (fuse_lk_in.owner: the
// caller's files_struct, scrambled). For each (backing inode, owner) this
// file opens one extra backing open file description, the carrier, and
// takes the owner's locks on it with F_OFD_SETLK/F_OFD_SETLKW/F_OFD_GETLK.
// OFD locks belong to the description, so:
//   - locks of one owner merge, split and replace each other exactly like
//     one process's POSIX locks (they sit on one description);
//   - locks of different owners conflict (different descriptions);
//   - they conflict with classic POSIX and OFD locks that other programs
//     hold on the backing file directly, both ways.
// POSIX locks die when their owner closes any fd of the file: the kernel
// sends FLUSH with the lock owner, and locks_on_flush() unlocks and drops
// that owner's carrier. Programs on the mount that take OFD locks
// themselves (F_OFD_SETLK on a mount fd) get the file as owner; the kernel
// never flushes with that owner, so a carrier also remembers which open
// files used it and is dropped when the last of them is released.
//
// The carrier is opened O_RDWR|O_NONBLOCK (F_RDLCK needs a readable and
// F_WRLCK a writable description, and one owner may lock through a
// read-only fd now and a writable one later; the kernel already checked the
// caller's own fd mode before sending the lock). First as the caller; if
// that is refused (a file the caller only opened read-only), the open runs
// with fsuid 0 for that one call: the description is never used for I/O,
// only to carry locks the caller is entitled to. If O_RDWR is impossible
// (read-only backing fs, ETXTBSY, a lease: O_NONBLOCK returns
// EWOULDBLOCK instead of waiting) it falls back to the access mode of the
// caller's own open file.
//
// flock locks -> flock(2) on the open file's own backing fd. One FUSE open
// is one description, as flock wants: dup'ed and inherited fds share the fh
// and the lock; two opens conflict. RELEASE with FUSE_RELEASE_FLOCK_UNLOCK
// unlocks it (closing the backing fd would too, but a handler may still hold
// the open file for a moment).
//
// What a caller sees from F_GETLK: the conflicting lock's type and range;
// l_pid is the pid that last locked through the conflicting owner's carrier
// when that owner is found among this mount's carriers (each other carrier
// of the inode is asked the same question; the one that does not see the
// lock holds it), the backing process's pid for a classic POSIX lock held
// on the backing file directly, and 0 for an OFD lock held directly on the
// backing file (the kernel reports no pid for OFD locks).
//
// Filters (node_filters.h, docs/filters.md §6): GETLK, SETLK and SETLKW
// run through the filter engine when the binding of the open file's node
// wants getlk / setlk (SETLKW shares setlk's context; meta.opcode tells
// them apart), else they are the plain lock op, unchanged. A prefilter may
// change the lock (in.lk, in.lk_flags, in.owner); in.fh stays the kernel's.
// Locks on a virtual node's open file go to the user filter's handler.
//
// Limits: F_OFD_SETLKW does no deadlock detection, so two owners waiting on
// each other block until a signal (FUSE_INTERRUPT) instead of getting
// EDEADLK. A carrier holds the file open for writing, so exec of that file
// fails with ETXTBSY while a lock is held. If an owner's carrier is dropped
// by a close while another thread of the same owner waits in SETLKW, the
// waiter's lock lands on the dropped carrier, which is registered again;
// if meanwhile a third thread made a new carrier, the waiter's lock is lost
// when the waiter's request ends.
#include "daemon/backing/backing.h"
#include "daemon/ops/backing_ops.h"
#include "daemon/policy/node_filters.h"
#include "daemon/ops/handle_ops.h"
#include "daemon/backing/lock_state.h"
#include "daemon/backing/open_files.h"
#include "daemon/ops/ops.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include <cerrno>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <vector>

namespace fusebpf::daemon {

namespace {

// FUSE's "to the end of the file" (the kernel's OFFSET_MAX).
constexpr uint64_t lock_offset_max = INT64_MAX;

carrier_key key_of(const open_file &f, uint64_t owner)
{
	return carrier_key{f.node->dev, f.node->ino, owner};
}

// Drops every lock on the carrier (closing it would too, but a request may
// still hold a reference for a moment).
void unlock_all(const lock_carrier &c)
{
	struct flock fl = {};
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fcntl(c.fd.get(), F_OFD_SETLK, &fl);
}

// Opens a carrier description for f's inode (see the header comment).
int open_carrier(const session &s, const open_file &f, unique_fd &out)
{
	const inode &node = *f.node;
	int rw = (node.is_dir() ? O_RDONLY : O_RDWR) | O_NONBLOCK;
	int err = reopen_inode(s, node, rw, out);
	if (err == EACCES || err == EPERM) {
		// fsuid 0 for this one open: returns the caller's fsuid, to which
		// the scope's capabilities drop back on the second call.
		uid_t caller = static_cast<uid_t>(setfsuid(0));
		err = reopen_inode(s, node, rw, out);
		setfsuid(caller);
	}
	if (err)
		err = reopen_inode(s, node, (f.flags & O_ACCMODE) | O_NONBLOCK, out);
	return err;
}

// fuse_file_lock (inclusive end, OFFSET_MAX = to EOF) <-> struct flock.
int to_flock(const fuse_file_lock &lk, struct flock &fl)
{
	if (lk.type != F_RDLCK && lk.type != F_WRLCK && lk.type != F_UNLCK)
		return EINVAL;
	if (lk.start > lock_offset_max || lk.end < lk.start)
		return EINVAL;
	fl = {};
	fl.l_type = static_cast<short>(lk.type);
	fl.l_whence = SEEK_SET;
	fl.l_start = static_cast<off_t>(lk.start);
	fl.l_len = lk.end >= lock_offset_max ? 0 : static_cast<off_t>(lk.end - lk.start + 1);
	return 0;
}

void from_flock(const struct flock &fl, uint32_t pid, fuse_file_lock &lk)
{
	lk = {};
	lk.type = static_cast<uint32_t>(fl.l_type);
	if (fl.l_type == F_UNLCK)
		return;
	lk.start = static_cast<uint64_t>(fl.l_start);
	lk.end = fl.l_len == 0 ? lock_offset_max : static_cast<uint64_t>(fl.l_start + fl.l_len - 1);
	lk.pid = pid;
}

bool same_lock(const struct flock &a, const struct flock &b)
{
	return a.l_type == b.l_type && a.l_start == b.l_start && a.l_len == b.l_len;
}

// Which pid to report for a conflicting lock (see the header comment).
uint32_t holder_pid(carrier_registry &registry, const carrier_key &k, const struct flock &query,
                    const struct flock &found)
{
	if (found.l_pid > 0)
		return static_cast<uint32_t>(found.l_pid); // classic lock on the backing file
	for (auto &[c, pid] : registry.others(k)) {
		struct flock probe = query;
		if (fcntl(c->fd.get(), F_OFD_GETLK, &probe) < 0)
			continue;
		if (probe.l_type == F_UNLCK || !same_lock(probe, found))
			return pid;
	}
	return 0;
}

int flock_op(open_file &f, const fuse_file_lock &lk, bool wait, lock_waiter &waiter)
{
	int op;
	switch (lk.type) {
	case F_RDLCK:
		op = LOCK_SH;
		break;
	case F_WRLCK:
		op = LOCK_EX;
		break;
	case F_UNLCK:
		op = LOCK_UN;
		break;
	default:
		return EINVAL;
	}
	if (!wait || op == LOCK_UN)
		return flock(f.fd.get(), op | LOCK_NB) < 0 ? errno : 0;
	struct flock_wait {
		int fd, op;
	} w = {f.fd.get(), op};
	int rc = waiter.run(
	    [](void *arg) {
		    auto *fw = static_cast<flock_wait *>(arg);
		    return flock(fw->fd, fw->op) < 0 ? -errno : 0;
	    },
	    &w);
	return -rc;
}

// The lock ops on an open file the caller already looked up (in.fh is
// ignored): do_getlk()/do_setlk() and the filtered path both end here.
int getlk_on(session &s, open_file &f, const fuse_lk_in &in, fuse_lk_out &out)
{
	if (in.lk_flags & FUSE_LK_FLOCK)
		return EINVAL; // flock has no "test" operation
	struct flock query;
	if (int err = to_flock(in.lk, query))
		return err;
	if (query.l_type == F_UNLCK)
		return EINVAL;
	carrier_key k = key_of(f, in.owner);
	// The owner's own locks never conflict: ask from its carrier. Without
	// one, f's own description holds no OFD locks and is as good.
	carrier_ptr own = s.locks().find(k);
	struct flock found = query;
	if (fcntl(own ? own->fd.get() : f.fd.get(), F_OFD_GETLK, &found) < 0)
		return errno;
	uint32_t pid = found.l_type == F_UNLCK ? 0 : holder_pid(s.locks(), k, query, found);
	from_flock(found, pid, out.lk);
	return 0;
}

int setlk_on(session &s, open_file &f, const fuse_lk_in &in, bool wait, lock_waiter &waiter)
{
	if (in.lk_flags & FUSE_LK_FLOCK)
		return flock_op(f, in.lk, wait, waiter);
	struct flock fl;
	if (int err = to_flock(in.lk, fl))
		return err;
	carrier_key k = key_of(f, in.owner);
	carrier_ptr c = s.locks().find(k);
	if (fl.l_type == F_UNLCK) {
		// Nothing locked by this owner: nothing to unlock.
		if (!c)
			return 0;
		return fcntl(c->fd.get(), F_OFD_SETLK, &fl) < 0 ? errno : 0;
	}
	if (!c) {
		unique_fd fd;
		if (int err = open_carrier(s, f, fd))
			return err;
		c = std::make_shared<lock_carrier>(std::move(fd));
	}
	// Registered before the lock is taken, so a concurrent FLUSH of the owner
	// finds it; a lock that fails leaves an unused carrier until then.
	c = s.locks().insert(k, c, &f, in.lk.pid);
	if (!wait)
		return fcntl(c->fd.get(), F_OFD_SETLK, &fl) < 0 ? errno : 0;
	struct ofd_wait {
		int fd;
		struct flock *fl;
	} w = {c->fd.get(), &fl};
	int rc = waiter.run(
	    [](void *arg) {
		    auto *ow = static_cast<ofd_wait *>(arg);
		    return fcntl(ow->fd, F_OFD_SETLKW, ow->fl) < 0 ? -errno : 0;
	    },
	    &w);
	if (rc == 0)
		s.locks().reinsert(k, c, &f, in.lk.pid);
	return -rc;
}

} // namespace

int do_getlk(session &s, const fuse_lk_in &in, fuse_lk_out &out)
{
	open_file_ptr f = s.files().get(in.fh);
	return f ? getlk_on(s, *f, in, out) : EBADF;
}

int do_setlk(session &s, const fuse_lk_in &in, bool wait, lock_waiter &waiter)
{
	open_file_ptr f = s.files().get(in.fh);
	return f ? setlk_on(s, *f, in, wait, waiter) : EBADF;
}

// ---- the op descriptors (op_path.h) ----

namespace {

// Waits through request::interruptible(), so a FUSE_INTERRUPT ends the wait.
class request_waiter final : public lock_waiter {
public:
	explicit request_waiter(request &req) : req_(req) {}
	int run(int (*wait)(void *arg), void *arg) override
	{
		return req_.interruptible([&] { return wait(arg); });
	}

private:
	request &req_;
};

// GETLK, SETLK and SETLKW on the open file in.fh. The engine runs when the
// binding of the file's node wants the op (a handle without a backing fd
// has no locks to take: its ops fail on the backing step).
template <class Ctx> class lock_op : public on_file<Ctx> {
public:
	bool engine(const filter::binding &b) const
	{
		return filtered(this->node(), b, filter::op_of<Ctx>);
	}
};

class getlk_op : public lock_op<fusebpf_getlk_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		return -getlk_on(env.s, *handle_, owned(c.in), c.out);
	}

	void reply(op_env &env, int err, context &ctx) { reply_struct(env, err, ctx.out); }
};

// SETLK and SETLKW (Wait) share setlk's context (meta.opcode tells them
// apart).
template <bool Wait> class setlk_op : public lock_op<fusebpf_setlk_ctx> {
public:
	int backing(op_env &env, context &c)
	{
		request_waiter waiter(env.req);
		return -setlk_on(env.s, *handle_, owned(c.in), Wait, waiter);
	}

	void reply(op_env &env, int err, context &) { reply_status(env, err); }
};

} // namespace

const op_handler op_getlk = serve_op<getlk_op>;

const op_handler op_setlk = serve_op<setlk_op<false>>;
const op_handler op_setlkw = serve_op<setlk_op<true>>;

void locks_on_flush(request &req, open_file &f, uint64_t lock_owner)
{
	if (carrier_ptr c = req.sess().locks().erase(key_of(f, lock_owner)))
		unlock_all(*c);
}

void locks_on_release(request &req, open_file &f, uint32_t release_flags, uint64_t)
{
	if (release_flags & FUSE_RELEASE_FLOCK_UNLOCK)
		flock(f.fd.get(), LOCK_UN | LOCK_NB);
	for (const carrier_ptr &c : req.sess().locks().release_user(*f.node, &f))
		unlock_all(*c);
}

} // namespace fusebpf::daemon
