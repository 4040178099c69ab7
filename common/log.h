// SPDX-License-Identifier: GPL-2.0-or-later
//
// The one logging helper: spdlog with a fusebpf pattern. Library code logs
// through spdlog's default logger (spdlog::warn(...), SPDLOG_DEBUG(...));
// binaries call log::init() once to pick the level and the sink.
#pragma once

#ifdef __BPF__
#error "common/log.h is for userspace only"
#endif

#include <spdlog/spdlog.h>

#include <string>

namespace fusebpf::log {

enum class sink {
	stderr_sink, // interactive commands and a foreground daemon
	syslog_sink, // a daemon that went to the background
};

// Sets the default logger. `ident` prefixes every line ("fusebpf", or
// "fusebpf-daemon[/mnt/x]") so interleaved output stays attributable.
void init(const std::string &ident, spdlog::level::level_enum level,
          sink where = sink::stderr_sink);

} // namespace fusebpf::log
