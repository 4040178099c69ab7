// SPDX-License-Identifier: GPL-2.0-or-later
//
// unique_fd: the one owner of a file descriptor. Every fd in fusebpf (backing
// O_PATH fds, /dev/fuse clones, BPF maps and programs) lives in one of these,
// so no error path can leak one.
#pragma once

#ifdef __BPF__
#error "common/unique_fd.h is for userspace only"
#endif

#include <unistd.h>
#include <utility>

namespace fusebpf {

class unique_fd {
public:
	unique_fd() = default;
	explicit unique_fd(int fd) noexcept : fd_(fd) {}
	unique_fd(const unique_fd &) = delete;
	unique_fd &operator=(const unique_fd &) = delete;
	unique_fd(unique_fd &&other) noexcept : fd_(other.release()) {}
	unique_fd &operator=(unique_fd &&other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	~unique_fd() { reset(); }

	int get() const noexcept { return fd_; }
	explicit operator bool() const noexcept { return fd_ >= 0; }

	// Gives up ownership without closing.
	int release() noexcept { return std::exchange(fd_, -1); }

	void reset(int fd = -1) noexcept
	{
		int old = std::exchange(fd_, fd);
		if (old >= 0)
			::close(old);
	}

private:
	int fd_ = -1;
};

} // namespace fusebpf
