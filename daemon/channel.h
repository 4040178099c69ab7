// SPDX-License-Identifier: GPL-2.0-or-later
//
// channel: how requests come in and replies go out, apart from the handlers.
//
// A worker owns one channel: it receives one request into a buffer, the
// dispatcher parses it, a handler replies through request::reply_*(), which
// ends in channel::send(). Handlers never see the transport, so FUSE over
// io_uring (kernel 6.14+) can become a second implementation without
// touching them. dev_fuse_channel is the /dev/fuse one (a cloned fd per
// worker, FUSE_DEV_IOC_CLONE).
//
// Thread-safety: one channel is used by one worker thread; send() may also
// be called by other threads (a handler finishing a request that another
// worker received, e.g. an interrupted lock wait), which /dev/fuse allows.
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

	// Blocks for the next request and copies it into buf. Returns its length,
	// or -errno: -ENODEV when the file system was unmounted (the worker
	// ends), -EINTR when a signal woke the thread (the worker checks whether
	// it must stop), -ENOENT for a request the kernel withdrew (skip it).
	virtual ssize_t receive(std::span<std::byte> buf) = 0;

	// Sends one complete reply (fuse_out_header first). Returns 0 or -errno;
	// -ENOENT means the kernel no longer waits for it (interrupted), which
	// callers treat as success.
	virtual int send(std::span<const struct iovec> iov) = 0;

	// The fd for FUSE_DEV_IOC_* ioctls (BACKING_OPEN/CLOSE), any fd of the
	// connection will do.
	virtual int ioctl_fd() const = 0;
};

// A /dev/fuse file descriptor (the mount's own one or a clone).
class dev_fuse_channel final : public channel {
public:
	explicit dev_fuse_channel(unique_fd fd) : fd_(std::move(fd)) {}

	// A new channel on a clone of session_fd (FUSE_DEV_IOC_CLONE), so each
	// worker reads its own fd. Returns nullptr-equivalent (an invalid fd)
	// and sets err to -errno on failure.
	static unique_fd clone_fd(int session_fd, int &err);

	ssize_t receive(std::span<std::byte> buf) override;
	int send(std::span<const struct iovec> iov) override;
	int ioctl_fd() const override { return fd_.get(); }

private:
	unique_fd fd_;
};

} // namespace fusebpf::daemon
