// SPDX-License-Identifier: GPL-2.0-or-later
//
// uring_transport: FUSE over io_uring (kernel 6.14+, protocol 7.42), the
// second transport beside dev_fuse_channel (channel.h).
//
// Protocol (fs/fuse/dev_uring.c, fuse_wire.h: fuse_uring_*): INIT is
// answered over /dev/fuse and agrees FUSE_OVER_IO_URING (ops/init.cc). Then
// the daemon registers ring entries with FUSE_IO_URING_CMD_REGISTER, one
// queue per possible CPU (the kernel switches the connection over only when
// every queue has an entry), each entry a header buffer and a payload
// buffer. The kernel completes an entry's command when it put a request in
// it; the daemon answers with FUSE_IO_URING_CMD_COMMIT_AND_FETCH naming the
// request's commit_id, which also hands the entry back for the next
// request. A request is queued on the queue of the CPU its caller runs on,
// so each queue is served by a thread pinned to that CPU: the round trip
// never crosses CPUs. FORGET, INTERRUPT, notifications and the passthrough
// ioctls keep using /dev/fuse (the kernel sends them there), so the
// /dev/fuse workers keep running beside the rings.
//
// Design:
//   - One io_uring per queue (SQE128: the command sits in the SQE), the
//     /dev/fuse fd registered as fixed file 0, and an eventfd poll that
//     wakes the queue at stop().
//   - Each ring entry is a channel: send() copies the reply into the
//     entry's buffers and submits the commit on the entry's queue, under the
//     queue's submission lock, from whichever thread replies. A request's
//     bytes are copied into the serving thread's buffer before dispatch,
//     because the kernel reuses the entry's buffers for the next request as
//     soon as the commit is submitted, while the handler may still run.
//   - One thread at a time reaps a queue's completions (the serve lock). A
//     handler about to block (request::interruptible: a lock wait) gives the
//     serve lock up and makes sure another thread of the same CPU takes it
//     (starting one if none waits), so the unlock that ends the wait is
//     served; the blocked thread later commits its reply on its own entry
//     and becomes a spare. Threads never end before stop(): the kernel runs
//     an entry's completion work on the thread that submitted its command.
//   - No IORING_SETUP_COOP_TASKRUN / DEFER_TASKRUN: that completion work must
//     interrupt a thread blocked in a lock wait (a signal-like task-work
//     notification restarts the wait), or the queue would stall.
//
// liburing 2.3 (Debian 12) has no io_uring_prep_cmd helpers for
// IORING_OP_URING_CMD, so submit() fills the SQE's fields by hand, as
// libfuse's lib/fuse_uring.c does.
#pragma once

#include "daemon/fuse/connection.h"
#include "common/unique_fd.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::daemon {

class session;
struct uring_queue;

class uring_transport {
public:
	// Ring entries per queue: concurrent requests one CPU's callers can
	// have in the daemon before the kernel queues further ones.
	static constexpr unsigned default_depth = 8;
	// Threads one queue may have (the serving one plus those blocked in lock
	// waits); beyond it, new requests of that CPU wait for a lock to end.
	static constexpr unsigned max_threads_per_queue = 64;

	// conn: the connection's transport state; s: the session the handlers
	// get (passed on to dispatch()). dev_fd: the connection's /dev/fuse fd
	// (must outlive the transport). thread_setup runs first on every thread
	// the transport starts (the daemon's per-worker set-up: umask, groups,
	// signals).
	uring_transport(fuse_connection &conn, session &s, int dev_fd,
	                std::function<void()> thread_setup, unsigned depth = default_depth);
	uring_transport(const uring_transport &) = delete;
	uring_transport &operator=(const uring_transport &) = delete;
	~uring_transport();

	// Sets up one ring per possible CPU, registers every entry and starts
	// the queue threads. INIT must have been answered with
	// FUSE_OVER_IO_URING. Returns a one-line error, having stopped and
	// released everything, if any queue could not be set up.
	std::optional<std::string> start();

	// Wakes and joins every thread and closes the rings. Idempotent. In-flight
	// handlers finish first; requests blocked in lock waits are interrupted
	// through their inflight_slot (the daemon sets slot.stop).
	void stop();

	unsigned queues() const { return static_cast<unsigned>(queues_.size()); }
	// Requests received through the rings so far.
	uint64_t requests() const { return requests_.load(std::memory_order_relaxed); }
	unsigned depth() const { return depth_; }

	// For interrupt_registry's block hook (interrupts.h), called on the
	// thread that is about to block (true) or is back (false). If that
	// thread serves a ring queue, hands the queue to another thread and
	// returns true; returns false on any other thread.
	static bool thread_blocks(bool blocking);

private:
	friend struct uring_queue;

	fuse_connection &conn_;
	session &sess_;
	int dev_fd_;
	std::function<void()> thread_setup_;
	unsigned depth_;
	std::atomic<bool> stopping_{false}; // set by stop() before it wakes the threads
	std::atomic<uint64_t> requests_{0};
	std::vector<std::unique_ptr<uring_queue>> queues_;
};

} // namespace fusebpf::daemon
