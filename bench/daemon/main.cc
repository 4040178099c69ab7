// SPDX-License-Identifier: GPL-2.0-or-later
//
// fusebpf-bench: measures file system workloads natively, through fusebpf
// mounts (kernel passthrough on and off) and through libfuse's passthrough_ll,
// in one run, and prints a table of rates with ratios to native (bench/README.md
// explains every workload and what "cold" means). A benchmark, not a test: it
// has no thresholds and never fails because something is slow.
//
// This file parses options and prints; runner.cc measures, report.cc formats.
#include "bench/daemon/configs.h"
#include "bench/daemon/interrupt.h"
#include "bench/daemon/report.h"
#include "bench/daemon/runner.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

#ifndef FUSEBPF_BENCH_PEER
#define FUSEBPF_BENCH_PEER ""
#endif

namespace {

using namespace fusebpf::bench;

constexpr const char *examples = R"(
EXAMPLES:
  fusebpf-bench                                   # everything, about 3 minutes
  fusebpf-bench --files 2000 --file-size 64M --reps 1 --seconds 0.3   # quick look
  fusebpf-bench --only stat-cold,stat-warm --config native,fusebpf,fusebpf@0
  fusebpf-bench --only create,stat-cold,stat-warm --config native,fusebpf,fusebpf-uring
  fusebpf-bench --json results.json               # table on stdout, JSON copy in a file
  fusebpf-bench --json -                          # JSON on stdout, table on stderr
  fusebpf-bench --filters                         # what an ops table costs, about 3 minutes

Configurations: native, fusebpf (/dev/fuse), fusebpf-uring (FUSE over
io_uring: echo Y > /sys/module/fuse/parameters/enable_uring first),
fusebpf-nopt, passthrough_ll (the default columns), fusebpf-table-empty, fusebpf-continue-all, fusebpf-pre-post (tables
from bench/filters, mounted with --ops); NAME@CPU pins the benchmark (not the
daemon) to CPU while that column is measured.
Workloads: create, stat-cold, stat-warm, readdir, seq-write, seq-read-cold,
seq-read-warm, rand-read, rand-read-direct.
Must run as root (mounts, drop_caches). Build with CMAKE_BUILD_TYPE=Release and
without sanitizers, or the numbers mean nothing.)";

// Every FUSE passthrough daemon here keeps an fd per inode the kernel knows;
// the peer does not raise its own limit (passthrough_hp does). The daemons
// inherit this one. Needs CAP_SYS_RESOURCE to go past the hard limit (which
// this machine's root lacks: the hard limit is 20000). Returns the limit.
rlim_t raise_fd_limit()
{
	rlim_t want = 1 << 20;
	if (std::FILE *f = std::fopen("/proc/sys/fs/nr_open", "r")) {
		unsigned long v;
		if (std::fscanf(f, "%lu", &v) == 1)
			want = v;
		std::fclose(f);
	}
	struct rlimit lim {
		want, want
	};
	if (::setrlimit(RLIMIT_NOFILE, &lim) == 0)
		return want;
	::getrlimit(RLIMIT_NOFILE, &lim);
	return lim.rlim_cur;
}

// --filters: the columns and workloads that show what an ops table costs,
// and smaller default sizes so the five columns run in a few minutes.
const std::vector<std::string> filter_preset_configs = {"native", "fusebpf", "fusebpf-table-empty",
                                                        "fusebpf-continue-all", "fusebpf-pre-post"};
const std::vector<std::string> filter_preset_workloads = {
    "create", "stat-cold", "readdir", "seq-write", "seq-read-cold", "seq-read-warm", "rand-read"};
constexpr int filter_preset_files = 5000;
constexpr uint64_t filter_preset_file_size = 128ull << 20;
constexpr int filter_preset_reps = 3;

std::vector<const workload_info *> select_workloads(const std::vector<std::string> &names,
                                                    std::string &why)
{
	std::vector<const workload_info *> out;
	for (auto &w : all_workloads())
		if (names.empty() || std::find(names.begin(), names.end(), w.name) != names.end())
			out.push_back(&w);
	for (auto &n : names) {
		bool known = false;
		for (auto &w : all_workloads())
			known |= w.name == n;
		if (!known) {
			why = "unknown workload '" + n + "' (see --help)";
			return {};
		}
	}
	return out;
}

} // namespace

int main(int argc, char **argv)
{
	bench_options opts;
	opts.peer_path = FUSEBPF_BENCH_PEER;
	std::string json_path;

	CLI::App app{"fusebpf-bench - native vs fusebpf (passthrough on/off) vs libfuse "
	             "passthrough_ll, one table.",
	             "fusebpf-bench"};
	app.footer(examples);
	bool filters = false;
	app.add_flag("--filters", filters,
	             "Preset: what an ops table costs. Columns native, fusebpf and the three "
	             "table columns; workloads create, stat-cold, readdir, seq-write, "
	             "seq-read-cold/warm, rand-read; --files 5000 --file-size 128M --reps 3 "
	             "unless given");
	auto *files_opt =
	    app.add_option("--files", opts.files, "Files for create, stat and readdir")
	        ->check(CLI::Range(1, 10000000))
	        ->capture_default_str();
	auto *size_opt = app.add_option("--file-size", opts.file_size,
	                                "Size of the sequential/random file (e.g. 256M, 1G)")
	                     ->transform(CLI::AsSizeValue(false))
	                     ->capture_default_str();
	auto *reps_opt = app.add_option("--reps", opts.reps,
	                                "Measured repetitions per cell; the median is shown")
	                     ->check(CLI::Range(1, 1000))
	                     ->capture_default_str();
	app.add_option("--seconds", opts.seconds, "Length of one random-read repetition")
	    ->check(CLI::Range(0.01, 3600.0))
	    ->capture_default_str();
	app.add_option("--only", opts.workloads, "Workloads to run (comma-separated)")
	    ->delimiter(',');
	app.add_option("--config", opts.configs,
	               "Columns, in order (comma-separated; default: the four plain ones)")
	    ->delimiter(',');
	app.add_option("--json", json_path, "Also write the results as JSON to FILE ('-': stdout)");
	app.add_option("--dir", opts.dir, "Where to make the scratch directory (not tmpfs)")
	    ->check(CLI::ExistingDirectory)
	    ->capture_default_str();
	app.add_option("--baseline", opts.baseline_cli,
	               "The fusebpf CLI of another build for the fusebpf-baseline column "
	               "(before/after a change, in one run)");
	app.add_option("--peer", opts.peer_path, "The passthrough_ll binary")
	    ->capture_default_str();
	app.add_option("--threads", opts.threads, "fusebpf mount --threads N (default: daemon's)")
	    ->check(CLI::Range(1, 1024));
	app.add_option("-o", opts.fusebpf_opts,
	               "Extra -o option for the fusebpf mounts (repeatable)");
	app.add_flag("--keep", opts.keep, "Keep the scratch directory (never anything mounted)");

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		int rc = app.exit(e);
		return rc == 0 ? 0 : 2;
	}

	if (filters) {
		if (opts.configs.empty())
			opts.configs = filter_preset_configs;
		if (opts.workloads.empty())
			opts.workloads = filter_preset_workloads;
		if (files_opt->count() == 0)
			opts.files = filter_preset_files;
		if (size_opt->count() == 0)
			opts.file_size = filter_preset_file_size;
		if (reps_opt->count() == 0)
			opts.reps = filter_preset_reps;
	}
	if (opts.configs.empty())
		for (auto &c : known_configs())
			if (c.by_default)
				opts.configs.push_back(c.name);
	std::vector<config_spec> configs;
	std::string why;
	for (auto &name : opts.configs) {
		auto spec = parse_config(name, why);
		if (!spec) {
			std::fprintf(stderr, "fusebpf-bench: %s\n", why.c_str());
			return 2;
		}
		configs.push_back(*spec);
	}
	auto workloads = select_workloads(opts.workloads, why);
	if (workloads.empty()) {
		std::fprintf(stderr, "fusebpf-bench: %s\n", why.c_str());
		return 2;
	}
	if (::geteuid() != 0) {
		std::fprintf(stderr, "fusebpf-bench: must run as root (it mounts FUSE file systems "
		                     "and drops the page cache)\n");
		return 1;
	}

	install_interrupt_handlers();
	rlim_t fd_limit = raise_fd_limit();
	if (fd_limit < static_cast<rlim_t>(opts.files) + 1000)
		std::fprintf(stderr,
		             "fusebpf-bench: warning: fd limit %lu is close to --files %d; "
		             "daemons that keep an fd per inode may fail with EMFILE\n",
		             static_cast<unsigned long>(fd_limit), opts.files);

	bench_result result;
	try {
		result = run_bench(opts, configs, workloads);
	} catch (const interrupted_error &) {
		std::fprintf(stderr,
		             "fusebpf-bench: interrupted; everything it mounted is unmounted\n");
		return 130;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "fusebpf-bench: %s\n", e.what());
		return 1;
	}

	std::FILE *table_out = json_path == "-" ? stderr : stdout;
	std::fputc('\n', table_out);
	print_report(result, table_out);
	if (!json_path.empty()) {
		auto text = to_json(result).dump(2) + "\n";
		if (json_path == "-") {
			std::fputs(text.c_str(), stdout);
		} else {
			std::ofstream f(json_path);
			f << text;
			if (!f) {
				std::fprintf(stderr, "fusebpf-bench: cannot write %s\n",
				             json_path.c_str());
				return 1;
			}
		}
	}
	return 0;
}
