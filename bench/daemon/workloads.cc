// SPDX-License-Identifier: GPL-2.0-or-later
//
// workloads: the measured operations; see workloads.h for the contract and
// bench/README.md for what each one means per configuration.
#include "bench/daemon/workloads.h"

#include "bench/daemon/cache_control.h"
#include "bench/daemon/interrupt.h"
#include "bench/daemon/sys_error.h"
#include "common/unique_fd.h"

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fusebpf::bench {

namespace {

constexpr size_t mib = 1 << 20;
constexpr size_t block = 4096;

// How often the long loops look at the interrupt flag (and the clock).
constexpr int poll_every = 256;

struct free_deleter {
	void operator()(void *p) const { std::free(p); }
};
using aligned_buffer = std::unique_ptr<char, free_deleter>;

// Page-aligned, as O_DIRECT requires.
aligned_buffer make_buffer(size_t size)
{
	void *p = std::aligned_alloc(block, size);
	if (!p)
		throw std::bad_alloc();
	std::memset(p, 0x5a, size);
	return aligned_buffer(static_cast<char *>(p));
}

unique_fd open_or_throw(const std::string &path, int flags, mode_t mode = 0)
{
	unique_fd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
	if (!fd)
		throw_errno("open " + path);
	return fd;
}

// Reads the whole file with 1 MiB reads; returns the bytes read.
uint64_t read_whole(int fd, char *buf, const std::string &path)
{
	uint64_t total = 0;
	for (int i = 0;; i++) {
		ssize_t n = ::read(fd, buf, mib);
		if (n < 0) {
			if (errno == EINTR && !interrupted())
				continue;
			throw_errno("read " + path);
		}
		if (n == 0)
			return total;
		total += static_cast<uint64_t>(n);
		if (i % 64 == 0)
			check_interrupted();
	}
}

// ---- create: N empty files in a fresh directory ------------------------------
//
// open(O_CREAT|O_EXCL) + close per file. Through FUSE: a LOOKUP (negative),
// CREATE, FLUSH and RELEASE round trip per file, unless the daemon caches
// negative entries. Between repetitions (untimed) the previous repetition's
// files are unlinked through the same root: the kernel then forgets them and
// the daemons close the fd they keep per inode (REPS x N live inodes would
// exceed this machine's fd limit of 20000, which root cannot raise), and the
// backing file system's metadata stays warm (and synced), so the rate shows
// the cost of the path to the file system rather than of cold inode-table
// reads or of a journal commit.
class create_files : public workload {
public:
	explicit create_files(const workload_params &p) : p_(p), names_(file_names(p.files)) {}

	void prepare(int rep) override
	{
		remove_created();
		// Commit the unlinks now, so no journal commit of them lands in
		// the timed part.
		::sync();
		dir_path_ = p_.root + "/" + create_dir_prefix + std::to_string(rep);
		if (::mkdir(dir_path_.c_str(), 0755) != 0)
			throw_errno("mkdir " + dir_path_);
		dir_ = open_or_throw(dir_path_, O_DIRECTORY | O_RDONLY);
	}

	double run(int) override
	{
		for (size_t i = 0; i < names_.size(); i++) {
			int fd = ::openat(dir_.get(), names_[i].c_str(),
			                  O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				throw_errno("create " + dir_path_ + "/" + names_[i]);
			::close(fd);
			created_ = i + 1;
			if (i % poll_every == 0)
				check_interrupted();
		}
		return static_cast<double>(names_.size());
	}

	void teardown() override { remove_created(); }

private:
	void remove_created()
	{
		if (!dir_)
			return;
		for (size_t i = 0; i < created_; i++)
			if (::unlinkat(dir_.get(), names_[i].c_str(), 0) != 0)
				throw_errno("unlink " + dir_path_ + "/" + names_[i]);
		dir_.reset();
		created_ = 0;
		if (::rmdir(dir_path_.c_str()) != 0)
			throw_errno("rmdir " + dir_path_);
	}

	workload_params p_;
	std::vector<std::string> names_;
	unique_fd dir_;
	std::string dir_path_;
	size_t created_ = 0;
};

// ---- stat: fstatat() of every file in tree/, cold or warm ---------------------
//
// Cold: caches dropped before each repetition (cache_control.h), and the
// directory is opened inside the timed part, so the path walk is cold too.
// Warm: one untimed pass first, then passes back to back; whether a warm stat
// reaches a FUSE daemon depends on its entry/attr timeouts.
class stat_files : public workload {
public:
	stat_files(const workload_params &p, bool cold)
	    : p_(p), cold_(cold), dir_path_(p.root + "/" + tree_dir), names_(file_names(p.files))
	{}

	void setup() override
	{
		if (!cold_)
			stat_all();
	}

	void prepare(int) override
	{
		if (cold_)
			drop_caches();
	}

	double run(int) override
	{
		stat_all();
		return static_cast<double>(names_.size());
	}

private:
	void stat_all()
	{
		unique_fd dir = open_or_throw(dir_path_, O_DIRECTORY | O_RDONLY);
		struct stat st;
		for (size_t i = 0; i < names_.size(); i++) {
			if (::fstatat(dir.get(), names_[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
				throw_errno("stat " + dir_path_ + "/" + names_[i]);
			if (i % poll_every == 0)
				check_interrupted();
		}
	}

	workload_params p_;
	bool cold_;
	std::string dir_path_;
	std::vector<std::string> names_;
};

// ---- readdir: getdents64 over tree/ until the end ------------------------------
//
// Warm (one untimed pass first). Each repetition opens the directory afresh,
// so a FUSE daemon sees OPENDIR, READDIR(PLUS) calls and RELEASEDIR unless it
// lets the kernel cache the directory. The entry count is checked.
class read_dir : public workload {
public:
	explicit read_dir(const workload_params &p)
	    : p_(p), dir_path_(p.root + "/" + tree_dir), buf_(make_buffer(buf_size))
	{}

	void setup() override { list(); }

	double run(int) override { return static_cast<double>(list()); }

private:
	static constexpr size_t buf_size = 32768; // what glibc's readdir uses

	long list()
	{
		unique_fd dir = open_or_throw(dir_path_, O_DIRECTORY | O_RDONLY);
		long entries = 0;
		for (;;) {
			long n = ::syscall(SYS_getdents64, dir.get(), buf_.get(), buf_size);
			if (n < 0)
				throw_errno("getdents64 " + dir_path_);
			if (n == 0)
				break;
			for (long off = 0; off < n;) {
				// struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name
				unsigned short reclen;
				std::memcpy(&reclen, buf_.get() + off + 16, sizeof(reclen));
				off += reclen;
				entries++;
			}
			check_interrupted();
		}
		if (entries != p_.files + 2)
			throw std::runtime_error("readdir " + dir_path_ + ": " +
			                         std::to_string(entries) + " entries, expected " +
			                         std::to_string(p_.files + 2));
		return entries;
	}

	workload_params p_;
	std::string dir_path_;
	aligned_buffer buf_;
};

// ---- sequential write: a new file of FILE_SIZE in 1 MiB writes -----------------
//
// open(O_CREAT) + write() + close(), no fsync: it measures the write path into
// the page cache (of the backing file, with passthrough), which is where the
// configurations differ. The file is removed and everything synced between
// repetitions, untimed, so writeback of one repetition cannot slow the next.
// One untimed warm-up write first: on this VM the first FILE_SIZE written
// after a quiet spell goes at ~150 MiB/s in every configuration, natively
// too (dirty-page throttling ramping up), the following ones at 1-2 GiB/s.
class seq_write : public workload {
public:
	explicit seq_write(const workload_params &p)
	    : p_(p), path_(p.root + "/" + write_file), buf_(make_buffer(mib))
	{}

	void setup() override
	{
		remove_and_sync();
		run(0);
	}

	void prepare(int) override { remove_and_sync(); }

	double run(int) override
	{
		unique_fd fd = open_or_throw(path_, O_CREAT | O_EXCL | O_WRONLY, 0644);
		for (uint64_t done = 0; done < p_.file_size;) {
			size_t n =
			    static_cast<size_t>(std::min<uint64_t>(mib, p_.file_size - done));
			write_all(fd.get(), buf_.get(), n, path_);
			done += n;
			if ((done / mib) % 64 == 0)
				check_interrupted();
		}
		if (::close(fd.release()) != 0)
			throw_errno("close " + path_);
		return static_cast<double>(p_.file_size) / mib;
	}

	void teardown() override { remove_and_sync(); }

private:
	void remove_and_sync()
	{
		if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
			throw_errno("unlink " + path_);
		::sync();
	}

	workload_params p_;
	std::string path_;
	aligned_buffer buf_;
};

// ---- sequential read: data.bin in 1 MiB reads, cold or warm --------------------
//
// Cold: caches dropped before each repetition. Warm: one untimed read first;
// whether the data is then served from a page cache depends on the
// configuration (see README: FUSE without passthrough and without
// FOPEN_KEEP_CACHE drops its page cache on every open).
class seq_read : public workload {
public:
	seq_read(const workload_params &p, bool cold)
	    : p_(p), cold_(cold), path_(p.root + "/" + data_file), buf_(make_buffer(mib))
	{}

	void setup() override
	{
		if (!cold_)
			read_once();
	}

	void prepare(int) override
	{
		if (cold_)
			drop_caches();
	}

	double run(int) override { return static_cast<double>(read_once()) / mib; }

private:
	uint64_t read_once()
	{
		unique_fd fd = open_or_throw(path_, O_RDONLY);
		uint64_t n = read_whole(fd.get(), buf_.get(), path_);
		if (n != p_.file_size)
			throw std::runtime_error("read " + path_ + ": got " + std::to_string(n) +
			                         " bytes, expected " +
			                         std::to_string(p_.file_size));
		return n;
	}

	workload_params p_;
	bool cold_;
	std::string path_;
	aligned_buffer buf_;
};

// ---- random read: 4 KiB preads at random aligned offsets of data.bin -----------
//
// Buffered: the file is read once (untimed) so the reads hit a warm page cache
// where the configuration keeps one. O_DIRECT: every read goes to the device
// (natively and with passthrough) or to the daemon (FUSE without passthrough).
// Time-bounded: each repetition runs for --seconds; the same seed for every
// configuration, so they read the same offsets.
class random_read : public workload {
public:
	random_read(const workload_params &p, bool direct)
	    : p_(p), direct_(direct), path_(p.root + "/" + data_file), buf_(make_buffer(mib))
	{}

	void setup() override
	{
		if (p_.file_size < block)
			throw std::runtime_error("random read needs a file of at least 4 KiB");
		fd_ = open_or_throw(path_, O_RDONLY | (direct_ ? O_DIRECT : 0));
		if (!direct_)
			read_whole(fd_.get(), buf_.get(), path_);
	}

	double run(int rep) override
	{
		using clock = std::chrono::steady_clock;
		auto deadline = clock::now() + std::chrono::duration<double>(p_.seconds);
		uint64_t blocks = p_.file_size / block;
		uint64_t state = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(rep + 1);
		uint64_t ops = 0;
		for (;;) {
			// xorshift64*: cheap next to a 4 KiB read, identical everywhere.
			state ^= state >> 12;
			state ^= state << 25;
			state ^= state >> 27;
			uint64_t off = ((state * 0x2545f4914f6cdd1dull) % blocks) * block;
			ssize_t n = ::pread(fd_.get(), buf_.get(), block, static_cast<off_t>(off));
			if (n != static_cast<ssize_t>(block)) {
				if (n < 0)
					throw_errno("pread " + path_);
				throw std::runtime_error("pread " + path_ + ": short read");
			}
			if (++ops % 64 == 0) {
				check_interrupted();
				if (clock::now() >= deadline)
					return static_cast<double>(ops);
			}
		}
	}

	void teardown() override { fd_.reset(); }

private:
	workload_params p_;
	bool direct_;
	std::string path_;
	aligned_buffer buf_;
	unique_fd fd_;
};

template <typename T, typename... Args>
std::function<std::unique_ptr<workload>(const workload_params &)> maker(Args... args)
{
	return [=](const workload_params &p) { return std::make_unique<T>(p, args...); };
}

} // namespace

const std::vector<workload_info> &all_workloads()
{
	static const std::vector<workload_info> list = {
	    {"create",
	     "ops/s",
	     "open(O_CREAT|O_EXCL)+close of N empty files in a new dir",
	     {},
	     maker<create_files>()},
	    {"stat-cold",
	     "ops/s",
	     "fstatat of the N files after dropping all caches",
	     {.tree = true},
	     maker<stat_files>(true)},
	    {"stat-warm",
	     "ops/s",
	     "fstatat of the N files again (caches as the config leaves them)",
	     {.tree = true},
	     maker<stat_files>(false)},
	    {"readdir",
	     "entries/s",
	     "getdents64 (32 KiB buffer) over the N-entry dir",
	     {.tree = true},
	     maker<read_dir>()},
	    {"seq-write",
	     "MiB/s",
	     "write a new file in 1 MiB writes, no fsync",
	     {},
	     maker<seq_write>()},
	    {"seq-read-cold",
	     "MiB/s",
	     "read the file in 1 MiB reads after dropping all caches",
	     {.data = true},
	     maker<seq_read>(true)},
	    {"seq-read-warm",
	     "MiB/s",
	     "read the file in 1 MiB reads again",
	     {.data = true},
	     maker<seq_read>(false)},
	    {"rand-read",
	     "ops/s",
	     "4 KiB pread at random offsets, buffered, file read before",
	     {.data = true},
	     maker<random_read>(false)},
	    {"rand-read-direct",
	     "ops/s",
	     "4 KiB pread at random offsets, O_DIRECT",
	     {.data = true},
	     maker<random_read>(true)},
	};
	return list;
}

} // namespace fusebpf::bench
