// SPDX-License-Identifier: GPL-2.0-or-later
//
// dev_fuse_channel: the /dev/fuse transport (read one request, writev one
// reply) and FUSE_DEV_IOC_CLONE for per-worker fds.
#include "daemon/fuse/channel.h"

#include <fusebpf/fuse_wire.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace fusebpf::daemon {

unique_fd dev_fuse_channel::clone_fd(int session_fd, int &err)
{
	unique_fd fd(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
	if (!fd) {
		err = -errno;
		return {};
	}
	uint32_t master = static_cast<uint32_t>(session_fd);
	if (ioctl(fd.get(), FUSE_DEV_IOC_CLONE, &master) < 0) {
		err = -errno;
		return {};
	}
	err = 0;
	return fd;
}

ssize_t dev_fuse_channel::receive(std::span<std::byte> buf)
{
	for (;;) {
		ssize_t n = ::read(fd_.get(), buf.data(), buf.size());
		if (n >= 0)
			return n;
		// ENOENT: the request was interrupted before we read it; take the next.
		if (errno == ENOENT)
			continue;
		return -errno;
	}
}

int dev_fuse_channel::send(std::span<const struct iovec> iov)
{
	ssize_t n = ::writev(fd_.get(), iov.data(), static_cast<int>(iov.size()));
	if (n < 0)
		return -errno;
	return 0;
}

} // namespace fusebpf::daemon
