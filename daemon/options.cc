// SPDX-License-Identifier: GPL-2.0-or-later
//
// parse_mount_options(): the -o option string, one table of known options.
#include "daemon/options.h"

#include <sys/mount.h>

#include <cerrno>

static_assert(fusebpf::daemon::default_mount_flags == (MS_NOSUID | MS_NODEV));
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

namespace fusebpf::daemon {
namespace {

bool parse_seconds(std::string_view text, double &out)
{
	std::string s(text);
	if (s.empty())
		return false;
	char *end = nullptr;
	errno = 0;
	double v = std::strtod(s.c_str(), &end);
	if (errno || *end || !std::isfinite(v) || v < 0 || v > 1e9)
		return false;
	out = v;
	return true;
}

struct flag_option {
	const char *name;
	unsigned long flag;
};

// Generic mount flags accepted as -o, as mount(8) spells them.
constexpr flag_option mount_flag_options[] = {
    {"nosuid", MS_NOSUID},   {"nodev", MS_NODEV},           {"noexec", MS_NOEXEC},
    {"noatime", MS_NOATIME}, {"nodiratime", MS_NODIRATIME}, {"sync", MS_SYNCHRONOUS},
    {"dirsync", MS_DIRSYNC},
};

} // namespace

const char *transport_name(transport_kind t)
{
	switch (t) {
	case transport_kind::uring:
		return "uring";
	case transport_kind::dev:
		return "dev";
	case transport_kind::automatic:
		break;
	}
	return "auto";
}

bool parse_transport(std::string_view text, transport_kind &out)
{
	for (auto t : {transport_kind::automatic, transport_kind::uring, transport_kind::dev})
		if (text == transport_name(t)) {
			out = t;
			return true;
		}
	return false;
}

std::optional<std::string> uring_unavailable_reason()
{
	static const char param[] = "/sys/module/fuse/parameters/enable_uring";
	std::ifstream in(param);
	if (!in)
		return std::string("this kernel has no FUSE over io_uring (") + param +
		       " is missing: Linux 6.14+ built with CONFIG_FUSE_IO_URING needed)";
	std::string value;
	in >> value;
	if (value == "Y" || value == "1")
		return std::nullopt;
	return std::string("FUSE over io_uring is off in this kernel (") + param + " is " + value +
	       "; as root: echo Y > " + param + ")";
}

std::optional<std::string> parse_mount_options(std::string_view text, mount_options &opts)
{
	while (!text.empty()) {
		size_t comma = text.find(',');
		std::string_view opt = text.substr(0, comma);
		text =
		    comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
		if (opt.empty())
			continue;
		size_t eq = opt.find('=');
		std::string_view key = opt.substr(0, eq);
		std::string_view value =
		    eq == std::string_view::npos ? std::string_view{} : opt.substr(eq + 1);
		bool has_value = eq != std::string_view::npos;

		auto flag = [&](bool &field, bool v) -> std::optional<std::string> {
			if (has_value)
				return "option '" + std::string(key) + "' takes no value";
			field = v;
			return std::nullopt;
		};
		auto seconds = [&](double &field) -> std::optional<std::string> {
			if (!has_value || !parse_seconds(value, field))
				return "option '" + std::string(key) +
				       "' needs a number of seconds >= 0 (e.g. " +
				       std::string(key) + "=0.5)";
			return std::nullopt;
		};

		std::optional<std::string> err;
		if (key == "allow_other")
			err = flag(opts.allow_other, true);
		else if (key == "default_permissions")
			err = flag(opts.default_permissions, true);
		else if (key == "ro")
			err = flag(opts.read_only, true);
		else if (key == "rw")
			err = flag(opts.read_only, false);
		else if (key == "entry_timeout")
			err = seconds(opts.entry_timeout);
		else if (key == "attr_timeout")
			err = seconds(opts.attr_timeout);
		else if (key == "negative_timeout")
			err = seconds(opts.negative_timeout);
		else if (key == "timeout") {
			err = seconds(opts.entry_timeout);
			opts.attr_timeout = opts.entry_timeout;
		} else if (key == "fsname") {
			if (!has_value || value.empty() ||
			    value.find_first_of(" \t\n\\") != std::string_view::npos)
				err = "option 'fsname' needs a value without blanks or backslashes";
			else
				opts.fsname = std::string(value);
		} else if (key == "max_fds") {
			// At least a few: handlers pin the fds of up to three nodes.
			std::string v(value);
			char *end = nullptr;
			errno = 0;
			unsigned long long n = has_value && !v.empty() && v[0] != '-'
			                           ? std::strtoull(v.c_str(), &end, 10)
			                           : 0;
			if (!has_value || v.empty() || errno || !end || *end || n < 16 ||
			    n > (1ULL << 30))
				err =
				    "option 'max_fds' needs a number of fds from 16 to 1073741824 "
				    "(e.g. max_fds=1000)";
			else
				opts.max_fds = static_cast<size_t>(n);
		} else if (key == "transport") {
			if (!has_value || !parse_transport(value, opts.transport))
				err = "option 'transport' needs auto, uring or dev";
		} else if (key == "suid" || key == "dev") {
			if (has_value)
				err = "option '" + std::string(key) + "' takes no value";
			else
				opts.mount_flags &= key == "suid" ? ~MS_NOSUID : ~MS_NODEV;
		} else {
			bool known = false;
			for (const auto &f : mount_flag_options)
				if (key == f.name) {
					known = true;
					if (has_value)
						err = "option '" + std::string(key) +
						      "' takes no value";
					else
						opts.mount_flags |= f.flag;
				}
			if (!known)
				err = "unknown mount option '" + std::string(opt) +
				      "' (see fusebpf mount --help)";
		}
		if (err)
			return err;
	}
	return std::nullopt;
}

const char *mount_options_help()
{
	return "  allow_other            let users other than root use the mount; pair it with\n"
	       "                         default_permissions for exact native permission\n"
	       "                         checks: without it every op runs as the caller on\n"
	       "                         the backing fs, but a name the kernel cached\n"
	       "                         (entry_timeout) is reused without re-checking search\n"
	       "                         permission on its directory\n"
	       "  default_permissions    the kernel checks file modes itself before asking\n"
	       "                         the daemon (recommended with allow_other)\n"
	       "  ro, rw                 mount read-only / read-write (default rw)\n"
	       "  entry_timeout=SECS     how long the kernel caches names (default 1)\n"
	       "  attr_timeout=SECS      how long the kernel caches attributes (default 1)\n"
	       "  negative_timeout=SECS  how long the kernel caches \"no such name\" (default 0)\n"
	       "  timeout=SECS           sets entry_timeout and attr_timeout\n"
	       "  fsname=NAME            source shown in /proc/mounts (default: BACKING_DIR)\n"
	       "  max_fds=N              O_PATH fds kept open on backing inodes at most; an\n"
	       "                         inode whose fd was dropped is reopened by its file\n"
	       "                         handle (default: half of RLIMIT_NOFILE, which the\n"
	       "                         daemon raises to its hard limit; inodes on file\n"
	       "                         systems without handles hold their fd outside it)\n"
	       "  nosuid, nodev          (default) ignore set-user-ID bits / device files\n"
	       "  suid, dev              honour them (root only sensible with trusted trees)\n"
	       "  noexec, noatime, nodiratime, sync, dirsync\n"
	       "                         the generic mount flags of mount(8)\n"
	       "  transport=auto|uring|dev\n"
	       "                         how requests reach the daemon, as --transport\n"
	       "  SECS may have a fraction (0.5); 0 disables that cache.";
}

} // namespace fusebpf::daemon
