// SPDX-License-Identifier: GPL-2.0-or-later
//
// Sizes the INIT reply promises and the workers' buffers must honour, kept
// together so they cannot drift apart.
#pragma once

#include <fusebpf/fuse_wire.h>

#include <cstddef>
#include <cstdint>

namespace fusebpf::daemon {

// Largest WRITE payload (and READ size with FUSE_MAX_PAGES): 1 MiB.
inline constexpr uint32_t max_write = 1u << 20;
// Background requests (readahead, async I/O) the kernel may queue.
inline constexpr uint16_t max_background = 64;
inline constexpr uint16_t congestion_threshold = 48;
// A worker's receive buffer: the largest WRITE plus its headers. The kernel
// refuses reads into buffers smaller than max_write + headers or
// FUSE_MIN_READ_BUFFER.
inline constexpr size_t request_buffer_size = max_write + 64 * 1024;
static_assert(request_buffer_size >= FUSE_MIN_READ_BUFFER);

} // namespace fusebpf::daemon
