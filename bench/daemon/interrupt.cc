// SPDX-License-Identifier: GPL-2.0-or-later
//
// interrupt: see interrupt.h.
#include "bench/daemon/interrupt.h"

#include <csignal>

namespace fusebpf::bench {

namespace {

volatile std::sig_atomic_t signal_seen = 0;

void record_signal(int)
{
	signal_seen = 1;
}

} // namespace

void install_interrupt_handlers()
{
	struct sigaction sa {};
	sa.sa_handler = record_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
}

bool interrupted() noexcept
{
	return signal_seen != 0;
}

void check_interrupted()
{
	if (interrupted())
		throw interrupted_error();
}

} // namespace fusebpf::bench
