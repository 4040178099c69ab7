// SPDX-License-Identifier: GPL-2.0-or-later
//
// stale_state: owner records of loaded tables, and the sweep of what dead
// daemons left; see stale_state.h.
#include "daemon/control/stale_state.h"

#include "daemon/fuse/mounter.h"
#include "loader/tables.h"

#include <spdlog/spdlog.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

namespace fusebpf::daemon {
namespace {

constexpr const char *state_dir = "/run/fusebpf";
constexpr const char *owner_dir = "/run/fusebpf/tables";

// The names in dir (no . and ..); empty if it cannot be read.
std::vector<std::string> names_in(const char *dir)
{
	std::vector<std::string> names;
	DIR *d = opendir(dir);
	if (!d)
		return names;
	while (struct dirent *e = readdir(d))
		if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
			names.emplace_back(e->d_name);
	closedir(d);
	return names;
}

// The connection numbers (st_dev minors) of the FUSE mounts that exist.
std::set<unsigned> fuse_connections()
{
	std::set<unsigned> conns;
	for (const mount_entry &m : read_mountinfo())
		if (m.fstype.starts_with("fuse") && m.major == 0)
			conns.insert(m.minor);
	return conns;
}

// Whether nobody listens on the unix socket at path.
bool nobody_listens(const std::string &path)
{
	unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return false;
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.size() >= sizeof(addr.sun_path))
		return false;
	std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
	return ::connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0 &&
	       errno == ECONNREFUSED;
}

// Whether the log file at path is a dead daemon's: not empty, and nobody
// holds its lock (hold_log_file()).
bool log_of_dead_daemon(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
	struct stat st;
	return fd && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	       ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
}

} // namespace

bool fusebpf_process_alive(pid_t pid)
{
	if (pid <= 0)
		return false;
	if (::kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
	std::string name;
	if (!std::getline(comm, name))
		return false; // gone between the two checks
	// The CLI runs the daemon; mount(8)'s helper execs it.
	return name == "fusebpf" || name.starts_with("mount.fuse");
}

owned_table_record::owned_table_record(std::string table)
{
	if ((::mkdir(state_dir, 0700) < 0 && errno != EEXIST) ||
	    (::mkdir(owner_dir, 0700) < 0 && errno != EEXIST)) {
		spdlog::warn(
		    "cannot create {}: {} (table {} will not be swept if this daemon dies)",
		    owner_dir, std::strerror(errno), table);
		return;
	}
	std::string path = std::string(owner_dir) + "/" + table;
	std::ofstream out(path, std::ios::trunc);
	out << ::getpid() << "\n";
	if (!out.flush()) {
		spdlog::warn("cannot write {} (table {} will not be swept if this daemon dies)",
		             path, table);
		return;
	}
	path_ = std::move(path);
}

owned_table_record::~owned_table_record()
{
	if (path_.empty())
		return;
	::unlink(path_.c_str());
	::rmdir(owner_dir); // the last record: nothing of this daemon stays behind
}

unique_fd hold_log_file(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
	if (fd && ::flock(fd.get(), LOCK_SH) < 0)
		spdlog::warn("cannot lock {}: {}", path, std::strerror(errno));
	return fd;
}

swept_state sweep_stale(const std::string &pin_root)
{
	swept_state swept;
	for (const std::string &table : names_in(owner_dir)) {
		std::string record = std::string(owner_dir) + "/" + table;
		std::ifstream in(record);
		pid_t pid = 0;
		if (!(in >> pid) || fusebpf_process_alive(pid))
			continue;
		auto r = loader::unload_table(pin_root, table);
		if (!r && r.err().errno_value != ENOENT) {
			swept.errors.push_back("table " + table + ": " + r.message());
			continue;
		}
		if (r)
			swept.tables.push_back(table);
		::unlink(record.c_str());
	}
	::rmdir(owner_dir); // fails, as it should, while records remain
	std::set<unsigned> live = fuse_connections();
	for (const std::string &name : names_in(state_dir)) {
		if (name.ends_with(".log")) {
			std::string path = std::string(state_dir) + "/" + name;
			if (log_of_dead_daemon(path) && ::unlink(path.c_str()) == 0)
				swept.logs.push_back(path);
			continue;
		}
		unsigned conn = 0;
		char rest = 0;
		if (std::sscanf(name.c_str(), "%u.soc%c", &conn, &rest) != 2 || rest != 'k' ||
		    name != std::to_string(conn) + ".sock" || live.count(conn))
			continue;
		std::string path = std::string(state_dir) + "/" + name;
		if (!nobody_listens(path))
			continue;
		if (::unlink(path.c_str()) == 0)
			swept.sockets.push_back(path);
		else if (errno != ENOENT)
			swept.errors.push_back(path + ": " + std::strerror(errno));
	}
	return swept;
}

} // namespace fusebpf::daemon
