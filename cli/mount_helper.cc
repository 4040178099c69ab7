// SPDX-License-Identifier: GPL-2.0-or-later
//
// mount.fuse.fusebpf: the fusebpf CLI under the name mount(8) runs for
// `mount -t fuse.fusebpf` and for fstab lines of that type (installed as a
// symlink to the CLI in sbin/). mount(8) calls
//	mount.fuse.fusebpf BACKING MOUNTPOINT [-sfnv] [-N NS] [-o OPTS] [-t TYPE]
// and this turns it into `fusebpf mount [options] BACKING MOUNTPOINT`:
//   - the `fusebpf mount` options spelled as -o options (table below), e.g.
//     filter=/etc/fusebpf/hide.bpf.o, user_filter=..., threads=4,
//     no_passthrough, log_file=...;
//   - the options mount(8), systemd and fstab keep for themselves (auto,
//     noauto, user, users, nouser, owner, group, defaults, nofail, _netdev,
//     comment=..., x-...) and the default-restoring generic ones (exec,
//     async, atime, diratime) are dropped;
//   - every other option goes to `fusebpf mount -o`, which refuses an unknown
//     one with a single line (exit 2).
// -f (fake) checks the arguments and exits 0 without mounting; -n, -s, -v and -N are
// accepted and have no effect (there is no mtab; -N is not supported and
// refused). The daemon always goes to the background: mount(8) returns
// once the mount is up, and `umount MOUNTPOINT` ends the daemon.
#include "cli/command.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace fusebpf::cli {

namespace {

// -o NAME[=VALUE] spellings of `fusebpf mount` options.
struct helper_option {
	const char *name;
	const char *flag;
	bool takes_value;
};

constexpr helper_option helper_options[] = {
    {"filter", "--filter", true},
    {"name", "--name", true},
    {"ops", "--ops", true},
    {"user_filter", "--user-filter", true},
    {"user_filter_arg", "--user-filter-arg", true},
    {"threads", "--threads", true},
    {"log_file", "--log-file", true},
    {"no_passthrough", "--no-passthrough", false},
    {"debug", "--debug", false},
};

bool dropped_option(std::string_view key)
{
	for (const char *k :
	     {"auto", "noauto", "user", "users", "nouser", "owner", "group", "defaults", "nofail",
	      "_netdev", "comment", "exec", "async", "atime", "diratime"})
		if (key == k)
			return true;
	return key.starts_with("x-");
}

} // namespace

bool is_mount_helper(const char *argv0)
{
	const char *base = std::strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	return std::string_view(base).starts_with("mount.fuse.");
}

const char *mount_helper_help()
{
	return "  filter=FILE.bpf.o      --filter          name=NAME       --name\n"
	       "  ops=NAME|ID            --ops             threads=N       --threads\n"
	       "  user_filter=LIB.so     --user-filter     debug           --debug\n"
	       "  user_filter_arg=STR    --user-filter-arg (no commas)\n"
	       "  no_passthrough         --no-passthrough  log_file=PATH   --log-file\n"
	       "  ignored: auto, noauto, user, users, nouser, owner, group, defaults,\n"
	       "  nofail, _netdev, comment=..., x-..., exec, async, atime, diratime;\n"
	       "  every other option is a `fusebpf mount -o` option.\n";
}

int mount_helper_args(int argc, char **argv, std::vector<std::string> &out)
{
	const char *prog = argv[0];
	auto usage = [&](const std::string &msg) {
		std::fprintf(stderr,
		             "%s: %s\nusage: %s BACKING_DIR MOUNTPOINT [-fnsv] [-o OPTION[,...]]\n"
		             "-o options (see fusebpf(8)):\n%s",
		             prog, msg.c_str(), prog, mount_helper_help());
		return exit_usage;
	};
	std::vector<std::string> positional, mount_opts, flags;
	bool fake = false;
	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		if (arg == "-h" || arg == "--help") {
			usage("mounts a fusebpf file system for mount(8)");
			return exit_ok;
		}
		if (arg == "-o" || arg == "-t" || arg == "-N") {
			if (i + 1 >= argc)
				return usage("option " + std::string(arg) + " needs a value");
			std::string value = argv[++i];
			if (arg == "-N")
				return usage("-N (another mount namespace) is not supported");
			if (arg == "-t")
				continue;
			std::size_t start = 0;
			while (start <= value.size()) {
				std::size_t end = value.find(',', start);
				if (end == std::string::npos)
					end = value.size();
				std::string opt = value.substr(start, end - start);
				start = end + 1;
				if (opt.empty())
					continue;
				std::string key = opt.substr(0, opt.find('='));
				bool has_value = opt.find('=') != std::string::npos;
				std::string val = has_value ? opt.substr(key.size() + 1) : "";
				if (dropped_option(key))
					continue;
				const helper_option *h = nullptr;
				for (const auto &c : helper_options)
					if (key == c.name)
						h = &c;
				if (!h) {
					mount_opts.push_back(opt);
					continue;
				}
				if (h->takes_value && (!has_value || val.empty()))
					return usage("option '" + key + "' needs a value (" + key +
					             "=...)");
				if (!h->takes_value && has_value)
					return usage("option '" + key + "' takes no value");
				flags.emplace_back(h->flag);
				if (h->takes_value)
					flags.push_back(val);
			}
		} else if (arg.size() > 1 && arg[0] == '-' &&
		           arg.find_first_not_of("fnsv", 1) == std::string_view::npos) {
			fake = fake || arg.find('f') != std::string_view::npos;
		} else if (arg.size() > 1 && arg[0] == '-') {
			return usage("unknown option '" + std::string(arg) + "'");
		} else {
			positional.emplace_back(arg);
		}
	}
	if (positional.size() != 2)
		return usage("needs BACKING_DIR and MOUNTPOINT");
	out = {"fusebpf", "mount"};
	out.insert(out.end(), flags.begin(), flags.end());
	if (!mount_opts.empty()) {
		std::string joined;
		for (const auto &o : mount_opts)
			joined += (joined.empty() ? "" : ",") + o;
		out.insert(out.end(), {"-o", joined});
	}
	out.insert(out.end(), positional.begin(), positional.end());
	return fake ? exit_ok : -1;
}

} // namespace fusebpf::cli
