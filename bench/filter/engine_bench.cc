// SPDX-License-Identifier: GPL-2.0-or-later
//
// fusebpf-filter-bench: the cost of one filter engine pass (daemon/filter/
// engine.h) on real BPF programs, without FUSE: what the filters add to an
// op, next to the ~7-45 us of a FUSE round trip (docs/design.md §3-§4).
//
// Cases (a getattr whose backing op is a lambda filling the attributes):
//   wants() false      the fast path: binding::wants() and the backing op
//   no program         engine.run() called anyway on an op the table lacks
//   prefilter only     one BPF_PROG_RUN (CONTINUE)
//   pre + post         two BPF_PROG_RUNs and the input save/restore
//   lookup prefilter   a 456-byte context with a name compare
//   resolve            binding_point::resolve() three levels deep
//   raw BPF_PROG_RUN   ops_table::run() alone, for reference
// Prints ns per pass (median of 5 runs of N passes).  Needs root (loads a
// table under a unique name, unloads it at exit).  Numbers mean something
// only in a Release build without sanitizers.
#include "daemon/filter/binding.h"
#include "daemon/filter/engine.h"
#include "loader/load.h"
#include "loader/ops_table.h"
#include "loader/tables.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fl = fusebpf::filter;
namespace ld = fusebpf::loader;

namespace {

// Unloads the table at scope exit, whatever happens.
struct table_guard {
	std::string name;
	~table_guard() { (void)ld::unload_table(ld::default_pin_root, name); }
};

double ns_per_pass(int n, const std::function<void()> &pass)
{
	std::vector<double> runs;
	for (int r = 0; r < 5; r++) {
		auto t0 = std::chrono::steady_clock::now();
		for (int i = 0; i < n; i++)
			pass();
		auto t1 = std::chrono::steady_clock::now();
		runs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
	}
	std::sort(runs.begin(), runs.end());
	return runs[2];
}

} // namespace

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 200000;
	if (n <= 0) {
		std::fprintf(stderr, "usage: %s [PASSES]\n", argv[0]);
		return 2;
	}
	table_guard guard{"fbench_" + std::to_string(::getpid())};
	ld::load_options o;
	o.name = guard.name;
	auto info = ld::load_filter(FILTER_BENCH_OBJ, o);
	if (!info) {
		std::fprintf(stderr, "fusebpf-filter-bench: %s\n", info.message().c_str());
		return 1;
	}
	auto t = ld::ops_table::open_by_id(info->id);
	if (!t) {
		std::fprintf(stderr, "fusebpf-filter-bench: %s\n", t.message().c_str());
		return 1;
	}
	auto table = std::make_shared<const ld::ops_table>(std::move(*t));
	fl::binding_tree tree;
	tree.root()->set(fl::binding::make(table, nullptr));
	auto leaf = tree.make_child(tree.make_child(tree.root()));
	fl::filter_stats stats;
	fl::engine eng(stats);
	fl::binding_ptr b = tree.root()->resolve();

	auto backing = [](fusebpf_getattr_ctx &c) {
		c.out.attr.mode = S_IFREG | 0666;
		c.out.attr.size = 4096;
		return 0;
	};
	auto getattr_pass = [&](std::uint64_t nodeid, bool check_wants) {
		fusebpf_getattr_ctx ctx{};
		ctx.meta.nodeid = nodeid;
		ctx.meta.opcode = FUSE_GETATTR;
		fl::user_io io;
		int r;
		if (check_wants && !b->wants(FUSEBPF_OP_ACCESS))
			r = backing(ctx);
		else
			r = eng.run(*b, ctx, io, backing);
		if (r != 0)
			std::abort();
	};
	auto access_pass = [&] {
		fusebpf_access_ctx ctx{};
		ctx.meta.opcode = FUSE_ACCESS;
		fl::user_io io;
		if (eng.run(*b, ctx, io, [](auto &) { return 0; }) != 0)
			std::abort();
	};
	auto lookup_pass = [&] {
		fusebpf_lookup_ctx ctx{};
		ctx.meta.opcode = FUSE_LOOKUP;
		ctx.name.len = 4;
		std::memcpy(ctx.name.name, "file", 5);
		fl::user_io io;
		if (eng.run(*b, ctx, io, [](auto &) { return 0; }) != 0)
			std::abort();
	};
	auto resolve_pass = [&] {
		if (!leaf->resolve())
			std::abort();
	};
	auto raw_run_pass = [&] {
		fusebpf_getattr_ctx ctx{};
		ctx.meta.nodeid = 1;
		if (!table->run(FUSEBPF_OP_GETATTR, FUSEBPF_PRE, ctx))
			std::abort();
	};
	struct row {
		const char *name;
		const char *bpf_runs;
		std::function<void()> pass;
	};
	const row rows[] = {
	    {"wants() false (fast path)", "0", [&] { getattr_pass(1, true); }},
	    {"no program (engine called)", "0", access_pass},
	    {"prefilter only (CONTINUE)", "1", [&] { getattr_pass(1, false); }},
	    {"pre + post (POSTFILTER)", "2", [&] { getattr_pass(2, false); }},
	    {"lookup prefilter (name cmp)", "1", lookup_pass},
	    {"resolve() 3 levels deep", "0", resolve_pass},
	    {"raw BPF_PROG_RUN (getattr pre)", "1", raw_run_pass},
	};
	// Other load skews every number here (2 cores): print it with them.
	std::string loadavg;
	std::getline(std::ifstream("/proc/loadavg"), loadavg);
	std::printf("fusebpf-filter-bench: one engine pass, median of 5 x %d passes (loadavg %s)\n",
	            n, loadavg.c_str());
	std::printf("%-32s %10s %9s\n", "CASE", "NS/PASS", "BPF_RUNS");
	for (const auto &r : rows)
		std::printf("%-32s %10.1f %9s\n", r.name, ns_per_pass(n, r.pass), r.bpf_runs);
	return 0;
}
