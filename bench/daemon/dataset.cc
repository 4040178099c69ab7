// SPDX-License-Identifier: GPL-2.0-or-later
//
// dataset: see dataset.h.
#include "bench/daemon/dataset.h"

#include "bench/daemon/interrupt.h"
#include "bench/daemon/sys_error.h"
#include "common/unique_fd.h"

#include <cstdio>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

namespace fusebpf::bench {

std::vector<std::string> file_names(int count)
{
	std::vector<std::string> names;
	names.reserve(count);
	for (int i = 0; i < count; i++) {
		char buf[16];
		std::snprintf(buf, sizeof(buf), "f%06d", i);
		names.emplace_back(buf);
	}
	return names;
}

namespace {

void make_tree(const std::string &dir, int files)
{
	if (::mkdir(dir.c_str(), 0755) != 0)
		throw_errno("mkdir " + dir);
	unique_fd dfd(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
	if (!dfd)
		throw_errno("open " + dir);
	for (auto &name : file_names(files)) {
		unique_fd fd(::openat(dfd.get(), name.c_str(),
		                      O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
		if (!fd)
			throw_errno("create " + dir + "/" + name);
	}
	check_interrupted();
}

// Pseudo-random bytes, so no file system can store the file sparsely or
// compress it, and a read returns real data.
void make_data(const std::string &path, uint64_t size)
{
	unique_fd fd(::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
	if (!fd)
		throw_errno("create " + path);
	constexpr size_t chunk = 1 << 20;
	std::vector<uint64_t> buf(chunk / sizeof(uint64_t));
	std::mt19937_64 rng(42);
	for (uint64_t done = 0; done < size;) {
		for (auto &w : buf)
			w = rng();
		size_t n = static_cast<size_t>(std::min<uint64_t>(chunk, size - done));
		write_all(fd.get(), buf.data(), n, path);
		done += n;
		check_interrupted();
	}
	if (::fsync(fd.get()) != 0)
		throw_errno("fsync " + path);
}

} // namespace

void make_dataset(const std::string &backing, const dataset_needs &needs, int files,
                  uint64_t file_size)
{
	if (needs.tree)
		make_tree(backing + "/" + tree_dir, files);
	if (needs.data)
		make_data(backing + "/" + data_file, file_size);
	::sync();
}

void clean_leftovers(const std::string &backing)
{
	namespace fs = std::filesystem;
	std::error_code ec;
	for (auto &entry : fs::directory_iterator(backing, ec)) {
		auto name = entry.path().filename().string();
		if (name.starts_with(create_dir_prefix) || name == write_file) {
			fs::remove_all(entry.path(), ec);
			if (ec)
				throw std::runtime_error("remove " + entry.path().string() + ": " +
				                         ec.message());
		}
	}
	if (ec)
		throw std::runtime_error("list " + backing + ": " + ec.message());
}

} // namespace fusebpf::bench
