// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_server: socket setup, the accept/serve loop, command dispatch,
// and the client side (control_call) that the CLI uses.
#include "daemon/control/control_server.h"

#include "daemon/fuse/mounter.h"

#include <spdlog/spdlog.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fusebpf::daemon {
namespace {

constexpr const char *control_dir = "/run/fusebpf";

bool set_timeout(int fd, int secs)
{
	struct timeval tv = {secs, 0};
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0;
}

bool write_all(int fd, const std::string &s)
{
	size_t done = 0;
	while (done < s.size()) {
		ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		done += static_cast<size_t>(n);
	}
	return true;
}

// Reads one line (without '\n'). False on EOF, error or timeout.
bool read_line(int fd, std::string &buf, std::string &line)
{
	for (;;) {
		size_t nl = buf.find('\n');
		if (nl != std::string::npos) {
			line = buf.substr(0, nl);
			buf.erase(0, nl + 1);
			return true;
		}
		if (buf.size() > (1u << 20))
			return false;
		char tmp[4096];
		ssize_t n = ::recv(fd, tmp, sizeof(tmp), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf.append(tmp, static_cast<size_t>(n));
	}
}

sockaddr_un make_addr(const std::string &path)
{
	sockaddr_un addr = {};
	addr.sun_family = AF_UNIX;
	std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
	return addr;
}

} // namespace

std::string control_socket_path(unsigned conn)
{
	return std::string(control_dir) + "/" + std::to_string(conn) + ".sock";
}

std::optional<unsigned> connection_number(const std::string &mountpoint, std::string &error)
{
	char buf[PATH_MAX];
	if (!realpath(mountpoint.c_str(), buf)) {
		error = mountpoint + ": " + std::strerror(errno);
		return std::nullopt;
	}
	std::string fstype;
	if (!find_mount(buf, &fstype) || fstype != "fuse.fusebpf") {
		error = std::string(buf) + " is not a fusebpf mount";
		return std::nullopt;
	}
	struct stat st;
	if (stat(buf, &st) < 0) {
		error = std::string(buf) + ": " + std::strerror(errno);
		return std::nullopt;
	}
	return minor(st.st_dev);
}

void control_server::add_command(const std::string &name, command fn)
{
	std::lock_guard lock(mutex_);
	commands_[name] = std::move(fn);
}

std::optional<std::string> control_server::start(unsigned conn)
{
	if (mkdir(control_dir, 0700) < 0 && errno != EEXIST)
		return std::string("cannot create ") + control_dir + ": " + std::strerror(errno);
	// The directory may predate us with a looser mode: tighten it.
	chmod(control_dir, 0700);
	path_ = control_socket_path(conn);
	unlink(path_.c_str()); // a stale socket of an earlier connection with this number
	listen_fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!listen_fd_)
		return std::string("control socket: ") + std::strerror(errno);
	sockaddr_un addr = make_addr(path_);
	if (bind(listen_fd_.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0 ||
	    chmod(path_.c_str(), 0600) < 0 || listen(listen_fd_.get(), 16) < 0)
		return "control socket " + path_ + ": " + std::strerror(errno);
	stop_fd_.reset(eventfd(0, EFD_CLOEXEC));
	if (!stop_fd_)
		return std::string("eventfd: ") + std::strerror(errno);
	thread_ = std::thread([this] { serve(); });
	return std::nullopt;
}

void control_server::stop()
{
	if (thread_.joinable()) {
		uint64_t one = 1;
		if (write(stop_fd_.get(), &one, sizeof(one)) < 0)
			spdlog::warn("cannot wake the control thread: {}", std::strerror(errno));
		thread_.join();
	}
	if (!path_.empty()) {
		unlink(path_.c_str());
		path_.clear();
	}
	listen_fd_.reset();
}

void control_server::serve()
{
	for (;;) {
		struct pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			spdlog::error("control socket poll: {}", std::strerror(errno));
			return;
		}
		if (fds[1].revents)
			return;
		if (!(fds[0].revents & POLLIN))
			continue;
		unique_fd client(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
		if (!client)
			continue;
		struct ucred cred = {};
		socklen_t len = sizeof(cred);
		if (getsockopt(client.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    cred.uid != 0) {
			write_all(client.get(),
			          R"({"ok": false, "error": "permission denied: root only"})"
			          "\n");
			continue;
		}
		set_timeout(client.get(), 5);
		serve_client(client.get());
	}
}

void control_server::serve_client(int fd)
{
	std::string buf, line;
	while (read_line(fd, buf, line)) {
		if (!write_all(fd, handle_line(line) + "\n"))
			return;
	}
}

std::string control_server::handle_line(const std::string &line)
{
	nlohmann::json reply;
	try {
		nlohmann::json req = nlohmann::json::parse(line);
		if (!req.is_object() || !req.contains("cmd") || !req["cmd"].is_string())
			throw std::runtime_error(
			    "request must be a JSON object with a \"cmd\" string");
		std::string name = req["cmd"].get<std::string>();
		command fn;
		{
			std::lock_guard lock(mutex_);
			auto it = commands_.find(name);
			if (it == commands_.end())
				throw std::runtime_error("unknown command '" + name + "'");
			fn = it->second;
		}
		reply = fn(req);
		if (!reply.is_object())
			reply = nlohmann::json::object();
		reply["ok"] = true;
	} catch (const std::exception &e) {
		reply = {{"ok", false}, {"error", e.what()}};
	}
	// Bytes that are not UTF-8 (a request's, quoted in an error) become
	// U+FFFD: dump() would throw on them, out of the control thread.
	return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<nlohmann::json> control_call(const std::string &mountpoint,
                                           const nlohmann::json &request, std::string &error,
                                           int timeout_s)
{
	auto conn = connection_number(mountpoint, error);
	if (!conn)
		return std::nullopt;
	std::string path = control_socket_path(*conn);
	unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd) {
		error = std::string("socket: ") + std::strerror(errno);
		return std::nullopt;
	}
	sockaddr_un addr = make_addr(path);
	if (connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) < 0) {
		error = "cannot reach the daemon at " + path + ": " + std::strerror(errno);
		return std::nullopt;
	}
	set_timeout(fd.get(), timeout_s);
	if (!write_all(fd.get(), request.dump() + "\n")) {
		error = "cannot send to the daemon: " + std::string(std::strerror(errno));
		return std::nullopt;
	}
	std::string buf, line;
	if (!read_line(fd.get(), buf, line)) {
		error = "no answer from the daemon at " + path;
		return std::nullopt;
	}
	try {
		return nlohmann::json::parse(line);
	} catch (const std::exception &e) {
		error = std::string("bad answer from the daemon: ") + e.what();
		return std::nullopt;
	}
}

} // namespace fusebpf::daemon
