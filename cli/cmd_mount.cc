// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf mount`, `fusebpf umount`, `fusebpf stats`: the daemon's commands.
//
// mount checks everything it can in the foreground (so a typo fails at
// once with exit 1), then either runs the daemon in this process (-f) or
// forks a background daemon. The background child reports over a pipe
// whether the mount came up ("ok") or why not, so `fusebpf mount` exits
// with the daemon's real error. umount and stats talk to the daemon over
// its control socket (daemon/control/control_server.h).
#include "cli/command.h"
#include "cli/readable.h"

#include "common/log.h"
#include "common/unique_fd.h"
#include "daemon/control/control_server.h"
#include "daemon/daemon.h"
#include "daemon/fuse/mounter.h"
#include "daemon/options.h"
#include "daemon/control/stale_state.h"
#include "loader/bpffs.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fusebpf::cli {
namespace {

using fusebpf::daemon::daemon_config;

struct mount_args {
	bool foreground = false;
	std::vector<std::string> options;
	unsigned threads = 0;
	bool no_passthrough = false;
	bool debug = false;
	std::string transport; // empty: -o transport= or the default (auto)
	std::string ops;
	std::string filter;
	std::string name;
	std::string user_filter;
	std::string user_filter_arg;
	std::string log_file;
	std::string backing;
	std::string mountpoint;
};

struct umount_args {
	std::string mountpoint;
	bool lazy = false;
	double timeout = 10;
};

struct stats_args {
	std::string mountpoint;
	bool json = false;
};

void error_line(const std::string &msg)
{
	std::fprintf(stderr, "fusebpf: %s\n", msg.c_str());
}

// Where a background daemon logs (common/log.h): --log-file, else the
// system log when one listens, else default_log_file(). A file's directory
// is created (0755) here, so a failure is reported before anything mounts.
struct log_choice {
	log::sink sink;
	std::string file;
	bool default_file = false; // default_log_file(): lives as long as the daemon
};

std::optional<log_choice> choose_log(const std::string &log_file, const std::string &mountpoint)
{
	if (log_file.empty() && log::system_log_listening())
		return log_choice{log::sink::syslog_sink, ""};
	std::string file = log_file.empty() ? log::default_log_file(mountpoint) : log_file;
	bool default_file = log_file.empty();
	if (file[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			error_line(std::string("getcwd: ") + std::strerror(errno));
			return std::nullopt;
		}
		file = std::string(cwd) + "/" + file;
	}
	std::error_code ec;
	std::filesystem::path dir = std::filesystem::path(file).parent_path();
	std::filesystem::create_directories(dir, ec);
	if (ec) {
		error_line("cannot create the log directory " + dir.string() + ": " + ec.message());
		return std::nullopt;
	}
	return log_choice{log::sink::file_sink, file, default_file};
}

// The background daemon: forks, reports the start-up result through a pipe.
int run_background(const daemon_config &cfg, const log_choice &where)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		error_line(std::string("pipe: ") + std::strerror(errno));
		return exit_failure;
	}
	unique_fd rd(fds[0]), wr(fds[1]);
	std::fflush(nullptr);
	pid_t pid = fork();
	if (pid < 0) {
		error_line(std::string("fork: ") + std::strerror(errno));
		return exit_failure;
	}
	if (pid == 0) {
		rd.reset();
		setsid();
		if (chdir("/") < 0)
			_exit(exit_failure);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		// The default log file is held (locked) for the daemon's life and
		// removed when it ends cleanly; a dead daemon's is swept
		// (daemon/control/stale_state.h). A --log-file is the user's to keep.
		unique_fd held_log;
		if (where.default_file)
			held_log = fusebpf::daemon::hold_log_file(where.file);
		if (auto err = log::init("fusebpf-daemon[" + cfg.mountpoint + "]",
		                         cfg.debug ? spdlog::level::debug : spdlog::level::info,
		                         where.sink, where.file)) {
			std::string msg = "error " + *err + "\n";
			if (write(wr.get(), msg.data(), msg.size()) < 0) {
				// The foreground process is gone; nothing to tell.
			}
			_exit(exit_failure);
		}
		int rc = fusebpf::daemon::run_daemon(cfg, [&](const std::string &err) {
			std::string msg = err.empty() ? "ok\n" : "error " + err + "\n";
			if (write(wr.get(), msg.data(), msg.size()) < 0) {
				// The foreground process is gone; nothing to tell.
			}
			wr.reset();
		});
		if (rc == 0 && where.default_file)
			unlink(where.file.c_str());
		_exit(rc);
	}
	wr.reset();
	std::string msg;
	char buf[512];
	for (;;) {
		ssize_t n = read(rd.get(), buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		msg.append(buf, static_cast<size_t>(n));
	}
	if (msg == "ok\n") {
		std::printf("fusebpf: mounted %s on %s (daemon pid %d, log: %s)\n",
		            cfg.backing_dir.c_str(), cfg.mountpoint.c_str(), static_cast<int>(pid),
		            where.sink == log::sink::syslog_sink ? "system log"
		                                                 : where.file.c_str());
		return exit_ok;
	}
	if (msg.rfind("error ", 0) == 0) {
		while (!msg.empty() && msg.back() == '\n')
			msg.pop_back();
		error_line(msg.substr(6));
	} else {
		error_line(std::string("the daemon exited during start-up (see ") +
		           (where.sink == log::sink::syslog_sink ? "the system log" : where.file) +
		           ")");
	}
	waitpid(pid, nullptr, 0);
	return exit_failure;
}

int run_mount(const mount_args &a)
{
	daemon_config cfg;
	for (const auto &o : a.options)
		if (auto err = fusebpf::daemon::parse_mount_options(o, cfg.opts)) {
			error_line(*err);
			return exit_usage;
		}
	if (!a.transport.empty() &&
	    !fusebpf::daemon::parse_transport(a.transport, cfg.opts.transport)) {
		error_line("--transport needs auto, uring or dev, not '" + a.transport + "'");
		return exit_usage;
	}
	// --transport uring on a kernel that cannot: a usage error, before
	// anything is mounted (the daemon re-checks what INIT agreed).
	if (cfg.opts.transport == fusebpf::daemon::transport_kind::uring)
		if (auto why = fusebpf::daemon::uring_unavailable_reason()) {
			error_line("--transport uring: " + *why);
			return exit_usage;
		}
	cfg.threads = a.threads;
	cfg.passthrough = !a.no_passthrough;
	cfg.debug = a.debug;
	cfg.foreground = a.foreground;
	cfg.ops_table = a.ops;
	cfg.filter_name = a.name;
	cfg.user_filter_arg = a.user_filter_arg;
	if (!a.name.empty() && a.filter.empty()) {
		error_line("--name names the table --filter loads: it needs --filter");
		return exit_usage;
	}
	// The daemon runs with / as its working directory: make paths absolute.
	for (auto [given, out] : {std::pair{&a.filter, &cfg.filter_object},
	                          std::pair{&a.user_filter, &cfg.user_filter}}) {
		if (given->empty())
			continue;
		char buf[PATH_MAX];
		if (!realpath(given->c_str(), buf)) {
			error_line(*given + ": " + std::strerror(errno));
			return exit_failure;
		}
		*out = buf;
	}
	if (auto err = fusebpf::daemon::check_mount_request(a.backing, a.mountpoint, cfg)) {
		error_line(*err);
		return exit_failure;
	}
	if (!a.foreground) {
		auto where = choose_log(a.log_file, cfg.mountpoint);
		if (!where)
			return exit_failure;
		return run_background(cfg, *where);
	}
	if (!a.log_file.empty()) {
		error_line("--log-file is for a background daemon; with -f the log goes to stderr");
		return exit_usage;
	}

	log::init("fusebpf", a.debug ? spdlog::level::debug : spdlog::level::info);
	int rc = fusebpf::daemon::run_daemon(cfg, [](const std::string &) {});
	return rc == 0 ? exit_ok : exit_failure;
}

// Waits up to `secs` for a process that is not our child to exit.
bool wait_for_exit(pid_t pid, double secs)
{
	int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
	if (pidfd < 0)
		return errno == ESRCH; // already gone
	unique_fd guard(pidfd);
	struct pollfd p = {pidfd, POLLIN, 0};
	int rc;
	do {
		rc = poll(&p, 1, static_cast<int>(secs * 1000));
	} while (rc < 0 && errno == EINTR);
	return rc > 0;
}

// The absolute path of a mountpoint. A mount whose daemon is gone answers
// ENOTCONN (or ECONNABORTED) to everything, itself included: its parent is
// resolved instead.
std::optional<std::string> mountpoint_path(const std::string &typed)
{
	char buf[PATH_MAX];
	if (realpath(typed.c_str(), buf))
		return std::string(buf);
	int e = errno;
	std::string path = typed;
	while (path.size() > 1 && path.back() == '/')
		path.pop_back();
	size_t slash = path.rfind('/');
	std::string parent = slash == std::string::npos ? "."
	                     : slash == 0               ? "/"
	                                                : path.substr(0, slash);
	std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
	if ((e != ENOTCONN && e != ECONNABORTED) || !realpath(parent.c_str(), buf)) {
		error_line(typed + ": " + std::strerror(e));
		return std::nullopt;
	}
	return std::string(buf) + (std::string(buf) == "/" ? "" : "/") + leaf;
}

int run_umount(const umount_args &a)
{
	auto resolved = mountpoint_path(a.mountpoint);
	if (!resolved)
		return exit_failure;
	std::string mnt = *resolved, fstype;
	if (!fusebpf::daemon::find_mount(mnt, &fstype) || fstype != "fuse.fusebpf") {
		error_line(mnt + " is not a fusebpf mount");
		return exit_failure;
	}
	// The daemon's pid, to wait for it; a hung daemon must not stop the
	// unmount, so a failure here only skips the wait.
	pid_t pid = 0;
	std::string err;
	if (auto reply = fusebpf::daemon::control_call(mnt, {{"cmd", "stats"}}, err))
		if (reply->value("ok", false))
			pid = reply->value("pid", 0);
	if (umount2(mnt.c_str(), (a.lazy ? MNT_DETACH : 0) | UMOUNT_NOFOLLOW) < 0) {
		int e = errno;
		if (e == EBUSY)
			error_line(mnt + " is busy (open files or a process inside); "
			                 "use --lazy to detach it now");
		else
			error_line("umount " + mnt + ": " + std::strerror(e));
		return exit_failure;
	}
	if (pid > 0 && !wait_for_exit(pid, a.timeout)) {
		error_line("unmounted " + mnt + ", but the daemon (pid " + std::to_string(pid) +
		           ") is still running after " + seconds_text(a.timeout) + " s");
		return exit_failure;
	}
	// A daemon that was killed left its tables and socket: remove them,
	// and what other dead daemons left (stale_state.h).
	auto swept = fusebpf::daemon::sweep_stale(std::string(fusebpf::loader::default_pin_root));
	for (const auto &t : swept.tables)
		std::printf("fusebpf: unpinned table %s of a daemon that is gone\n", t.c_str());
	for (const auto &s : swept.sockets)
		std::printf("fusebpf: removed control socket %s of a daemon that is gone\n",
		            s.c_str());
	for (const auto &l : swept.logs)
		std::printf("fusebpf: removed log file %s of a daemon that is gone\n", l.c_str());
	for (const auto &e : swept.errors)
		error_line("cannot remove what a dead daemon left: " + e);
	return swept.errors.empty() ? exit_ok : exit_failure;
}

// The upper bound (ns) of the log2 bucket holding the q-quantile of a
// latency histogram (bucket i counts [2^i, 2^(i+1)) ns); 0 if it is empty.
uint64_t latency_quantile(const nlohmann::json &hist, double q)
{
	uint64_t total = 0;
	for (const auto &n : hist)
		total += n.get<uint64_t>();
	if (total == 0)
		return 0;
	uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total - 1)) + 1, seen = 0;
	for (size_t i = 0; i < hist.size(); i++) {
		seen += hist[i].get<uint64_t>();
		if (seen >= rank)
			return i + 1 >= 64 ? UINT64_MAX : (uint64_t(1) << (i + 1));
	}
	return UINT64_MAX;
}

std::string duration_text(uint64_t ns)
{
	if (ns == 0)
		return "-";
	char buf[32];
	if (ns < 1000)
		std::snprintf(buf, sizeof(buf), "<%lluns", static_cast<unsigned long long>(ns));
	else if (ns < 1000 * 1000)
		std::snprintf(buf, sizeof(buf), "<%.3gus", static_cast<double>(ns) / 1e3);
	else if (ns < 1000ull * 1000 * 1000)
		std::snprintf(buf, sizeof(buf), "<%.3gms", static_cast<double>(ns) / 1e6);
	else
		std::snprintf(buf, sizeof(buf), "<%.3gs", static_cast<double>(ns) / 1e9);
	return buf;
}

uint64_t count_at(const nlohmann::json &obj, const char *key)
{
	auto it = obj.find(key);
	return it != obj.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

uint64_t sum_of(const nlohmann::json &obj, const char *key)
{
	uint64_t n = 0;
	auto it = obj.find(key);
	if (it != obj.end() && it->is_object())
		for (const auto &[k, v] : it->items())
			if (v.is_number_unsigned())
				n += v.get<uint64_t>();
	return n;
}

void print_stats_tables(const nlohmann::json &ops)
{
	std::printf("%-16s %10s %8s %10s %9s %8s %9s %9s\n", "OP", "REQUESTS", "ERRORS", "FILTERED",
	            "USERCALLS", "FLTERRS", "P50", "P99");
	bool any_filtered = false;
	for (const auto &[name, c] : ops.items()) {
		uint64_t req = count_at(c, "requests"), errs = count_at(c, "errors");
		if (!req && !errs)
			continue;
		uint64_t filtered = count_at(c, "filtered");
		any_filtered = any_filtered || filtered;
		const nlohmann::json empty = nlohmann::json::array();
		const nlohmann::json &hist =
		    c.contains("latency_ns_log2") ? c["latency_ns_log2"] : empty;
		std::printf("%-16s %10s %8s %10s %9s %8s %9s %9s\n", name.c_str(),
		            count_text(req).c_str(), count_text(errs).c_str(),
		            count_text(filtered).c_str(),
		            count_text(count_at(c, "user_fallbacks")).c_str(),
		            count_text(sum_of(c, "filter_errors")).c_str(),
		            duration_text(latency_quantile(hist, 0.50)).c_str(),
		            duration_text(latency_quantile(hist, 0.99)).c_str());
	}
	if (!any_filtered)
		return;
	static const char *const kinds[] = {
	    "CONTINUE",        "USER",         "USER_PREFILTER", "POSTFILTER",
	    "USER_POSTFILTER", "CALL_DEFAULT", "errno"};
	static const char *const heads[] = {"CONTINUE", "USER",    "USERPRE", "POSTFLT",
	                                    "USERPOST", "DEFAULT", "ERRNO"};
	std::printf("\nBPF verdicts of filtered ops:\n%-16s", "OP");
	for (const char *h : heads)
		std::printf(" %9s", h);
	std::printf("\n");
	for (const auto &[name, c] : ops.items()) {
		if (!count_at(c, "filtered") || !c.contains("verdicts"))
			continue;
		std::printf("%-16s", name.c_str());
		for (const char *k : kinds)
			std::printf(" %9s", count_text(count_at(c["verdicts"], k)).c_str());
		std::printf("\n");
	}
}

int run_stats(const stats_args &a)
{
	std::string err;
	auto reply = fusebpf::daemon::control_call(a.mountpoint, {{"cmd", "stats"}}, err);
	if (!reply) {
		error_line(err);
		return exit_failure;
	}
	if (!reply->value("ok", false)) {
		error_line("the daemon refused: " + reply->value("error", std::string("?")));
		return exit_failure;
	}
	reply->erase("ok");
	if (a.json) {
		std::cout << reply->dump() << "\n";
		return exit_ok;
	}
	std::printf("mountpoint   %s\nbacking      %s\ndaemon pid   %ld\npassthrough  %s\n"
	            "transport    %s\n\n",
	            reply->value("mountpoint", std::string()).c_str(),
	            reply->value("backing", std::string()).c_str(), reply->value("pid", 0L),
	            reply->value("passthrough", false) ? "on" : "off",
	            reply->value("transport_detail", std::string("?")).c_str());
	print_stats_tables((*reply)["ops"]);
	return exit_ok;
}

} // namespace

void add_mount_commands(CLI::App &root, command_list &commands)
{
	auto m = std::make_shared<mount_args>();
	CLI::App *mount = root.add_subcommand(
	    "mount",
	    "Mount BACKING_DIR on MOUNTPOINT through the fusebpf daemon.\n\n"
	    "The mount mirrors BACKING_DIR: every operation is served by the daemon on the\n"
	    "backing tree, as the calling user (files you create are yours), and file data\n"
	    "moves through the kernel's FUSE passthrough, at native speed, without reaching\n"
	    "the daemon. Without -f the command returns once the mount is up and the daemon\n"
	    "has gone to the background; start-up errors are reported here with exit\n"
	    "status 1. The background daemon logs to the system log (journal or syslog)\n"
	    "when something listens on /dev/log, otherwise to a file (--log-file);\n"
	    "`fusebpf status` shows where. Must run as root. mount(8) runs it for\n"
	    "`mount -t fuse.fusebpf` and fstab lines, with these options spelled as -o\n"
	    "options:\n" +
	        std::string(mount_helper_help()));
	mount->add_flag("-f,--foreground", m->foreground,
	                "Stay in the foreground and log to stderr. SIGTERM or SIGINT unmounts\n"
	                "and exits 0; an unmount from outside also ends the daemon with 0.");
	mount
	    ->add_option("-o", m->options,
	                 "Mount options, comma-separated; may be repeated:\n" +
	                     std::string(fusebpf::daemon::mount_options_help()))
	    ->option_text("OPT[,OPT...]")
	    ->expected(1)
	    ->allow_extra_args(false);
	mount
	    ->add_option("--threads", m->threads,
	                 "Worker threads, each with its own /dev/fuse fd\n"
	                 "(default: one per CPU, at least 2). With io_uring they still\n"
	                 "serve what the kernel sends on /dev/fuse (INIT, FORGET,\n"
	                 "INTERRUPT); the rings have a thread per CPU of their own.")
	    ->check(CLI::Range(1u, 1024u))
	    ->option_text("N");
	mount->add_flag("--no-passthrough", m->no_passthrough,
	                "Serve file data through the daemon (classic FUSE READ/WRITE)\n"
	                "instead of kernel passthrough. Without this flag passthrough is\n"
	                "used when the kernel offers it (Linux 6.9+); if it does not, the\n"
	                "mount still works, with a warning in the log.");
	mount
	    ->add_option("--log-file", m->log_file,
	                 "Log to FILE (appended) instead of the system log. Without it a\n"
	                 "background daemon logs to the system log when one listens on\n"
	                 "/dev/log, else to /run/fusebpf/<mountpoint>.log, the mount\n"
	                 "point named as systemd names units (/mnt/data: mnt-data.log).\n"
	                 "That default file lives as long as the daemon: it is removed\n"
	                 "when the daemon ends cleanly, and a dead daemon's by the next\n"
	                 "`fusebpf umount` or daemon start. A FILE given here is kept.")
	    ->option_text("FILE");
	mount
	    ->add_option("--transport", m->transport,
	                 "How requests travel between the kernel and the daemon (also\n"
	                 "-o transport=):\n"
	                 "  auto   (default) FUSE over io_uring when the kernel offers it\n"
	                 "         (Linux 6.14+ with /sys/module/fuse/parameters/enable_uring\n"
	                 "         set to Y), else /dev/fuse; the log says which and why.\n"
	                 "  uring  FUSE over io_uring: one queue per CPU, each served by a\n"
	                 "         thread on that CPU. If the kernel cannot, the mount fails\n"
	                 "         at once with one line saying why and exit status 2.\n"
	                 "  dev    read/write on /dev/fuse by the worker threads.\n"
	                 "`fusebpf stats` shows the transport in use.")
	    ->option_text("auto|uring|dev");
	mount->add_flag("--debug", m->debug,
	                "Log every request (unique, op, nodeid, length, pid)\n"
	                "and every reply (error, length).");
	CLI::Option *filter_opt =
	    mount
	        ->add_option("--filter", m->filter,
	                     "Load the filter object FILE.bpf.o (built with fusebpf_add_filter()\n"
	                     "or `fusebpf build`) and bind its ops table to the mount root;\n"
	                     "every node inherits it (`fusebpf attach` binds other tables to\n"
	                     "subtrees). The daemon pins the table while it runs and unloads\n"
	                     "it when it exits, so nothing stays pinned. A verifier rejection\n"
	                     "fails the mount with the verifier's message; nothing is mounted.")
	        ->option_text("FILE.bpf.o");
	mount
	    ->add_option("--name", m->name,
	                 "Pin the --filter table under this name (default: the file name\n"
	                 "without .bpf.o plus -d<daemon pid>, e.g. hide-d4242, so two mounts\n"
	                 "of one object never clash). `fusebpf list` shows it.")
	    ->option_text("NAME");
	mount
	    ->add_option("--ops", m->ops,
	                 "Bind a table already loaded with `fusebpf load` (its map ID or\n"
	                 "pinned name, as `fusebpf load` printed it) to the mount root. The\n"
	                 "daemon never unloads it: `fusebpf unload` does.")
	    ->option_text("NAME|ID")
	    ->excludes(filter_opt);
	mount
	    ->add_option("--user-filter", m->user_filter,
	                 "Load a userspace filter library (built with\n"
	                 "fusebpf_add_user_filter(); see daemon/filter/user_filter.h) for\n"
	                 "the root: its hooks run where the BPF table returns USER,\n"
	                 "USER_PREFILTER or USER_POSTFILTER, and its handlers answer\n"
	                 "virtual nodes. Without --filter/--ops it alone is the binding:\n"
	                 "its verdict_without_table() decides which ops it sees. Without\n"
	                 "a user filter, USER verdicts behave as plain passthrough.")
	    ->option_text("LIB.so");
	mount
	    ->add_option("--user-filter-arg", m->user_filter_arg,
	                 "A string passed to the library's factory function.")
	    ->option_text("STRING");
	mount->add_option("BACKING_DIR", m->backing, "Directory to mirror (must exist).")
	    ->required();
	mount
	    ->add_option("MOUNTPOINT", m->mountpoint,
	                 "Directory to mount on: not a mount point already, and\n"
	                 "neither inside BACKING_DIR nor containing it.")
	    ->required();
	mount->footer("EXAMPLES:\n"
	              "  fusebpf mount /srv/data /mnt/data             # background daemon\n"
	              "  fusebpf mount -f --debug /srv/data /mnt/data  # foreground, log requests\n"
	              "  fusebpf mount -o allow_other,default_permissions /srv/data /mnt/data\n"
	              "  fusebpf mount -o ro,attr_timeout=0,entry_timeout=0 /srv/data /mnt/data\n"
	              "  fusebpf mount --no-passthrough --threads 4 /srv/data /mnt/data\n"
	              "  fusebpf mount --filter hide.bpf.o /srv/data /mnt/data\n"
	              "  fusebpf mount --ops 42 --user-filter ./rename.so /srv/data /mnt/data\n"
	              "  fusebpf attach /mnt/data/private --filter deny.bpf.o  # a subtree, live\n"
	              "  fusebpf umount /mnt/data\n\n"
	              "Filter errors (an object the verifier rejects, a library that does\n"
	              "not load, a table that does not exist) fail the mount with exit 1\n"
	              "and one message; nothing is mounted and nothing stays pinned.");
	commands.push_back({mount, [m] { return run_mount(*m); }});

	auto u = std::make_shared<umount_args>();
	CLI::App *umount = root.add_subcommand(
	    "umount", "Unmount a fusebpf mount and wait for its daemon to exit.\n\n"
	              "Refuses mounts that are not fusebpf mounts. Exit 0 when the mount is "
	              "gone and the daemon ended.");
	umount->add_option("MOUNTPOINT", u->mountpoint, "The mounted directory.")->required();
	umount->add_flag("-l,--lazy", u->lazy,
	                 "Detach the mount even if it is busy (MNT_DETACH); the daemon ends "
	                 "when the last open file is closed.");
	umount
	    ->add_option("--timeout", u->timeout,
	                 "Seconds to wait for the daemon to exit (default 10).")
	    ->check(CLI::PositiveNumber)
	    ->option_text("SECS");
	umount->footer("EXAMPLES:\n"
	               "  fusebpf umount /mnt/data\n"
	               "  fusebpf umount --lazy /mnt/data    # even with files still open");
	commands.push_back({umount, [u] { return run_umount(*u); }});

	auto s = std::make_shared<stats_args>();
	CLI::App *stats = root.add_subcommand(
	    "stats",
	    "Show the per-operation counters of a running fusebpf mount.\n\n"
	    "Reads them from the daemon over its root-only control socket\n"
	    "(/run/fusebpf/<connection>.sock, mode 0600, uid 0 only). The first\n"
	    "table lists the operations that were used: requests, error replies,\n"
	    "requests that went through the filters (FILTERED), userspace filter\n"
	    "calls (USERCALLS: handlers, pre- and postfilters), filter failures\n"
	    "(FLTERRS: an invalid verdict, a program that did not run, a user\n"
	    "filter that threw; each failed its op with EIO) and the median and\n"
	    "99th percentile time of a filtered op (upper bound of its log2\n"
	    "bucket). The second counts the BPF verdicts per kind. --json prints\n"
	    "one object with every operation, zeros included:\n"
	    "  {\"mountpoint\", \"backing\", \"pid\", \"passthrough\",\n"
	    "   \"ops\": {\"LOOKUP\": {\"requests\": N, \"errors\": N, \"filtered\": N,\n"
	    "             \"verdicts\": {...}, \"user\": {...}, \"filter_errors\": {...},\n"
	    "             \"latency_ns_log2\": [32 buckets]}, ...}}\n"
	    "With passthrough on, READ and WRITE stay at 0 for passthrough files.");
	stats->add_option("MOUNTPOINT", s->mountpoint, "The mounted directory.")->required();
	stats->add_flag("--json", s->json, "Print one JSON object instead of the table.");
	stats->footer("EXAMPLES:\n"
	              "  fusebpf stats /mnt/data\n"
	              "  fusebpf stats --json /mnt/data | jq '.ops.READ.requests'");
	commands.push_back({stats, [s] { return run_stats(*s); }});
}

} // namespace fusebpf::cli
