// SPDX-License-Identifier: GPL-2.0-or-later
//
// Interrupts: letting FUSE_INTERRUPT wake a request blocked in the daemon.
//
// Each worker thread has one inflight_slot naming the request it is serving
// (its unique). FUSE_INTERRUPT(unique) finds the slot and marks the request
// interrupted; if the worker sits in a blocking call entered through
// request::interruptible() (a SETLKW waiting for a conflicting lock), it is
// sent a signal (SIGUSR1, handler installed without SA_RESTART) until it
// leaves the call, so the syscall returns EINTR and the handler replies
// -EINTR. Requests that never block are not affected: they just finish.
//
// If no slot holds the unique, the request was either already answered (the
// kernel then ignores our answer) or read but not yet dispatched; the
// INTERRUPT is answered with EAGAIN, which makes the kernel queue it again.
//
// Lock-free on the worker side: a slot holds three atomics, set in a fixed
// order (see interrupts.cc); the unique, not a flag, says which request was
// interrupted, so a late INTERRUPT never hits the next request of the slot.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace fusebpf::daemon {

struct inflight_slot {
	std::atomic<uint64_t> serving{0};     // unique being handled, 0 = idle
	std::atomic<uint64_t> interrupted{0}; // unique an INTERRUPT named
	std::atomic<uint64_t> blocking{0};    // unique inside interruptible()
	std::atomic<bool> stop{false};        // the daemon is shutting down
	pthread_t thread{};                   // the worker owning the slot
};

class interrupt_registry {
public:
	// Installs the no-op SIGUSR1 handler (once per process).
	interrupt_registry();

	// A slot for the calling worker thread; stable for the registry's life.
	inflight_slot &add_worker();

	// Marks `unique` interrupted and wakes it if it is blocked. Returns
	// false if no worker is serving it (reply EAGAIN to the INTERRUPT).
	bool interrupt(uint64_t unique);

	// Runs fn (a blocking call returning 0 or -errno) for request `unique`
	// served from slot. Returns -EINTR without calling fn if the request is
	// already interrupted; retries fn when another signal caused -EINTR.
	// The block hook (if set) is told before fn starts and after it ends.
	int run_interruptible(inflight_slot &slot, uint64_t unique, const std::function<int()> &fn);

	// Called with true when a worker is about to block in
	// run_interruptible() and with false when it is back. The worker pool
	// uses it to keep a worker reading /dev/fuse while others wait for
	// locks: otherwise N waiters on N workers would starve the very unlock
	// (or INTERRUPT) that frees them. Set once, before the workers start.
	void set_block_hook(std::function<void(bool blocking)> hook)
	{
		block_hook_ = std::move(hook);
	}

	// The signal used to wake workers (also to stop them, see daemon.cc).
	static constexpr int wake_signal = 10; // SIGUSR1

private:
	std::mutex mutex_;                     // protects slots_ growth only
	std::deque<inflight_slot> slots_;      // deque: add_worker() keeps addresses
	std::function<void(bool)> block_hook_; // immutable once workers run
};

} // namespace fusebpf::daemon
