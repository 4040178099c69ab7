// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_server: the per-mount, root-only command socket.
//
// A unix stream socket /run/fusebpf/<N>.sock, N = the FUSE connection
// number (minor(st_dev) of the mountpoint root, as in
// /sys/fs/fuse/connections/<N>). The directory is mode 0700 and peers other
// than uid 0 are refused (SO_PEERCRED). Protocol: one JSON object per line
// each way; {"cmd": "stats"} -> {"ok": true, ...} or {"ok": false,
// "error": "..."}. Commands are registered by name: "stats"
// (stats_report.h) and the filter commands "attach", "detach", "status",
// "invalidate" (control_commands.h documents their JSON).
//
// One thread serves connections one after another; a client that sends
// nothing for 5 s is dropped, so a stuck client cannot block the others
// for long.
#pragma once

#include "common/unique_fd.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace fusebpf::daemon {

// The socket path of connection number conn.
std::string control_socket_path(unsigned conn);

// The FUSE connection number of a mounted fusebpf mountpoint.
std::optional<unsigned> connection_number(const std::string &mountpoint, std::string &error);

class control_server {
public:
	// A command gets the request object and returns the reply's fields
	// ("ok": true is added); it throws std::runtime_error to fail.
	using command = std::function<nlohmann::json(const nlohmann::json &request)>;

	control_server() = default;
	~control_server() { stop(); }
	control_server(const control_server &) = delete;
	control_server &operator=(const control_server &) = delete;

	// Registers (or replaces) a command; allowed before and after start().
	void add_command(const std::string &name, command fn);

	// Binds /run/fusebpf/<conn>.sock and starts serving. Returns an error
	// line on failure.
	std::optional<std::string> start(unsigned conn);

	// Stops the thread and removes the socket (idempotent).
	void stop();

	// Handles one request line (also used by unit tests).
	std::string handle_line(const std::string &line);

private:
	void serve();
	void serve_client(int fd);

	std::mutex mutex_;
	std::map<std::string, command> commands_; // protected by mutex_
	unique_fd listen_fd_;
	unique_fd stop_fd_; // eventfd: wakes serve() to stop
	std::string path_;
	std::thread thread_;
};

// Calls a command on the daemon serving `mountpoint`. Returns the reply,
// or an empty optional with `error` set. `timeout_s` bounds each send and
// receive (an attach loads a BPF object and may take a while).
std::optional<nlohmann::json> control_call(const std::string &mountpoint,
                                           const nlohmann::json &request, std::string &error,
                                           int timeout_s = 10);

} // namespace fusebpf::daemon
