// SPDX-License-Identifier: GPL-2.0-or-later
//
// proc_info: what /proc says about a process (usually the daemon under
// test): how many fds it holds open and its resident set size.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace fusebpf::test {

// Entries of /proc/PID/fd (0 if unreadable).
std::size_t open_fds(pid_t pid);

// VmRSS of pid in bytes (0 if unknown).
std::size_t rss_bytes(pid_t pid);

} // namespace fusebpf::test
