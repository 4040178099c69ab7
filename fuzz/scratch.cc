// SPDX-License-Identifier: GPL-2.0-or-later
//
// scratch: privilege drop and the per-input backing tree (scratch.h).
#include "fuzz/scratch.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace fusebpf::fuzz {
namespace {

[[noreturn]] void die(const char *what)
{
	std::perror(what);
	std::abort();
}

void write_small(const std::string &path, const char *text, size_t len)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || ::write(fd, text, len) != static_cast<ssize_t>(len))
		die(path.c_str());
	::close(fd);
}

} // namespace

void drop_privileges()
{
	if (geteuid() == 0) {
		const gid_t nobody = 65534;
		if (setgroups(0, nullptr) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
		    setresuid(nobody, nobody, nobody) != 0)
			die("dropping root");
	}
	struct rlimit lim = {max_file_size, max_file_size};
	if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
		die("RLIMIT_FSIZE");
	signal(SIGXFSZ, SIG_IGN);
	umask(022);
}

scratch_tree::scratch_tree()
{
	const char *tmp = std::getenv("TMPDIR");
	std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/fusebpf-fuzz.XXXXXX";
	if (!mkdtemp(tmpl.data()))
		die("mkdtemp");
	path_ = tmpl;
	write_small(path_ + "/f", "01234567", 8);
	if (mkdir((path_ + "/d").c_str(), 0755) != 0)
		die("mkdir");
	write_small(path_ + "/d/g", "g", 1);
	if (symlink("f", (path_ + "/l").c_str()) != 0)
		die("symlink");
}

scratch_tree::~scratch_tree()
{
	std::error_code ec;
	// Modes the daemon set may forbid the walk: open each directory up
	// before the iterator enters it.
	::chmod(path_.c_str(), 0700);
	for (auto it = std::filesystem::recursive_directory_iterator(
	         path_, std::filesystem::directory_options::skip_permission_denied, ec);
	     !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
		if (it->is_directory(ec) && !it->is_symlink(ec))
			::chmod(it->path().c_str(), 0700);
	std::filesystem::remove_all(path_, ec);
}

} // namespace fusebpf::fuzz
