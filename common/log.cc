// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/log.h"

#include "common/unique_fd.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace fusebpf::log {

namespace {

std::mutex target_lock;
std::string current_target = "stderr"; // protected by target_lock

} // namespace

std::optional<std::string> init(const std::string &ident, spdlog::level::level_enum level,
                                sink where, const std::string &file)
{
	std::shared_ptr<spdlog::logger> logger;
	std::string now;
	if (where == sink::syslog_sink) {
		logger = spdlog::syslog_logger_mt(ident, ident, LOG_PID, LOG_DAEMON);
		logger->set_pattern("%l: %v");
		now = "syslog";
	} else if (where == sink::file_sink) {
		try {
			logger = spdlog::basic_logger_mt(ident, file);
		} catch (const spdlog::spdlog_ex &e) {
			return "cannot open the log file " + file + ": " + e.what();
		}
		logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n[%P]: %l: %v");
		now = file;
	} else {
		logger = spdlog::stderr_logger_mt(ident);
		logger->set_pattern("%n: %l: %v");
		now = "stderr";
	}
	logger->set_level(level);
	logger->flush_on(where == sink::file_sink ? spdlog::level::trace : spdlog::level::warn);
	spdlog::set_default_logger(std::move(logger));
	std::lock_guard guard(target_lock);
	current_target = now;
	return std::nullopt;
}

bool system_log_listening()
{
	unique_fd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return false;
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::strcpy(addr.sun_path, "/dev/log");
	return connect(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0;
}

std::string default_log_file(const std::string &mountpoint)
{
	std::string name;
	for (char c : mountpoint) {
		if (c == '/') {
			if (!name.empty() && name.back() != '-')
				name += '-';
		} else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
			name += c;
		} else {
			char hex[5];
			std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
			name += hex;
		}
	}
	while (!name.empty() && name.back() == '-')
		name.pop_back();
	if (name.empty())
		name = "-";
	return "/run/fusebpf/" + name + ".log";
}

std::string target()
{
	std::lock_guard guard(target_lock);
	return current_target;
}

} // namespace fusebpf::log
