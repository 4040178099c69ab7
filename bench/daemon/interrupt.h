// SPDX-License-Identifier: GPL-2.0-or-later
//
// interrupt: Ctrl-C and SIGTERM handling for fusebpf-bench. The handler only
// records the signal; the workload loops poll it and throw, so the stack
// unwinds through the RAII owners of the mounts and daemons, which unmount and
// kill what the benchmark started. Nothing is left mounted on Ctrl-C.
#pragma once

#include <stdexcept>

namespace fusebpf::bench {

// Thrown by check_interrupted() once SIGINT or SIGTERM has arrived.
class interrupted_error : public std::runtime_error {
public:
	interrupted_error() : std::runtime_error("interrupted by a signal") {}
};

// Installs the handlers for SIGINT and SIGTERM (without SA_RESTART, so a
// blocking system call returns EINTR and the loop sees the flag soon).
void install_interrupt_handlers();

bool interrupted() noexcept;

// Throws interrupted_error if a signal arrived.
void check_interrupted();

} // namespace fusebpf::bench
