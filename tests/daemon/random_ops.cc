// SPDX-License-Identifier: GPL-2.0-or-later
//
// random_ops implementation; see random_ops.h. Paths come from the names
// a, b, c, d at depth one and two (20 paths), symlink targets stay inside
// the tree (or point at a path that cannot exist), so nothing a sequence
// does can touch files outside its root.
#include "tests/daemon/random_ops.h"

#include "common/unique_fd.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace fusebpf::test {

namespace {

const char *kind_name(random_op::kind_t k)
{
	static const char *names[] = {"create",          "open_excl", "write",     "read",
	                              "truncate",        "rename",    "link",      "unlink",
	                              "mkdir",           "rmdir",     "chmod",     "chown",
	                              "symlink",         "readlink",  "setxattr",  "getxattr",
	                              "removexattr",     "listxattr", "stat",      "readdir",
	                              "fallocate",       "access",    "mknod",     "remove_tree",
	                              "install_program", "exec",      "mmap_write"};
	static_assert(std::size(names) == random_op::n_kinds);
	return names[k];
}

// Relative weights of the kinds: data and namespace changes dominate.
// clang-format off
constexpr unsigned weights[random_op::n_kinds] = {
	/* create */ 10, /* open_excl */ 3, /* write */ 12, /* read */ 8, /* truncate */ 4,
	/* rename */ 8, /* link */ 4, /* unlink */ 7, /* mkdir */ 5, /* rmdir */ 5,
	/* chmod */ 3, /* chown */ 1, /* symlink */ 3, /* readlink */ 2, /* setxattr */ 3,
	/* getxattr */ 3, /* removexattr */ 2, /* listxattr */ 2, /* stat */ 6, /* readdir */ 3,
	/* fallocate */ 1, /* access */ 2, /* mknod */ 1, /* remove_tree */ 1,
	/* install_program */ 2, /* exec */ 3, /* mmap_write */ 3};
// clang-format on

const char *const symlink_targets[] = {"a", "b", "c/d", "nonexistent", "d", "/nonexistent/x"};
const char *const xattr_names[] = {"user.x", "user.y", "user.z"};
const mode_t file_modes[] = {0644, 0600, 0755, 0444, 0000, 04755, 0640, 02750, 06744};
const uid_t owners[] = {0, 1000, 65534};
const mode_t program_modes[] = {0711, 0755, 0700, 0644, 0100};

std::string content(uint64_t seed, size_t len)
{
	std::mt19937_64 r(seed);
	std::string s(len, '\0');
	for (auto &c : s)
		c = static_cast<char>('A' + r() % 58);
	return s;
}

op_outcome from(long ret)
{
	return {ret, ret < 0 ? errno : 0, {}};
}

// The bytes of a program that exits 0.
const std::string &true_program()
{
	static const std::string bytes = [] {
		std::string s;
		unique_fd fd(::open("/bin/true", O_RDONLY | O_CLOEXEC));
		char buf[65536];
		ssize_t n;
		while (fd && (n = ::read(fd.get(), buf, sizeof buf)) > 0)
			s.append(buf, static_cast<size_t>(n));
		return s;
	}();
	return bytes;
}

// execve(path) in a child: ret is its exit status, or -1 with execve's errno.
op_outcome exec_program(const std::string &path)
{
	int pipefd[2];
	if (::pipe2(pipefd, O_CLOEXEC) < 0)
		return from(-1);
	pid_t pid = ::fork();
	if (pid < 0)
		return from(-1);
	if (pid == 0) {
		char *argv[] = {const_cast<char *>(path.c_str()), nullptr};
		char *envp[] = {nullptr};
		::execve(path.c_str(), argv, envp);
		int e = errno;
		(void)!::write(pipefd[1], &e, sizeof e);
		::_exit(127);
	}
	::close(pipefd[1]);
	int e = 0;
	ssize_t n = ::read(pipefd[0], &e, sizeof e);
	::close(pipefd[0]);
	int status = 0;
	::waitpid(pid, &status, 0);
	if (n == static_cast<ssize_t>(sizeof e))
		return {-1, e, {}};
	return {WIFEXITED(status) ? WEXITSTATUS(status) : -2, 0, {}};
}

bool later(const timespec &a, const timespec &b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

// Writes up to len bytes of content at offset 0 through a shared mapping
// (never past the end of the file), msyncs, and reports whether stat(path)
// shows mtime and ctime later than a stat taken after mmap(). The pause
// before the write puts it past the coarse clock tick of the previous change.
op_outcome mapped_write(const std::string &path, long len, uint64_t seed)
{
	unique_fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd)
		return from(-1);
	struct stat before, after;
	if (::fstat(fd.get(), &before) < 0)
		return from(-1);
	size_t n = std::min<size_t>(static_cast<size_t>(before.st_size), static_cast<size_t>(len));
	if (n == 0)
		return {0, 0, "empty"};
	void *p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
	if (p == MAP_FAILED)
		return from(-1);
	// After mmap() (which makes the kernel refetch attributes): a stat the
	// mount may answer from its cache afterwards.
	if (::stat(path.c_str(), &before) < 0) {
		int e = errno;
		::munmap(p, n);
		return {-1, e, {}};
	}
	::usleep(12000);
	std::string data = content(seed, n);
	std::memcpy(p, data.data(), n);
	int rc = ::msync(p, n, MS_SYNC);
	int e = errno;
	::munmap(p, n);
	if (rc < 0)
		return {-1, e, {}};
	if (::stat(path.c_str(), &after) < 0)
		return from(-1);
	return {static_cast<long>(n), 0,
	        std::string(later(after.st_mtim, before.st_mtim) ? "mtime " : "") +
	            (later(after.st_ctim, before.st_ctim) ? "ctime" : "")};
}

op_outcome read_dir(const std::string &path)
{
	DIR *d = ::opendir(path.c_str());
	if (!d)
		return from(-1);
	std::vector<std::string> names;
	while (auto *e = ::readdir(d))
		names.push_back(std::string(e->d_name) + ":" + std::to_string(e->d_type));
	::closedir(d);
	std::sort(names.begin(), names.end());
	op_outcome o{static_cast<long>(names.size()), 0, {}};
	for (auto &n : names)
		o.data += n + " ";
	return o;
}

op_outcome stat_of(const std::string &path)
{
	struct stat st;
	if (::lstat(path.c_str(), &st) != 0)
		return from(-1);
	std::ostringstream s;
	s << "mode=" << std::oct << st.st_mode << std::dec << " nlink=" << st.st_nlink
	  << " uid=" << st.st_uid << " gid=" << st.st_gid;
	if (!S_ISDIR(st.st_mode))
		s << " size=" << st.st_size;
	return {0, 0, s.str()};
}

} // namespace

std::string random_op::describe() const
{
	std::ostringstream s;
	s << kind_name(kind) << "(" << path;
	if (!path2.empty())
		s << ", " << path2;
	s << ", arg=" << arg << " (0" << std::oct << arg << std::dec << "), len=" << len << ")";
	return s.str();
}

std::string op_outcome::describe() const
{
	std::ostringstream s;
	s << "ret " << ret;
	if (err) {
		const char *name = strerrorname_np(err);
		s << " errno " << (name ? name : std::to_string(err));
	}
	if (!data.empty())
		s << " data[" << data.size() << "] \"" << data.substr(0, 120)
		  << (data.size() > 120 ? "...\"" : "\"");
	return s.str();
}

std::string random_op_source::path()
{
	static const char *names[] = {"a", "b", "c", "d"};
	std::string p = names[pick(4)];
	if (pick(5) >= 3) // 40% at depth two
		p += std::string("/") + names[pick(4)];
	return p;
}

random_op random_op_source::next()
{
	unsigned total = 0;
	for (unsigned w : weights)
		total += w;
	unsigned r = static_cast<unsigned>(pick(total));
	int k = 0;
	while (r >= weights[k])
		r -= weights[k++];
	random_op op;
	op.kind = static_cast<random_op::kind_t>(k);
	op.path = path();
	op.data_seed = rng_();
	switch (op.kind) {
	case random_op::create:
		op.arg = (pick(2) ? O_TRUNC : 0) | (pick(4) == 0 ? O_EXCL : 0);
		op.len = file_modes[pick(std::size(file_modes))];
		break;
	case random_op::write:
		op.arg = static_cast<long>(pick(6) == 0 ? 0 : pick(70000)); // offset
		op.len = static_cast<long>(1 + pick(pick(4) == 0 ? 20000 : 300));
		if (pick(8) == 0)
			op.arg = -1; // O_APPEND
		break;
	case random_op::read:
		op.arg = static_cast<long>(pick(3) == 0 ? 0 : pick(80000));
		op.len = static_cast<long>(1 + pick(pick(4) == 0 ? 30000 : 400));
		break;
	case random_op::truncate:
		op.len = static_cast<long>(pick(3) == 0 ? 0 : pick(90000));
		break;
	case random_op::rename: {
		static const long flags[] = {0, 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE};
		op.path2 = path();
		op.arg = flags[pick(std::size(flags))];
		break;
	}
	case random_op::link:
		op.path2 = path();
		break;
	case random_op::mkdir:
		op.arg = pick(4) == 0 ? 0700 : 0755;
		break;
	case random_op::chmod:
		op.arg = file_modes[pick(std::size(file_modes))] | (pick(3) == 0 ? 0111 : 0);
		break;
	case random_op::chown:
		op.arg = owners[pick(std::size(owners))];
		op.len = owners[pick(std::size(owners))];
		break;
	case random_op::symlink:
		op.path2 = symlink_targets[pick(std::size(symlink_targets))];
		break;
	case random_op::setxattr: {
		static const long flags[] = {0, 0, XATTR_CREATE, XATTR_REPLACE};
		op.path2 = xattr_names[pick(std::size(xattr_names))];
		op.arg = flags[pick(std::size(flags))];
		op.len = static_cast<long>(pick(40));
		break;
	}
	case random_op::getxattr:
		op.path2 = xattr_names[pick(std::size(xattr_names))];
		op.len = pick(3) == 0 ? 0 : (pick(3) == 0 ? 3 : 256); // size query, ERANGE, fits
		break;
	case random_op::removexattr:
		op.path2 = xattr_names[pick(std::size(xattr_names))];
		break;
	case random_op::listxattr:
		op.len = pick(4) == 0 ? 0 : 256;
		break;
	case random_op::fallocate:
		op.arg = static_cast<long>(pick(50000));
		op.len = static_cast<long>(1 + pick(20000));
		break;
	case random_op::access:
		op.arg = static_cast<long>(pick(8)); // F_OK .. R_OK|W_OK|X_OK
		break;
	case random_op::mknod:
		op.arg = pick(2) ? S_IFSOCK : S_IFREG;
		break;
	case random_op::install_program:
		op.arg = program_modes[pick(std::size(program_modes))];
		break;
	case random_op::mmap_write:
		op.len = static_cast<long>(1 + pick(pick(4) == 0 ? 20000 : 300));
		break;
	default:
		break;
	}
	return op;
}

op_outcome apply_op(const random_op &op, const std::string &root)
{
	std::string p = root + "/" + op.path;
	std::string p2 = root + "/" + op.path2;
	switch (op.kind) {
	case random_op::create:
	case random_op::open_excl: {
		int flags = op.kind == random_op::create
		                ? O_CREAT | O_WRONLY | static_cast<int>(op.arg)
		                : O_CREAT | O_EXCL | O_RDWR;
		mode_t mode = op.kind == random_op::create ? static_cast<mode_t>(op.len) : 0640;
		unique_fd fd(::open(p.c_str(), flags | O_CLOEXEC, mode));
		return from(fd ? 0 : -1);
	}
	case random_op::write: {
		int flags = O_WRONLY | O_CLOEXEC | (op.arg < 0 ? O_APPEND : 0);
		unique_fd fd(::open(p.c_str(), flags));
		if (!fd)
			return from(-1);
		std::string data = content(op.data_seed, static_cast<size_t>(op.len));
		return from(::pwrite(fd.get(), data.data(), data.size(), op.arg < 0 ? 0 : op.arg));
	}
	case random_op::read: {
		unique_fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
		if (!fd)
			return from(-1);
		std::string buf(static_cast<size_t>(op.len), '\0');
		ssize_t n = ::pread(fd.get(), buf.data(), buf.size(), op.arg);
		op_outcome o = from(n);
		if (n > 0)
			o.data = buf.substr(0, static_cast<size_t>(n));
		return o;
	}
	case random_op::truncate:
		return from(::truncate(p.c_str(), op.len));
	case random_op::rename:
		return from(::syscall(SYS_renameat2, AT_FDCWD, p.c_str(), AT_FDCWD, p2.c_str(),
		                      static_cast<unsigned>(op.arg)));
	case random_op::link:
		return from(::link(p.c_str(), p2.c_str()));
	case random_op::unlink:
		return from(::unlink(p.c_str()));
	case random_op::mkdir:
		return from(::mkdir(p.c_str(), static_cast<mode_t>(op.arg)));
	case random_op::rmdir:
		return from(::rmdir(p.c_str()));
	case random_op::chmod:
		return from(::chmod(p.c_str(), static_cast<mode_t>(op.arg)));
	case random_op::chown:
		return from(
		    ::lchown(p.c_str(), static_cast<uid_t>(op.arg), static_cast<gid_t>(op.len)));
	case random_op::symlink:
		return from(::symlink(op.path2.c_str(), p.c_str()));
	case random_op::readlink: {
		char buf[256];
		ssize_t n = ::readlink(p.c_str(), buf, sizeof buf);
		op_outcome o = from(n);
		if (n > 0)
			o.data.assign(buf, static_cast<size_t>(n));
		return o;
	}
	case random_op::setxattr: {
		std::string v = content(op.data_seed, static_cast<size_t>(op.len));
		return from(::setxattr(p.c_str(), op.path2.c_str(), v.data(), v.size(),
		                       static_cast<int>(op.arg)));
	}
	case random_op::getxattr: {
		std::string buf(static_cast<size_t>(op.len), '\0');
		ssize_t n = ::getxattr(p.c_str(), op.path2.c_str(), op.len ? buf.data() : nullptr,
		                       buf.size());
		op_outcome o = from(n);
		if (n > 0 && op.len)
			o.data = buf.substr(0, static_cast<size_t>(n));
		return o;
	}
	case random_op::removexattr:
		return from(::removexattr(p.c_str(), op.path2.c_str()));
	case random_op::listxattr: {
		std::string buf(static_cast<size_t>(op.len), '\0');
		ssize_t n = ::listxattr(p.c_str(), op.len ? buf.data() : nullptr, buf.size());
		op_outcome o = from(n);
		if (n > 0 && op.len) {
			// order of names is the file system's; compare them as a set
			std::vector<std::string> names;
			for (size_t off = 0; off < static_cast<size_t>(n);) {
				names.emplace_back(buf.c_str() + off);
				off += names.back().size() + 1;
			}
			std::sort(names.begin(), names.end());
			for (auto &name : names)
				o.data += name + " ";
		}
		return o;
	}
	case random_op::stat:
		return stat_of(p);
	case random_op::readdir:
		return read_dir(p);
	case random_op::fallocate: {
		unique_fd fd(::open(p.c_str(), O_WRONLY | O_CLOEXEC));
		if (!fd)
			return from(-1);
		return from(::fallocate(fd.get(), 0, op.arg, op.len));
	}
	case random_op::access:
		return from(::access(p.c_str(), static_cast<int>(op.arg)));
	case random_op::mknod:
		return from(::mknod(p.c_str(), static_cast<mode_t>(op.arg) | 0644, 0));
	case random_op::remove_tree: {
		// One outcome per step, so each step is compared, not just the last.
		op_outcome o;
		for (const char *child : {"a", "b", "c", "d"}) {
			std::string c = p + "/" + child;
			struct stat st;
			if (::lstat(c.c_str(), &st) != 0)
				continue;
			int rc = S_ISDIR(st.st_mode) ? ::rmdir(c.c_str()) : ::unlink(c.c_str());
			o.data += std::string(child) + "=" +
			          (rc == 0 ? "0" : strerrorname_np(errno)) + " ";
		}
		op_outcome last = from(::rmdir(p.c_str()));
		last.data = o.data;
		return last;
	}
	case random_op::install_program: {
		// Like `install -m MODE`: the mode applies also to an existing file.
		unique_fd fd(::open(p.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600));
		if (!fd)
			return from(-1);
		const std::string &prog = true_program();
		if (::write(fd.get(), prog.data(), prog.size()) !=
		    static_cast<ssize_t>(prog.size()))
			return from(-1);
		return from(::fchmod(fd.get(), static_cast<mode_t>(op.arg)));
	}
	case random_op::exec:
		return exec_program(p);
	case random_op::mmap_write:
		return mapped_write(p, op.len, op.data_seed);
	default:
		return {-1, EINVAL, "unknown op"};
	}
}

std::string run_differential(uint64_t seed, int count, const std::string &mount_root,
                             const std::string &native_root, int *ran, int *errors)
{
	random_op_source source(seed);
	std::deque<std::string> recent;
	int n_errors = 0;
	for (int i = 0; i < count; i++) {
		random_op op = source.next();
		op_outcome on_mount = apply_op(op, mount_root);
		op_outcome on_native = apply_op(op, native_root);
		if (ran)
			*ran = i + 1;
		if (on_native.ret < 0)
			n_errors++;
		if (errors)
			*errors = n_errors;
		if (!(on_mount == on_native)) {
			std::ostringstream s;
			s << "seed " << seed << ": op #" << i << " " << op.describe()
			  << "\n  mount:  " << on_mount.describe()
			  << "\n  native: " << on_native.describe() << "\n  preceding ops:\n";
			for (auto &line : recent)
				s << "    " << line << "\n";
			return s.str();
		}
		recent.push_back("#" + std::to_string(i) + " " + op.describe() + " -> " +
		                 on_native.describe().substr(0, 80));
		if (recent.size() > 12)
			recent.pop_front();
	}
	return {};
}

} // namespace fusebpf::test
