// SPDX-License-Identifier: GPL-2.0-or-later
//
// runner: see runner.h.
#include "bench/daemon/runner.h"

#include "bench/daemon/interrupt.h"
#include "bench/daemon/sys_error.h"
#include "tests/support/mountinfo.h"

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <sched.h>
#include <sys/stat.h>

namespace fusebpf::bench {

namespace {

using clock = std::chrono::steady_clock;

__attribute__((format(printf, 1, 2))) void progress(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	std::vfprintf(stderr, fmt, ap);
	va_end(ap);
	std::fflush(stderr);
}

// The scratch directory; removed on destruction unless a mount is still
// inside it (then it is left, with a warning, rather than deleted through).
class scratch_dir {
public:
	explicit scratch_dir(const std::string &parent, bool keep) : keep_(keep)
	{
		std::string pattern = parent + "/fusebpf-bench.XXXXXX";
		std::vector<char> buf(pattern.begin(), pattern.end());
		buf.push_back('\0');
		if (!::mkdtemp(buf.data()))
			throw_errno("mkdtemp " + pattern);
		path_ = buf.data();
	}
	scratch_dir(const scratch_dir &) = delete;
	scratch_dir &operator=(const scratch_dir &) = delete;
	~scratch_dir()
	{
		for (auto &m : test::read_mountinfo())
			if (m.mount_point == path_ || m.mount_point.starts_with(path_ + "/")) {
				progress("fusebpf-bench: %s is still mounted; leaving %s\n",
				         m.mount_point.c_str(), path_.c_str());
				return;
			}
		if (keep_) {
			progress("fusebpf-bench: kept %s\n", path_.c_str());
			return;
		}
		std::error_code ec;
		std::filesystem::remove_all(path_, ec);
	}
	const std::string &path() const { return path_; }

private:
	std::string path_;
	bool keep_;
};

// Pins the calling thread to one CPU for its lifetime (no-op for cpu < 0),
// restoring the previous mask afterwards. Daemons are spawned before the pin,
// so they never inherit it.
class cpu_pin {
public:
	explicit cpu_pin(int cpu)
	{
		if (cpu < 0)
			return;
		if (::sched_getaffinity(0, sizeof(saved_), &saved_) != 0)
			throw_errno("sched_getaffinity");
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (::sched_setaffinity(0, sizeof(one), &one) != 0)
			throw_errno("pin to CPU " + std::to_string(cpu));
		pinned_ = true;
	}
	cpu_pin(const cpu_pin &) = delete;
	cpu_pin &operator=(const cpu_pin &) = delete;
	~cpu_pin()
	{
		if (pinned_)
			::sched_setaffinity(0, sizeof(saved_), &saved_);
	}

private:
	cpu_set_t saved_{};
	bool pinned_ = false;
};

// Per opcode, the counter `field` of `fusebpf stats --json` ("requests";
// "bpf_runs", present for ops that went through the filter engine).
std::map<std::string, uint64_t> op_counts(const nlohmann::json &stats, const char *field)
{
	std::map<std::string, uint64_t> counts;
	auto ops = stats.find("ops");
	if (ops == stats.end() || !ops->is_object())
		return counts;
	for (auto &[name, op] : ops->items()) {
		auto r = op.find(field);
		if (r != op.end() && r->is_number_unsigned())
			counts[name] = r->get<uint64_t>();
	}
	return counts;
}

void add_delta(std::map<std::string, uint64_t> &into, const std::map<std::string, uint64_t> &before,
               const std::map<std::string, uint64_t> &after)
{
	for (auto &[name, n] : after) {
		auto b = before.find(name);
		uint64_t d = n - (b == before.end() ? 0 : b->second);
		if (d > 0)
			into[name] += d;
	}
}

// Runs one workload on one target, all repetitions.
cell measure(const workload_info &info, const target &t, const bench_options &opts)
{
	cell c;
	workload_params params{t.root(), opts.files, opts.file_size, opts.seconds};
	std::unique_ptr<workload> w;
	try {
		w = info.make(params);
		w->setup();
		bool counting = t.daemon_stats().has_value();
		c.have_requests = counting;
		for (int rep = 0; rep < opts.reps; rep++) {
			w->prepare(rep);
			std::map<std::string, uint64_t> before, after, runs_before;
			if (counting)
				if (auto s = t.daemon_stats()) {
					before = op_counts(*s, "requests");
					runs_before = op_counts(*s, "bpf_runs");
				}
			auto t0 = clock::now();
			double amount = w->run(rep);
			auto t1 = clock::now();
			if (counting) {
				if (auto s = t.daemon_stats()) {
					after = op_counts(*s, "requests");
					add_delta(c.requests, before, after);
					add_delta(c.bpf_runs, runs_before,
					          op_counts(*s, "bpf_runs"));
				} else {
					counting = c.have_requests = false;
				}
			}
			double secs = std::chrono::duration<double>(t1 - t0).count();
			c.rates.push_back(amount / secs);
			c.units += amount;
		}
		w->teardown();
	} catch (const interrupted_error &) {
		throw;
	} catch (const std::exception &e) {
		if (interrupted())
			throw interrupted_error();
		c.error = e.what();
		if (w) {
			try {
				w->teardown();
			} catch (const std::exception &) {
				// the first error is the one to report
			}
		}
	}
	return c;
}

std::string format_rate(double v)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), v >= 100 ? "%.0f" : "%.1f", v);
	return buf;
}

void run_column(column &col, const bench_options &opts,
                const std::vector<const workload_info *> &workloads, const target_paths &paths)
{
	std::string why;
	auto t = start_target(col.spec.base, paths, opts, why);
	if (!t) {
		col.error = why;
		col.cells.assign(workloads.size(), cell{{}, "configuration did not start"});
		progress("  %s: could not start: %s\n", col.spec.name.c_str(), why.c_str());
		return;
	}
	col.command = t->command();
	try {
		cpu_pin pin(col.spec.pin_cpu);
		for (auto *w : workloads) {
			progress("  %-17s %-17s", col.spec.name.c_str(), w->name.c_str());
			col.cells.push_back(measure(*w, *t, opts));
			auto &c = col.cells.back();
			if (c.ok())
				progress(" %12s %s (median of %zu)\n",
				         format_rate(c.median()).c_str(), w->unit.c_str(),
				         c.rates.size());
			else
				progress(" FAILED: %s\n", c.error.c_str());
		}
	} catch (...) {
		col.ended = t->stop();
		throw;
	}
	col.ended = t->stop();
	t.reset();
	clean_leftovers(paths.backing);
}

} // namespace

double cell::median() const
{
	if (rates.empty())
		return 0;
	auto sorted = rates;
	std::sort(sorted.begin(), sorted.end());
	size_t n = sorted.size();
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double cell::best() const
{
	return rates.empty() ? 0 : *std::max_element(rates.begin(), rates.end());
}

bench_result run_bench(const bench_options &opts, const std::vector<config_spec> &configs,
                       const std::vector<const workload_info *> &workloads)
{
	auto start = clock::now();
	scratch_dir scratch(opts.dir, opts.keep);
	target_paths paths{scratch.path() + "/backing", scratch.path() + "/mnt",
	                   scratch.path() + "/peer.log"};
	for (auto *dir : {&paths.backing, &paths.mountpoint})
		if (::mkdir(dir->c_str(), 0755) != 0)
			throw_errno("mkdir " + *dir);

	bench_result result;
	result.sys = probe_system(paths.backing);
	result.opts = opts;
	result.workloads = workloads;

	dataset_needs needs;
	for (auto *w : workloads) {
		needs.tree |= w->needs.tree;
		needs.data |= w->needs.data;
	}
	progress("fusebpf-bench: dataset in %s (%d files, %llu MiB file)\n", paths.backing.c_str(),
	         needs.tree ? opts.files : 0,
	         needs.data ? static_cast<unsigned long long>(opts.file_size >> 20) : 0ull);
	make_dataset(paths.backing, needs, opts.files, opts.file_size);

	for (auto &spec : configs) {
		column col;
		col.spec = spec;
		for (auto &c : known_configs())
			if (c.name == spec.base)
				col.about = c.about;
		if (spec.pin_cpu >= 0)
			col.about +=
			    " (benchmark pinned to CPU " + std::to_string(spec.pin_cpu) + ")";
		run_column(col, opts, workloads, paths);
		result.columns.push_back(std::move(col));
	}
	result.seconds = std::chrono::duration<double>(clock::now() - start).count();
	result.loadavg_end = current_loadavg();
	return result;
}

} // namespace fusebpf::bench
