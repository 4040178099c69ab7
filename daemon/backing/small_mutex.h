// SPDX-License-Identifier: GPL-2.0-or-later
//
// small_mutex: a 4-byte mutex for the per-inode locks.
//
// std::mutex is 40 bytes; an inode has two, and the daemon holds one inode
// per backing inode the kernel knows (a million or more), so they would be
// a fifth of a node. This one is the classic three-state futex mutex
// (0 unlocked, 1 locked, 2 locked with waiters) on std::atomic's C++20
// wait/notify: uncontended lock and unlock are one atomic operation each,
// a contended lock sleeps in the kernel. It meets BasicLockable, so
// std::lock_guard and std::scoped_lock take it; it is not recursive and has
// no try/timed locking.
#pragma once

#include <atomic>
#include <cstdint>

namespace fusebpf::daemon {

class small_mutex {
public:
	small_mutex() = default;
	small_mutex(const small_mutex &) = delete;
	small_mutex &operator=(const small_mutex &) = delete;

	void lock()
	{
		uint32_t c = 0;
		if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire))
			return;
		if (c != 2)
			c = state_.exchange(2, std::memory_order_acquire);
		while (c != 0) {
			state_.wait(2, std::memory_order_relaxed);
			c = state_.exchange(2, std::memory_order_acquire);
		}
	}

	void unlock()
	{
		if (state_.exchange(0, std::memory_order_release) == 2)
			state_.notify_one();
	}

private:
	std::atomic<uint32_t> state_{0};
};

} // namespace fusebpf::daemon
