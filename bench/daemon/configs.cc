// SPDX-License-Identifier: GPL-2.0-or-later
//
// configs: see configs.h.
#include "bench/daemon/configs.h"

#include "bench/daemon/filter_tables.h"
#include "tests/support/daemon_process.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/mountinfo.h"
#include "tests/support/process.h"
#include "tests/support/stats.h"

#include <charconv>
#include <chrono>
#include <thread>
#include <unistd.h>

namespace fusebpf::bench {

namespace {

class native_target : public target {
public:
	explicit native_target(std::string root) : root_(std::move(root)) {}
	const std::string &root() const override { return root_; }
	std::string command() const override { return {}; }

private:
	std::string root_;
};

class fusebpf_target : public target {
public:
	// `table`: the ops table the mount is given with --ops (in args), held
	// until the mount is gone; null for the plain configurations.
	fusebpf_target(const target_paths &paths, std::vector<std::string> args,
	               std::unique_ptr<bench_table> table = nullptr)
	    : table_(std::move(table)), fs_(paths.backing, paths.mountpoint, std::move(args))
	{}

	// The control socket may come up a moment after the mount; wait for it
	// (bounded), so the first workload's requests are counted too.
	bool start(std::string &why)
	{
		if (!fs_.start(why))
			return false;
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
		while (!daemon_stats() && std::chrono::steady_clock::now() < deadline)
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		return true;
	}

	void use_cli(std::string path) { fs_.use_cli(std::move(path)); }

	const std::string &root() const override { return fs_.mountpoint(); }
	std::string command() const override { return test::shell_join(fs_.command()); }

	std::optional<nlohmann::json> daemon_stats() const override
	{
		std::string why;
		return test::read_stats(fs_.mountpoint(), why);
	}

	// The table goes after the daemon that held it.
	std::string stop() override
	{
		std::string ended = fs_.stop();
		table_.reset();
		return ended;
	}

private:
	std::unique_ptr<bench_table> table_; // declared first: destroyed after fs_
	test::mounted_fs fs_;
};

// The peer (libfuse's passthrough_ll) in the foreground, spawned and taken
// down like fusebpf's own daemon (tests/support/daemon_process.h).
class peer_target : public target {
public:
	peer_target(const target_paths &paths, std::vector<std::string> argv)
	    : mountpoint_(paths.mountpoint),
	      peer_(std::move(argv), paths.mountpoint, paths.log_path)
	{}

	bool start(std::string &why)
	{
		if (is_fuse_mount()) {
			why = mountpoint_ + " is already a FUSE mount";
			return false;
		}
		return peer_.spawn(why) &&
		       peer_.wait_until([this] { return is_fuse_mount(); },
		                        [this] { return "a FUSE mount at " + mountpoint_; }, 15000,
		                        why);
	}
	const std::string &root() const override { return mountpoint_; }
	std::string command() const override { return test::shell_join(peer_.command()); }
	// A second of grace after the unmount: passthrough_ll ends by itself
	// when its session goes away.
	std::string stop() override { return peer_.stop(5000, 1000); }

private:
	bool is_fuse_mount() const
	{
		test::mount_entry e;
		return test::find_mount(mountpoint_, &e) && e.fstype.starts_with("fuse");
	}

	std::string mountpoint_;
	test::daemon_process peer_;
};

// transport: "" (the daemon's default, auto), "dev" or "uring".
std::vector<std::string> fusebpf_args(const bench_options &opts, bool passthrough,
                                      const std::string &transport = "")
{
	std::vector<std::string> args;
	if (!transport.empty())
		args.insert(args.end(), {"--transport", transport});
	if (!passthrough)
		args.push_back("--no-passthrough");
	if (opts.threads > 0) {
		args.push_back("--threads");
		args.push_back(std::to_string(opts.threads));
	}
	for (auto &o : opts.fusebpf_opts) {
		args.push_back("-o");
		args.push_back(o);
	}
	return args;
}

} // namespace

const std::vector<config_info> &known_configs()
{
	static const std::vector<config_info> list = {
	    {"native", "the backing directory itself (ext4), no FUSE"},
	    {"fusebpf", "fusebpf mount --transport dev: /dev/fuse, kernel FUSE passthrough for "
	                "file data"},
	    {"fusebpf-uring", "fusebpf mount --transport uring: FUSE over io_uring, kernel FUSE "
	                      "passthrough for file data"},
	    {"fusebpf-nopt", "fusebpf mount --transport dev --no-passthrough: data through the "
	                     "daemon"},
	    {"passthrough_ll", "libfuse 3.14 example passthrough_ll (no kernel passthrough)"},
	    {"fusebpf-baseline",
	     "as fusebpf, served by the CLI given with --baseline (another build)", false},
	    {"fusebpf-table-empty", "fusebpf mount --ops: an ops table with no programs", false},
	    {"fusebpf-continue-all",
	     "fusebpf mount --ops: a CONTINUE prefilter for every op (bench/filters)", false},
	    {"fusebpf-pre-post",
	     "fusebpf mount --ops: POSTFILTER prefilter + CONTINUE "
	     "postfilter for every op (bench/filters)",
	     false},
	};
	return list;
}

std::optional<config_spec> parse_config(const std::string &name, std::string &why)
{
	config_spec spec{name, name, -1};
	if (auto at = name.find('@'); at != std::string::npos) {
		spec.base = name.substr(0, at);
		auto cpu = name.substr(at + 1);
		auto [end, ec] = std::from_chars(cpu.data(), cpu.data() + cpu.size(), spec.pin_cpu);
		if (cpu.empty() || ec != std::errc() || end != cpu.data() + cpu.size() ||
		    spec.pin_cpu < 0) {
			why = "bad CPU number in configuration '" + name + "' (want NAME@CPU)";
			return std::nullopt;
		}
	}
	for (auto &c : known_configs())
		if (c.name == spec.base)
			return spec;
	why = "unknown configuration '" + spec.base + "' (known:";
	for (auto &c : known_configs())
		why += " " + c.name;
	why += ")";
	return std::nullopt;
}

std::unique_ptr<target> start_target(const std::string &base, const target_paths &paths,
                                     const bench_options &opts, std::string &why)
{
	if (base == "native")
		return std::make_unique<native_target>(paths.backing);
	if (base == "fusebpf-baseline" && opts.baseline_cli.empty()) {
		why = "fusebpf-baseline needs --baseline PATH (the fusebpf CLI of another build)";
		return nullptr;
	}
	if (base == "fusebpf" || base == "fusebpf-nopt" || base == "fusebpf-uring" ||
	    base == "fusebpf-baseline") {
		auto t = std::make_unique<fusebpf_target>(
		    paths, fusebpf_args(opts, base != "fusebpf-nopt",
		                        base == "fusebpf-uring" ? "uring" : "dev"));
		if (base == "fusebpf-baseline")
			t->use_cli(opts.baseline_cli);
		if (!t->start(why))
			return nullptr;
		return t;
	}
	if (is_table_config(base)) {
		auto table = make_bench_table(base, why);
		if (!table)
			return nullptr;
		auto args = fusebpf_args(opts, true);
		args.push_back("--ops");
		args.push_back(std::to_string(table->id()));
		auto t = std::make_unique<fusebpf_target>(paths, std::move(args), std::move(table));
		if (!t->start(why))
			return nullptr;
		return t;
	}
	if (base == "passthrough_ll") {
		if (opts.peer_path.empty() || ::access(opts.peer_path.c_str(), X_OK) != 0) {
			why = "passthrough_ll binary not available ('" + opts.peer_path +
			      "'); it is built from /usr/share/doc/libfuse3-dev/examples/"
			      "passthrough_ll.c (Debian package libfuse3-dev), or pass --peer PATH";
			return nullptr;
		}
		auto t = std::make_unique<peer_target>(
		    paths, std::vector<std::string>{opts.peer_path, "-f", "-o",
		                                    "source=" + paths.backing, paths.mountpoint});
		if (!t->start(why))
			return nullptr;
		return t;
	}
	why = "unknown configuration '" + base + "'";
	return nullptr;
}

} // namespace fusebpf::bench
