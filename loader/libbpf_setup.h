// SPDX-License-Identifier: GPL-2.0-or-later
//
// Process-wide libbpf setup, done once before the first object is opened:
//  - the fuse_ops/ section handler, so SEC("fuse_ops/lookup_prefilter")
//    opens as a BPF_PROG_TYPE_SYSCALL program;
//  - libbpf's print callback, routed to spdlog.
// libbpf keeps both in globals that are not thread-safe; setup runs under a
// std::call_once.
#pragma once

namespace fusebpf::loader {

// Idempotent and thread-safe.  Returns the handler registration's result:
// 0, or a negative errno if libbpf refused the handler.
int setup_libbpf();

} // namespace fusebpf::loader
