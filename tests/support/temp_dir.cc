// SPDX-License-Identifier: GPL-2.0-or-later
//
// temp_dir implementation: mkdtemp for creation, nftw(FTW_DEPTH|FTW_PHYS|
// FTW_MOUNT) for removal so a stray mount inside the tree is never emptied.
#include "tests/support/temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace fusebpf::test {

namespace {

std::string tag()
{
	const char *t = std::getenv("FUSEBPF_TEST_TAG");
	return t && *t ? t : "manual";
}

std::string tmp_root()
{
	std::error_code ec;
	auto p = std::filesystem::temp_directory_path(ec);
	return ec ? std::string("/tmp") : p.string();
}

int remove_entry(const char *path, const struct stat *, int type, struct FTW *)
{
	int rc = (type == FTW_DP || type == FTW_D) ? ::rmdir(path) : ::unlink(path);
	return rc == 0 || errno == ENOENT ? 0 : -1;
}

} // namespace

std::string leftover_prefix()
{
	return tmp_root() + "/fusebpf-test." + tag() + ".";
}

std::string process_prefix()
{
	return leftover_prefix() + std::to_string(::getpid()) + ".";
}

bool remove_tree(const std::string &path)
{
	// FTW_MOUNT: a mount left inside the tree is skipped, not emptied.
	return ::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0;
}

temp_dir::temp_dir(const std::string &what, unsigned mode)
{
	std::string pattern = process_prefix() + what + ".XXXXXX";
	std::vector<char> buf(pattern.begin(), pattern.end());
	buf.push_back('\0');
	if (!::mkdtemp(buf.data())) {
		error_ = "mkdtemp " + pattern + ": " + std::strerror(errno);
		return;
	}
	path_ = buf.data();
	if (mode != 0700 && ::chmod(path_.c_str(), mode) != 0) {
		error_ = "chmod " + path_ + ": " + std::strerror(errno);
		remove();
	}
}

temp_dir::temp_dir(temp_dir &&other) noexcept
    : path_(std::exchange(other.path_, {})), error_(std::move(other.error_))
{}

temp_dir &temp_dir::operator=(temp_dir &&other) noexcept
{
	if (this != &other) {
		remove();
		path_ = std::exchange(other.path_, {});
		error_ = std::move(other.error_);
	}
	return *this;
}

temp_dir::~temp_dir()
{
	remove();
}

std::string temp_dir::subdir(const std::string &name, unsigned mode) const
{
	std::string p = path_ + "/" + name;
	if (::mkdir(p.c_str(), mode) != 0 || ::chmod(p.c_str(), mode) != 0)
		return {};
	return p;
}

bool temp_dir::remove()
{
	if (path_.empty())
		return true;
	bool ok = remove_tree(path_);
	path_.clear();
	return ok;
}

} // namespace fusebpf::test
