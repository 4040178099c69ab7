// SPDX-License-Identifier: GPL-2.0-or-later
//
// fs implementation; see fs.h.
#include "tests/support/fs.h"

#include "common/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

namespace fusebpf::test {

std::optional<std::string> read_file(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return std::nullopt;
	std::string data;
	char buf[65536];
	for (;;) {
		ssize_t n = ::read(fd.get(), buf, sizeof(buf));
		if (n < 0)
			return std::nullopt;
		if (n == 0)
			return data;
		data.append(buf, static_cast<std::size_t>(n));
	}
}

std::string read_text(const std::string &path)
{
	return read_file(path).value_or("");
}

bool write_file(const std::string &path, const std::string &data, mode_t mode)
{
	unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
	if (!fd)
		return false;
	std::size_t off = 0;
	while (off < data.size()) {
		ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
		if (n <= 0)
			return false;
		off += static_cast<std::size_t>(n);
	}
	return ::close(fd.release()) == 0;
}

} // namespace fusebpf::test
