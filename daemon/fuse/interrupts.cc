// SPDX-License-Identifier: GPL-2.0-or-later
//
// interrupt_registry: marking requests interrupted and waking blocked ones.
//
// Ordering (all seq_cst): the worker publishes `blocking` and then checks
// `interrupted`; the interrupter publishes `interrupted` and then checks
// `blocking`. One of the two always sees the other, so a request is either
// refused before it blocks or signalled while it blocks. The signal can
// still land between the worker's check and its syscall; the interrupter
// therefore keeps signalling until the worker leaves the blocking call.
#include "daemon/fuse/interrupts.h"

#include <signal.h>
#include <time.h>

#include <cerrno>
#include <mutex>

namespace fusebpf::daemon {
namespace {

void wake_handler(int)
{}

std::once_flag handler_once;

} // namespace

static_assert(interrupt_registry::wake_signal == SIGUSR1);

interrupt_registry::interrupt_registry()
{
	std::call_once(handler_once, [] {
		struct sigaction sa = {};
		sa.sa_handler = wake_handler;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0; // no SA_RESTART: blocking syscalls return EINTR
		sigaction(SIGUSR1, &sa, nullptr);
	});
}

inflight_slot &interrupt_registry::add_worker()
{
	std::lock_guard lock(mutex_);
	inflight_slot &slot = slots_.emplace_back();
	slot.thread = pthread_self();
	return slot;
}

bool interrupt_registry::interrupt(uint64_t unique)
{
	inflight_slot *target = nullptr;
	{
		std::lock_guard lock(mutex_);
		for (auto &slot : slots_)
			if (slot.serving.load() == unique) {
				target = &slot;
				break;
			}
	}
	if (!target)
		return false;
	target->interrupted.store(unique);
	// Wake it while it sits in the blocking call: up to one second, 1 ms apart.
	for (int i = 0; i < 1000 && target->blocking.load() == unique; i++) {
		pthread_kill(target->thread, SIGUSR1);
		struct timespec ts = {0, 1000 * 1000};
		nanosleep(&ts, nullptr);
	}
	return true;
}

int interrupt_registry::run_interruptible(inflight_slot &slot, uint64_t unique,
                                          const std::function<int()> &fn)
{
	if (block_hook_)
		block_hook_(true);
	slot.blocking.store(unique);
	int rc;
	for (;;) {
		if (slot.interrupted.load() == unique || slot.stop.load()) {
			rc = -EINTR;
			break;
		}
		rc = fn();
		if (rc != -EINTR)
			break;
		// EINTR: ours (checked at the top of the loop) or a stray signal.
	}
	slot.blocking.store(0);
	if (block_hook_)
		block_hook_(false);
	return rc;
}

} // namespace fusebpf::daemon
