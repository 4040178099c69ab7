// SPDX-License-Identifier: GPL-2.0-or-later
//
// Passthrough proof: a 64 MiB file written and read back through the mount
// has the right content (checksums through the mount and on the backing
// file), and `fusebpf stats --json` shows that not one READ or WRITE request
// reached the daemon; mmap'ed reads do not either. The same run with
// --no-passthrough must show READ and WRITE requests, so the zero above is
// not a counter that never moves.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include "common/unique_fd.h"

#include <fcntl.h>
#include <random>
#include <sys/mman.h>
#include <unistd.h>

namespace fusebpf::test {
namespace {

constexpr size_t file_size = 64 << 20;
constexpr size_t chunk = 1 << 20;

// FNV-1a over 64-bit words: fast enough for 64 MiB and order-sensitive.
uint64_t checksum(const char *p, size_t len, uint64_t h = 1469598103934665603ull)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		std::memcpy(&w, p + i, 8);
		h = (h ^ w) * 1099511628211ull;
	}
	return h;
}

// Writes 64 MiB of seeded random data; returns its checksum (0 on error).
uint64_t write_big(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644));
	if (!fd)
		return 0;
	std::mt19937_64 rng(42);
	std::vector<uint64_t> buf(chunk / 8);
	uint64_t h = 1469598103934665603ull;
	for (size_t off = 0; off < file_size; off += chunk) {
		for (auto &w : buf)
			w = rng();
		auto *p = reinterpret_cast<const char *>(buf.data());
		if (::write(fd.get(), p, chunk) != static_cast<ssize_t>(chunk))
			return 0;
		h = checksum(p, chunk, h);
	}
	return ::close(fd.release()) == 0 ? h : 0;
}

uint64_t read_big(const std::string &path, size_t *total)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return 0;
	std::vector<char> buf(chunk);
	uint64_t h = 1469598103934665603ull;
	*total = 0;
	for (;;) {
		ssize_t n = ::read(fd.get(), buf.data(), chunk);
		if (n < 0)
			return 0;
		if (n == 0)
			break;
		// chunked reads may return short counts; keep 8-byte framing
		size_t got = static_cast<size_t>(n);
		while (got % 8) {
			ssize_t more = ::read(fd.get(), buf.data() + got, chunk - got);
			if (more <= 0)
				return 0;
			got += static_cast<size_t>(more);
		}
		h = checksum(buf.data(), got, h);
		*total += got;
	}
	return h;
}

class Passthrough : public mount_fixture, public ::testing::WithParamInterface<bool> {
protected:
	bool passthrough() const { return GetParam(); }
	std::vector<std::string> mount_args() const override
	{
		if (passthrough())
			return {};
		return {"--no-passthrough"};
	}
};

TEST_P(Passthrough, BigFileReadWriteCountsMatchMode)
{
	auto before = stats();
	EXPECT_EQ(before.value("passthrough", !passthrough()), passthrough())
	    << "stats field \"passthrough\": " << before.dump();

	uint64_t written = write_big(m("big"));
	ASSERT_NE(written, 0u) << "writing through the mount failed: " << strerror(errno);
	size_t total = 0;
	// drop the mount's and the backing file's cached pages, so the reads
	// below really travel the data path
	for (const std::string &path : {m("big"), b("big")}) {
		unique_fd fd(::open(path.c_str(), O_RDONLY));
		ASSERT_TRUE(fd);
		ASSERT_EQ(::fdatasync(fd.get()), 0);
		ASSERT_EQ(::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED), 0);
	}
	EXPECT_EQ(read_big(m("big"), &total), written) << "data read through the mount differs";
	EXPECT_EQ(total, file_size);
	EXPECT_EQ(read_big(b("big"), &total), written) << "backing file content differs";
	EXPECT_EQ(lattrs(b("big"))->size, static_cast<off_t>(file_size));

	// mmap'ed reads
	{
		unique_fd fd(::open(m("big").c_str(), O_RDONLY));
		ASSERT_TRUE(fd);
		void *p = ::mmap(nullptr, file_size, PROT_READ, MAP_SHARED, fd.get(), 0);
		ASSERT_NE(p, MAP_FAILED) << strerror(errno);
		EXPECT_EQ(checksum(static_cast<const char *>(p), file_size), written)
		    << "mmap'ed content differs";
		::munmap(p, file_size);
	}

	auto after = stats();
	long long reads = requests(after, "READ") - requests(before, "READ");
	long long writes = requests(after, "WRITE") - requests(before, "WRITE");
	std::cout << "READ requests: " << reads << ", WRITE requests: " << writes
	          << " (passthrough " << (passthrough() ? "on" : "off") << ")" << std::endl;
	if (passthrough()) {
		EXPECT_EQ(requests(after, "READ"), 0) << "READ reached the daemon with passthrough";
		EXPECT_EQ(requests(after, "WRITE"), 0)
		    << "WRITE reached the daemon with passthrough";
	} else {
		EXPECT_GT(reads, 0) << "no READ reached the daemon without passthrough";
		EXPECT_GT(writes, 0) << "no WRITE reached the daemon without passthrough";
	}
}

INSTANTIATE_TEST_SUITE_P(Mode, Passthrough, ::testing::Values(true, false),
                         [](const auto &p) { return p.param ? "on" : "off"; });

} // namespace
} // namespace fusebpf::test
