// SPDX-License-Identifier: GPL-2.0-or-later
//
// The one logging helper: spdlog with a fusebpf pattern. Library code logs
// through spdlog's default logger (spdlog::warn(...), SPDLOG_DEBUG(...));
// binaries call log::init() once to pick the level and the sink.
//
// A background daemon's log is never lost: it goes to the system log where
// one listens on /dev/log (journald or a syslog daemon), otherwise to a file
// (`fusebpf mount --log-file`, default default_log_file()). target() says
// which, for `fusebpf status`.
#pragma once

#ifdef __BPF__
#error "common/log.h is for userspace only"
#endif

#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace fusebpf::log {

enum class sink {
	stderr_sink, // interactive commands and a foreground daemon
	syslog_sink, // a daemon that went to the background, with a system log
	file_sink,   // a daemon that went to the background, logging to `file`
};

// Sets the default logger. `ident` prefixes every line ("fusebpf", or
// "fusebpf-daemon[/mnt/x]") so interleaved output stays attributable.
// file_sink appends to `file` (its directory must exist) and returns the
// error text when the file cannot be opened; the other sinks cannot fail.
std::optional<std::string> init(const std::string &ident, spdlog::level::level_enum level,
                                sink where = sink::stderr_sink, const std::string &file = "");

// Whether something receives datagrams on /dev/log (a connect() test, so a
// stale socket with no listener counts as none).
bool system_log_listening();

// Where a background daemon mounted on `mountpoint` logs when no system log
// listens and no --log-file is given: /run/fusebpf/<escaped>.log (beside the
// control sockets). It lives as long as the daemon: removed when the daemon
// ends cleanly, swept once a dead daemon's lock on it is gone
// (daemon/control/stale_state.h); give --log-file to keep a log. <escaped> is the mount point as
// systemd names its units ("/mnt/data" -> "mnt-data", "/" -> "-").
std::string default_log_file(const std::string &mountpoint);

// Where log lines go since init(): "stderr", "syslog" or the file's path.
std::string target();

} // namespace fusebpf::log
