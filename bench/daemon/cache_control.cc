// SPDX-License-Identifier: GPL-2.0-or-later
//
// cache_control: see cache_control.h.
#include "bench/daemon/cache_control.h"

#include "common/unique_fd.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>

namespace fusebpf::bench {

namespace {

void drop_once()
{
	unique_fd fd(::open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC));
	if (!fd || ::write(fd.get(), "3\n", 2) != 2)
		throw std::runtime_error(
		    std::string("cannot drop caches (/proc/sys/vm/drop_caches): ") +
		    std::strerror(errno));
}

} // namespace

void drop_caches()
{
	::sync();
	drop_once();
	// Let the daemons process the FORGETs the first drop queued and close
	// their backing fds, so the second drop can evict the backing inodes.
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	drop_once();
}

} // namespace fusebpf::bench
