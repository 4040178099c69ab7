// SPDX-License-Identifier: GPL-2.0-or-later
//
// fs_util implementation; see fs_util.h.
#include "tests/daemon/fs_util.h"

#include "common/unique_fd.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <dirent.h>
#include <fcntl.h>
#include <iomanip>
#include <sstream>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace fusebpf::test {

std::ostream &operator<<(std::ostream &os, const attrs &a)
{
	return os << "{mode 0" << std::oct << a.mode << std::dec << " uid " << a.uid << " gid "
	          << a.gid << " size " << a.size << " nlink " << a.nlink << " rdev "
	          << major(a.rdev) << ":" << minor(a.rdev) << "}";
}

attrs to_attrs(const struct stat &st)
{
	return {st.st_mode,  st.st_uid,
	        st.st_gid,   st.st_size,
	        st.st_nlink, S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : 0};
}

std::optional<attrs> lattrs(const std::string &path)
{
	struct stat st;
	if (::lstat(path.c_str(), &st) != 0)
		return std::nullopt;
	return to_attrs(st);
}

std::vector<std::string> list_dir(const std::string &path)
{
	std::vector<std::string> names;
	DIR *d = ::opendir(path.c_str());
	if (!d)
		return names;
	while (auto *e = ::readdir(d)) {
		std::string name = e->d_name;
		if (name != "." && name != "..")
			names.push_back(name);
	}
	::closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

sys_result getdents_all(const std::string &path, size_t buf_size, std::vector<dirent_info> &out,
                        int *calls)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!fd)
		return sys(-1);
	std::vector<char> buf(buf_size);
	int n_calls = 0;
	for (;;) {
		long n = ::syscall(SYS_getdents64, fd.get(), buf.data(), buf.size());
		if (n < 0)
			return sys(n);
		if (n == 0)
			break;
		n_calls++;
		for (long off = 0; off < n;) {
			// struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name
			auto *p = buf.data() + off;
			unsigned long long ino;
			unsigned short reclen;
			std::memcpy(&ino, p, 8);
			std::memcpy(&reclen, p + 16, 2);
			out.push_back(
			    {std::string(p + 19), static_cast<unsigned char>(p[18]), ino});
			off += reclen;
		}
	}
	if (calls)
		*calls = n_calls;
	return {0, 0};
}

std::map<std::string, std::string> xattrs_of(const std::string &path)
{
	std::map<std::string, std::string> out;
	char names[4096];
	ssize_t len = ::llistxattr(path.c_str(), names, sizeof names);
	for (ssize_t off = 0; len > 0 && off < len;) {
		std::string name(names + off);
		off += static_cast<ssize_t>(name.size()) + 1;
		if (name.rfind("user.", 0) != 0)
			continue;
		char value[4096];
		ssize_t vlen = ::lgetxattr(path.c_str(), name.c_str(), value, sizeof value);
		out[name] = vlen >= 0 ? std::string(value, static_cast<size_t>(vlen))
		                      : "<error " + std::to_string(errno) + ">";
	}
	return out;
}

namespace {

void snapshot_into(const std::string &root, const std::string &rel,
                   std::map<std::string, std::string> &out)
{
	std::string path = rel.empty() ? root : root + "/" + rel;
	struct stat st;
	if (::lstat(path.c_str(), &st) != 0) {
		out[rel] = "<lstat error " + std::to_string(errno) + ">";
		return;
	}
	std::ostringstream line;
	line << to_attrs(st);
	if (S_ISREG(st.st_mode)) {
		auto data = read_file(path);
		line << " content "
		     << (data ? std::to_string(std::hash<std::string>{}(*data)) : "<unreadable>");
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = ::readlink(path.c_str(), target, sizeof target);
		line << " -> " << (n >= 0 ? std::string(target, static_cast<size_t>(n)) : "<err>");
	}
	for (auto &[k, v] : xattrs_of(path))
		line << " " << k << "=" << std::quoted(v);
	out[rel.empty() ? "." : rel] = line.str();
	if (S_ISDIR(st.st_mode))
		for (auto &name : list_dir(path))
			snapshot_into(root, rel.empty() ? name : rel + "/" + name, out);
}

} // namespace

std::map<std::string, std::string> snapshot_tree(const std::string &root)
{
	std::map<std::string, std::string> out;
	snapshot_into(root, "", out);
	return out;
}

std::string diff_snapshots(const std::map<std::string, std::string> &a, const char *a_name,
                           const std::map<std::string, std::string> &b, const char *b_name,
                           size_t max)
{
	std::ostringstream out;
	size_t lines = 0;
	auto note = [&](const std::string &s) {
		if (lines++ < max)
			out << s << "\n";
	};
	for (auto &[path, desc] : a) {
		auto it = b.find(path);
		if (it == b.end())
			note(path + ": only in " + a_name + ": " + desc);
		else if (it->second != desc)
			note(path + ":\n  " + a_name + ": " + desc + "\n  " + b_name + ": " +
			     it->second);
	}
	for (auto &[path, desc] : b)
		if (!a.count(path))
			note(path + ": only in " + b_name + ": " + desc);
	if (lines > max)
		out << "... " << lines - max << " more differences\n";
	return out.str();
}

} // namespace fusebpf::test
