// SPDX-License-Identifier: GPL-2.0-or-later
//
// sys_error: the benchmark's one way to report a failed system call: an
// exception whose text names the call, the path and the errno, e.g.
// "create /mnt/tree/f000017: No space left on device". The runner turns it
// into a failed cell of the table; the rest of the run goes on.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace fusebpf::bench {

[[noreturn]] inline void throw_errno(const std::string &what)
{
	throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Writes all of buf (retrying short writes); throws on error.
inline void write_all(int fd, const void *buf, size_t len, const std::string &what)
{
	auto *p = static_cast<const char *>(buf);
	while (len > 0) {
		ssize_t n = ::write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw_errno("write " + what);
		}
		if (n == 0)
			throw std::runtime_error("write " + what + ": wrote nothing");
		p += n;
		len -= static_cast<size_t>(n);
	}
}

} // namespace fusebpf::bench
