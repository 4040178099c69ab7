// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>

#include <syslog.h>

namespace fusebpf::log {

void init(const std::string &ident, spdlog::level::level_enum level, sink where)
{
	std::shared_ptr<spdlog::logger> logger;
	if (where == sink::syslog_sink) {
		logger = spdlog::syslog_logger_mt(ident, ident, LOG_PID, LOG_DAEMON);
		logger->set_pattern("%l: %v");
	} else {
		logger = spdlog::stderr_logger_mt(ident);
		logger->set_pattern("%n: %l: %v");
	}
	logger->set_level(level);
	logger->flush_on(spdlog::level::warn);
	spdlog::set_default_logger(std::move(logger));
}

} // namespace fusebpf::log
