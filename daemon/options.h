// SPDX-License-Identifier: GPL-2.0-or-later
//
// The daemon's configuration: what `fusebpf mount` parsed.
//
// mount_options holds the `-o` options; parse_mount_options() turns an
// option string ("allow_other,entry_timeout=0.5") into it and rejects what
// it does not know with a one-line message, so the CLI can exit 2.
// daemon_config adds the positional arguments and flags. Both are plain data
// (no I/O besides uring_unavailable_reason()), unit-tested in
// daemon/tests/options_test.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace fusebpf::daemon {

// MS_NOSUID | MS_NODEV, spelled out so this header needs no <sys/mount.h>.
inline constexpr unsigned long default_mount_flags = 2 | 4;

// How requests travel between the kernel and the daemon (daemon/fuse/channel.h).
enum class transport_kind {
	// io_uring when the kernel offers it (Linux 6.14+ with
	// /sys/module/fuse/parameters/enable_uring = Y), else /dev/fuse.
	automatic,
	// FUSE over io_uring or no mount.
	uring,
	// read(2)/writev(2) on /dev/fuse.
	dev,
};

// "auto", "uring", "dev".
const char *transport_name(transport_kind t);
// Parses "auto" / "uring" / "dev"; false for anything else.
bool parse_transport(std::string_view text, transport_kind &out);

// Why this kernel cannot run FUSE over io_uring right now, as one line
// (no module parameter: kernel too old or built without
// CONFIG_FUSE_IO_URING; parameter N: how to turn it on), or nullopt when
// /sys/module/fuse/parameters/enable_uring reads Y. Reads sysfs, so it is
// the one function here that does I/O.
std::optional<std::string> uring_unavailable_reason();

struct mount_options {
	bool allow_other = false;         // other users may use the mount
	bool default_permissions = false; // the kernel checks modes itself
	bool read_only = false;           // "ro": mounted MS_RDONLY
	// Kernel cache lifetimes in seconds (fractions allowed). Defaults match
	// libfuse: names and attributes cached 1 s, negative entries not cached.
	double entry_timeout = 1.0;
	double attr_timeout = 1.0;
	double negative_timeout = 0.0;
	// Generic mount(2) flags (MS_*). Like libfuse, nosuid and nodev are on
	// unless -o suid / -o dev turn them off.
	unsigned long mount_flags = default_mount_flags;
	// fsname shown in /proc/mounts; empty means the absolute backing dir.
	std::string fsname;
	// O_PATH fds of backing inodes kept open at most (fd_cache.h); 0 means
	// the default, half of RLIMIT_NOFILE.
	size_t max_fds = 0;
	// -o transport=auto|uring|dev (also `--transport`).
	transport_kind transport = transport_kind::automatic;
};

// Parses a comma-separated -o string into opts (applied on top of what opts
// already holds, so several -o accumulate). Returns an empty optional on
// success, else a one-line error naming the bad option.
std::optional<std::string> parse_mount_options(std::string_view text, mount_options &opts);

// The help text for -o, one option per line (used by `fusebpf mount --help`).
const char *mount_options_help();

struct daemon_config {
	std::string backing_dir; // absolute, resolved
	std::string mountpoint;  // absolute, resolved
	mount_options opts;
	unsigned threads = 0;    // worker threads; 0 = number of CPUs (at least 2)
	bool passthrough = true; // kernel FUSE passthrough for file data
	bool debug = false;      // one log line per request
	bool foreground = false; // -f
	// Ops table bound to the mount root (`--ops NAME|ID`, as `fusebpf load`
	// printed it); empty: no table, every op is plain passthrough.
	std::string ops_table;
	// Or a filter object the daemon loads itself (`--filter FILE.bpf.o`),
	// pinned as `filter_name` (empty: a name of its own, see
	// binding_request.h) and unloaded when the daemon exits.
	std::string filter_object;
	std::string filter_name;
	// A user filter library for the root (`--user-filter LIB.so`) and the
	// string its factory gets (`--user-filter-arg`).
	std::string user_filter;
	std::string user_filter_arg;
};

} // namespace fusebpf::daemon
