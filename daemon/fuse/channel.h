// SPDX-License-Identifier: GPL-2.0-or-later
//
// channel: where a request's reply goes, apart from the handlers.
//
// A worker receives a request, the dispatcher parses it, a handler replies
// through request::reply_*(), which ends in channel::send() of the channel
// the request came with. Handlers never see the transport. Two transports:
//   - dev_fuse_channel (here): a cloned /dev/fuse fd per worker
//     (FUSE_DEV_IOC_CLONE); receive() reads one request, send() writes one
//     reply.
//   - FUSE over io_uring (uring_transport.h): one channel per ring entry;
//     send() commits the reply on the entry that carried the request.
//
// Thread-safety: send() may be called by any thread (a handler finishing a
// request that blocked, see request::interruptible), each channel's
// implementation allows it; receive() by the owning worker only.
#pragma once

#include "common/unique_fd.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace fusebpf::daemon {

class channel {
public:
	virtual ~channel() = default;

	// Sends one complete reply (fuse_out_header first). Returns 0 or -errno;
	// -ENOENT means the kernel no longer waits for it (interrupted), which
	// callers treat as success.
	virtual int send(std::span<const struct iovec> iov) = 0;
};

// A /dev/fuse file descriptor (the mount's own one or a clone).
class dev_fuse_channel final : public channel {
public:
	explicit dev_fuse_channel(unique_fd fd) : fd_(std::move(fd)) {}

	// A new channel on a clone of session_fd (FUSE_DEV_IOC_CLONE), so each
	// worker reads its own fd. Returns nullptr-equivalent (an invalid fd)
	// and sets err to -errno on failure.
	static unique_fd clone_fd(int session_fd, int &err);

	// Blocks for the next request and copies it into buf. Returns its length,
	// or -errno: -ENODEV when the file system was unmounted (the worker
	// ends), -EINTR when a signal woke the thread (the worker checks whether
	// it must stop). Requests the kernel withdrew (ENOENT) are skipped.
	ssize_t receive(std::span<std::byte> buf);
	int send(std::span<const struct iovec> iov) override;

private:
	unique_fd fd_;
};

} // namespace fusebpf::daemon
