// SPDX-License-Identifier: GPL-2.0-or-later
//
// bench_loader: what one filter call costs through fusebpf_loader's
// ops_table, the way the daemon makes it (one BPF_PROG_RUN per call, the
// context copied into the kernel and back).  Not a test: it prints numbers.
//   NoProgram     has_program() for an op without a program (no syscall)
//   Empty         an empty prefilter, 72-byte access context
//   NameCompare   three name compares on a 456-byte lookup context
//   MapLookup     name copy + hash-map lookup, 464-byte mkdir context
//   ReaddirBatch  32 dirents scanned by name, 9 KB readdir context
// The table is loaded under a unique name at start and unloaded at exit.
// Run as root; numbers mean something in a Release build without sanitizers.
#include "loader/load.h"
#include "loader/ops_table.h"
#include "loader/tables.h"

#include <fusebpf/filter_abi.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unistd.h>

namespace ld = fusebpf::loader;

namespace {

std::optional<ld::ops_table> table;

void set_name(fusebpf_name &n, const char *s)
{
	n.len = static_cast<__u32>(std::strlen(s));
	std::memcpy(n.name, s, n.len + 1);
}

void fail(benchmark::State &state, const ld::error &e)
{
	state.SkipWithError(e.message.c_str());
}

void NoProgram(benchmark::State &state)
{
	bool any = false;
	for (auto _ : state) {
		any |= table->has_program(FUSEBPF_OP_OPEN, FUSEBPF_PRE);
		benchmark::DoNotOptimize(any);
	}
	if (any)
		state.SkipWithError("open has a program?");
}

void Empty(benchmark::State &state)
{
	fusebpf_access_ctx ctx{};
	ctx.meta.opcode = FUSE_ACCESS | FUSE_PREFILTER;
	for (auto _ : state) {
		auto v = table->run(FUSEBPF_OP_ACCESS, FUSEBPF_PRE, ctx);
		if (!v)
			return fail(state, v.err());
	}
}

void NameCompare(benchmark::State &state)
{
	fusebpf_lookup_ctx ctx{};
	ctx.meta.opcode = FUSE_LOOKUP | FUSE_PREFILTER;
	set_name(ctx.name, "a-name-that-passes.txt"); // every compare runs
	for (auto _ : state) {
		auto v = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, ctx);
		if (!v || *v != BPF_FUSE_CONTINUE)
			return state.SkipWithError("lookup prefilter failed");
	}
}

void MapLookup(benchmark::State &state)
{
	fusebpf_mkdir_ctx ctx{};
	ctx.meta.opcode = FUSE_MKDIR | FUSE_PREFILTER;
	set_name(ctx.name, "a-directory");
	for (auto _ : state) {
		auto v = table->run(FUSEBPF_OP_MKDIR, FUSEBPF_PRE, ctx);
		if (!v || *v != BPF_FUSE_CONTINUE)
			return state.SkipWithError("mkdir prefilter failed");
	}
}

void ReaddirBatch(benchmark::State &state)
{
	auto ctx = std::make_unique<fusebpf_readdir_ctx>();
	std::memset(ctx.get(), 0, sizeof(*ctx));
	ctx->meta.opcode = FUSE_READDIR | FUSE_POSTFILTER;
	ctx->out.count = FUSEBPF_READDIR_BATCH;
	for (int i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		auto &e = ctx->out.entries[i];
		e.namelen =
		    static_cast<__u32>(std::snprintf(e.name, sizeof(e.name), "file-%03d", i));
	}
	for (auto _ : state) {
		auto v = table->run(FUSEBPF_OP_READDIR, FUSEBPF_POST, *ctx);
		if (!v)
			return fail(state, v.err());
	}
	state.SetItemsProcessed(state.iterations() * FUSEBPF_READDIR_BATCH);
}

BENCHMARK(NoProgram);
BENCHMARK(Empty);
BENCHMARK(NameCompare);
BENCHMARK(MapLookup);
BENCHMARK(ReaddirBatch);

// Unloads the bench table on every way out of main().
struct unload_at_exit {
	std::string name;
	~unload_at_exit() { (void)ld::unload_table(ld::default_pin_root, name); }
};

} // namespace

int main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	ld::load_options opts;
	opts.name = "bench_loader_" + std::to_string(::getpid());
	auto loaded = ld::load_filter(BENCH_FILTERS_OBJ, opts);
	if (!loaded) {
		std::fprintf(stderr, "bench_loader: %s\n", loaded.message().c_str());
		return 1;
	}
	unload_at_exit guard{opts.name};
	auto t = ld::ops_table::open_by_id(loaded->id);
	if (!t) {
		std::fprintf(stderr, "bench_loader: %s\n", t.message().c_str());
		return 1;
	}
	table.emplace(std::move(*t));
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	table.reset();
	return 0;
}
