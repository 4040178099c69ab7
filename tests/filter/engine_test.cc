// SPDX-License-Identifier: GPL-2.0-or-later
//
// The filter state machine (daemon/filter/engine.h) on real BPF programs:
// every verdict for lookup, getattr, mkdir, readdir, setxattr, unlink;
// input rewriting reaching the backing op, output rewriting reaching the
// caller, error_in in postfilters, error remapping, CALL_DEFAULT and
// default_filter, zero BPF runs for ops without programs, garbage verdicts
// and filters that fail to run.  The backing op is a lambda that records
// what it was given.  See bpf/engine_test.bpf.c for the programs' rules.
#include "filter_test_util.h"

#include <sys/stat.h>

#include <cerrno>
#include <memory>

namespace fl = fusebpf::filter;
namespace ft = fusebpf::filter_test;

namespace {

class EngineTest : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		engine_table_ = std::make_unique<ft::loaded_table>(ENGINE_TEST_OBJ, "engine");
		defaults_table_ = std::make_unique<ft::loaded_table>(DEFAULTS_TEST_OBJ, "defaults");
		lookup_only_table_ = std::make_unique<ft::loaded_table>(LOOKUP_ONLY_OBJ, "lookup");
		run_failure_table_ = std::make_unique<ft::loaded_table>(RUN_FAILURE_OBJ, "runfail");
	}
	static void TearDownTestSuite()
	{
		engine_table_.reset();
		defaults_table_.reset();
		lookup_only_table_.reset();
		run_failure_table_.reset();
	}
	void SetUp() override
	{
		for (auto *t : {engine_table_.get(), defaults_table_.get(),
		                lookup_only_table_.get(), run_failure_table_.get()})
			ASSERT_TRUE(t->table()) << t->error();
		bound_ = fl::binding::make(engine_table_->table(), nullptr);
	}

	// getattr through the engine with a backing op that reports mode 0666.
	int getattr(std::uint64_t nodeid, std::uint64_t fh, int backing_result,
	            fusebpf_getattr_ctx &ctx, bool &backing_ran)
	{
		ctx = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, nodeid);
		ctx.in.fh = fh;
		backing_ran = false;
		fl::user_io io;
		return engine_.run(*bound_, ctx, io, [&](fusebpf_getattr_ctx &c) {
			backing_ran = true;
			c.out.attr.mode = S_IFREG | 0666;
			c.out.attr.size = 99;
			return backing_result;
		});
	}

	static inline std::unique_ptr<ft::loaded_table> engine_table_;
	static inline std::unique_ptr<ft::loaded_table> defaults_table_;
	static inline std::unique_ptr<ft::loaded_table> lookup_only_table_;
	static inline std::unique_ptr<ft::loaded_table> run_failure_table_;

	fl::filter_stats stats_;
	fl::engine engine_{stats_};
	fl::binding_ptr bound_;
};

TEST_F(EngineTest, LookupContinueRunsTheBackingOpAndNoPostfilter)
{
	auto ctx = ft::lookup_ctx("plain");
	std::string seen;
	fl::user_io io;
	int r = engine_.run(*bound_, ctx, io, [&](fusebpf_lookup_ctx &c) {
		seen = ft::ctx_name(c.name);
		c.out.entry.nodeid = 5;
		c.out.entry.attr.size = 10;
		return 0;
	});
	EXPECT_EQ(r, 0);
	EXPECT_EQ(seen, "plain");
	EXPECT_EQ(ctx.out.entry.nodeid, 5u);
	EXPECT_EQ(ctx.out.entry.attr.size, 10u) << "no postfilter for CONTINUE";
	EXPECT_EQ(ctx.meta.opcode, static_cast<__u32>(FUSE_LOOKUP)) << "meta handed back as given";
	EXPECT_EQ(stats_.bpf_runs(FUSE_LOOKUP), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_LOOKUP, fl::verdict_kind::continue_), 1u);
	EXPECT_EQ(stats_.filtered(FUSE_LOOKUP), 1u);
}

TEST_F(EngineTest, LookupErrorVerdictFailsTheOpWithoutTheBackingOp)
{
	auto ctx = ft::lookup_ctx("hidden");
	bool ran = false;
	fl::user_io io;
	int r = engine_.run(*bound_, ctx, io, [&](auto &) {
		ran = true;
		return 0;
	});
	EXPECT_EQ(r, -ENOENT);
	EXPECT_FALSE(ran);
	EXPECT_EQ(stats_.verdicts(FUSE_LOOKUP, fl::verdict_kind::error_code), 1u);
}

TEST_F(EngineTest, LookupPrefilterRewritesTheNameTheBackingOpUses)
{
	auto ctx = ft::lookup_ctx("alias");
	std::string seen;
	fl::user_io io;
	int r = engine_.run(*bound_, ctx, io, [&](fusebpf_lookup_ctx &c) {
		seen = ft::ctx_name(c.name);
		return 0;
	});
	EXPECT_EQ(r, 0);
	EXPECT_EQ(seen, "target");
}

TEST_F(EngineTest, LookupPostfilterRewritesOutputsButNotInputs)
{
	auto ctx = ft::lookup_ctx("post_file");
	fl::user_io io;
	int r = engine_.run(*bound_, ctx, io, [&](fusebpf_lookup_ctx &c) {
		c.out.entry.nodeid = 9;
		c.out.entry.attr.size = 1;
		return 0;
	});
	EXPECT_EQ(r, 0);
	EXPECT_EQ(ctx.out.entry.attr.size, 4242u) << "the postfilter's output reaches the caller";
	EXPECT_EQ(ctx.out.entry.nodeid, 9u);
	EXPECT_EQ(ctx.out.entry.attr.rdev, 0u) << "error_in was 0";
	EXPECT_EQ(ft::ctx_name(ctx.name), "post_file") << "postfilter inputs are read-only";
	EXPECT_EQ(ctx.meta.opcode, static_cast<__u32>(FUSE_LOOKUP));
	EXPECT_EQ(ctx.meta.error_in, 0);
	EXPECT_EQ(stats_.bpf_runs(FUSE_LOOKUP), 2u);
	EXPECT_EQ(stats_.verdicts(FUSE_LOOKUP, fl::verdict_kind::postfilter), 1u);
}

TEST_F(EngineTest, LookupPostfilterSeesErrorInAndRemapsIt)
{
	auto ctx = ft::lookup_ctx("post_missing");
	fl::user_io io;
	int r = engine_.run(*bound_, ctx, io, [&](auto &) { return -ENOENT; });
	EXPECT_EQ(r, -EPERM) << "ENOENT remapped to EPERM by the BPF postfilter";
	EXPECT_EQ(ctx.out.entry.attr.rdev, static_cast<__u32>(ENOENT)) << "error_in seen";
}

TEST_F(EngineTest, BackingErrorsMayBePositiveErrnos)
{
	auto ctx = ft::lookup_ctx("post_missing");
	fl::user_io io;
	EXPECT_EQ(engine_.run(*bound_, ctx, io, [&](auto &) { return ENOENT; }), -EPERM);
}

TEST_F(EngineTest, GetattrEveryPrefilterVerdict)
{
	fusebpf_getattr_ctx ctx;
	bool ran;
	// CONTINUE
	EXPECT_EQ(getattr(1000, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	EXPECT_EQ(ctx.out.attr.mode, S_IFREG | 0666u);
	// USER without a user filter: plain passthrough
	EXPECT_EQ(getattr(1001, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	EXPECT_EQ(ctx.out.attr.mode, S_IFREG | 0666u);
	// USER_PREFILTER without a user filter: continue
	EXPECT_EQ(getattr(1002, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	// POSTFILTER: the postfilter clears the write bits
	EXPECT_EQ(getattr(1003, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	EXPECT_EQ(ctx.out.attr.mode, S_IFREG | 0444u);
	EXPECT_EQ(ctx.out.attr.size, 99u);
	EXPECT_EQ(ctx.in.fh, 0u) << "postfilter input change ignored";
	// USER_POSTFILTER without a user filter: the backing answer as is
	EXPECT_EQ(getattr(1004, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	EXPECT_EQ(ctx.out.attr.mode, S_IFREG | 0666u);
	// CALL_DEFAULT without a default_filter: CONTINUE
	EXPECT_EQ(getattr(1005, 0, 0, ctx, ran), 0);
	EXPECT_TRUE(ran);
	// negative errno
	EXPECT_EQ(getattr(2000 + EACCES, 0, 0, ctx, ran), -EACCES);
	EXPECT_FALSE(ran);
	// garbage: EIO, counted
	EXPECT_EQ(getattr(1042, 0, 0, ctx, ran), -EIO);
	EXPECT_FALSE(ran);
	EXPECT_EQ(stats_.errors(FUSE_GETATTR, fl::filter_error::invalid_verdict), 1u);

	using K = fl::verdict_kind;
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::continue_), 1u + 1u); // 1000 + 1003's post
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::user), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::user_prefilter), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::postfilter), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::user_postfilter), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::call_default), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, K::error_code), 1u);
	EXPECT_EQ(stats_.filtered(FUSE_GETATTR), 8u);
	EXPECT_EQ(stats_.bpf_runs(FUSE_GETATTR), 9u);
	std::uint64_t timed = 0;
	for (int b = 0; b < fl::latency_buckets; b++)
		timed += stats_.latency(FUSE_GETATTR, b);
	EXPECT_EQ(timed, 8u) << "one latency sample per op";
}

TEST_F(EngineTest, GetattrEveryPostfilterVerdict)
{
	fusebpf_getattr_ctx ctx;
	bool ran;
	// error_in is the backing op's result; CONTINUE keeps it
	EXPECT_EQ(getattr(1003, 0, -ENOENT, ctx, ran), -ENOENT);
	EXPECT_EQ(ctx.out.attr.rdev, static_cast<__u32>(ENOENT));
	// a negative verdict replaces the result
	EXPECT_EQ(getattr(1003, 2000 + EXDEV, 0, ctx, ran), -EXDEV);
	// USER_POSTFILTER without a user filter: unchanged
	EXPECT_EQ(getattr(1003, BPF_FUSE_USER_POSTFILTER, 0, ctx, ran), 0);
	EXPECT_EQ(ctx.out.attr.mode, S_IFREG | 0444u);
	// CALL_DEFAULT without default: CONTINUE
	EXPECT_EQ(getattr(1003, BPF_FUSE_CALL_DEFAULT, 0, ctx, ran), 0);
	// USER and POSTFILTER are not postfilter verdicts; 42 is garbage
	EXPECT_EQ(getattr(1003, BPF_FUSE_USER, 0, ctx, ran), -EIO);
	EXPECT_EQ(getattr(1003, BPF_FUSE_POSTFILTER, 0, ctx, ran), -EIO);
	EXPECT_EQ(getattr(1003, 42, 0, ctx, ran), -EIO);
	EXPECT_EQ(stats_.errors(FUSE_GETATTR, fl::filter_error::invalid_verdict), 3u);
	EXPECT_EQ(ctx.meta.opcode, static_cast<__u32>(FUSE_GETATTR));
}

TEST_F(EngineTest, MkdirPostfilterRemapsEexistToEperm)
{
	auto mkdir = [&](std::string_view name, int backing_result, bool &ran) {
		auto ctx = ft::make_ctx<fusebpf_mkdir_ctx>(FUSE_MKDIR, 1);
		ctx.in.mode = 0755;
		ft::set_ctx_name(ctx.name, name);
		ran = false;
		fl::user_io io;
		int r = engine_.run(*bound_, ctx, io, [&](fusebpf_mkdir_ctx &c) {
			ran = true;
			c.out.entry.nodeid = 3;
			return backing_result;
		});
		return std::make_pair(r, ctx.out.entry.attr.ino);
	};
	bool ran;
	auto [r1, ino1] = mkdir("d", 0, ran);
	EXPECT_EQ(r1, 0);
	EXPECT_EQ(ino1, 777u);
	auto [r2, ino2] = mkdir("d", -EEXIST, ran);
	EXPECT_EQ(r2, -EPERM);
	EXPECT_TRUE(ran);
	(void)ino2;
	auto [r3, ino3] = mkdir("deny", 0, ran);
	EXPECT_EQ(r3, -EACCES);
	EXPECT_FALSE(ran);
	(void)ino3;
}

TEST_F(EngineTest, ReaddirPostfilterDropsAndRewritesABatchInOneRun)
{
	const char *names[] = {"a", "secret", "old", "b", "secret"};
	for (std::uint32_t opcode : {FUSE_READDIR, FUSE_READDIRPLUS}) {
		auto ctx = ft::make_ctx<fusebpf_readdir_ctx>(opcode, 1);
		fl::user_io io;
		std::uint64_t runs_before = stats_.total_bpf_runs();
		int r = engine_.run(*bound_, ctx, io, [&](fusebpf_readdir_ctx &c) {
			for (const char *n : names) {
				fusebpf_dirent &e = c.out.entries[c.out.count];
				e.ino = 10 + c.out.count;
				e.off = c.out.count + 1;
				e.namelen = static_cast<__u32>(std::strlen(n));
				std::memcpy(e.name, n, e.namelen + 1);
				c.out.count++;
			}
			return 0;
		});
		EXPECT_EQ(r, 0);
		EXPECT_EQ(ctx.out.count, 5u);
		EXPECT_EQ(ctx.out.drop_mask, (1ull << 1) | (1ull << 4));
		EXPECT_STREQ(ctx.out.entries[2].name, "new");
		EXPECT_STREQ(ctx.out.entries[0].name, "a");
		EXPECT_EQ(stats_.total_bpf_runs() - runs_before, 2u)
		    << "one pre, one post per batch";
	}
	EXPECT_EQ(stats_.filtered(FUSE_READDIRPLUS), 1u);
}

TEST_F(EngineTest, ReaddirTwoPhaseRunsThePrefilterOnceAndThePostfilterPerBatch)
{
	auto ctx = ft::make_ctx<fusebpf_readdir_ctx>(FUSE_READDIR, 1);
	fl::user_io io;
	fl::pass p = engine_.begin(*bound_, ctx, io);
	ASSERT_FALSE(p.done());
	for (int batch = 0; batch < 3; batch++) {
		ctx.out = {};
		ctx.out.count = 1;
		const char *name = batch == 1 ? "secret" : "x";
		ctx.out.entries[0].namelen = static_cast<__u32>(std::strlen(name));
		std::memcpy(ctx.out.entries[0].name, name, ctx.out.entries[0].namelen + 1);
		EXPECT_EQ(engine_.finish(p, ctx, io, 0), 0);
		EXPECT_EQ(ctx.out.drop_mask, batch == 1 ? 1u : 0u);
	}
	EXPECT_EQ(stats_.bpf_runs(FUSE_READDIR), 4u);
	std::uint64_t timed = 0;
	for (int b = 0; b < fl::latency_buckets; b++)
		timed += stats_.latency(FUSE_READDIR, b);
	EXPECT_EQ(timed, 1u);
}

TEST_F(EngineTest, SetxattrPrefilterRewritesTheValueOrDenies)
{
	auto setx = [&](std::string_view name, std::string_view value, std::string &seen) {
		auto ctx = ft::make_ctx<fusebpf_setxattr_ctx>(FUSE_SETXATTR, 1);
		ft::set_ctx_name(ctx.name, name);
		ctx.in.size = static_cast<__u32>(value.size());
		ctx.value.size = static_cast<__u32>(value.size());
		std::memcpy(ctx.value.data, value.data(), value.size());
		fl::user_io io;
		seen.clear();
		return engine_.run(*bound_, ctx, io, [&](fusebpf_setxattr_ctx &c) {
			seen.assign(c.value.data, c.value.size);
			return 0;
		});
	};
	std::string seen;
	EXPECT_EQ(setx("user.upper", "abc", seen), 0);
	EXPECT_EQ(seen, "Abc");
	EXPECT_EQ(setx("user.other", "abc", seen), 0);
	EXPECT_EQ(seen, "abc");
	EXPECT_EQ(setx("user.deny", "abc", seen), -EPERM);
	EXPECT_EQ(seen, "");
}

TEST_F(EngineTest, UnlinkErrorAndGarbage)
{
	auto unlink = [&](std::uint64_t parent) {
		auto ctx = ft::make_ctx<fusebpf_unlink_ctx>(FUSE_UNLINK, parent);
		ft::set_ctx_name(ctx.name, "f");
		fl::user_io io;
		return engine_.run(*bound_, ctx, io, [&](auto &) { return 0; });
	};
	EXPECT_EQ(unlink(1), 0);
	EXPECT_EQ(unlink(2000 + EPERM), -EPERM);
	EXPECT_EQ(unlink(1042), -EIO);
	EXPECT_EQ(stats_.errors(FUSE_UNLINK, fl::filter_error::invalid_verdict), 1u);
}

TEST_F(EngineTest, CallDefaultAndDefaultFilter)
{
	auto b = fl::binding::make(defaults_table_->table(), nullptr);
	EXPECT_TRUE(b->wants(FUSEBPF_OP_UNLINK)) << "a default_filter makes every op filtered";

	// getattr: pre CALL_DEFAULT -> default POSTFILTER -> backing -> no
	// postfilter program -> default again -> -EXDEV.
	auto ctx = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 1);
	bool ran = false;
	fl::user_io io;
	int r = engine_.run(*b, ctx, io, [&](auto &) {
		ran = true;
		return 0;
	});
	EXPECT_EQ(r, -EXDEV);
	EXPECT_TRUE(ran);
	EXPECT_EQ(stats_.bpf_runs(FUSE_GETATTR), 3u);
	EXPECT_EQ(stats_.verdicts(FUSE_GETATTR, fl::verdict_kind::call_default), 1u);

	// unlink has no program: the default filter decides (-EROFS).
	auto u = ft::make_ctx<fusebpf_unlink_ctx>(FUSE_UNLINK, 1);
	ran = false;
	EXPECT_EQ(engine_.run(*b, u, io,
	                      [&](auto &) {
		                      ran = true;
		                      return 0;
	                      }),
	          -EROFS);
	EXPECT_FALSE(ran);
	EXPECT_EQ(stats_.bpf_runs(FUSE_UNLINK), 1u);

	// lookup: default CONTINUE.
	auto l = ft::lookup_ctx("x");
	EXPECT_EQ(engine_.run(*b, l, io, [&](auto &) { return 0; }), 0);
	EXPECT_EQ(stats_.bpf_runs(FUSE_LOOKUP), 1u);
}

TEST_F(EngineTest, AnOpWithoutProgramCostsZeroBpfRuns)
{
	auto b = fl::binding::make(lookup_only_table_->table(), nullptr);
	EXPECT_TRUE(b->wants(FUSEBPF_OP_LOOKUP));
	for (int i = 0; i < FUSEBPF_OP_COUNT; i++) {
		auto op = static_cast<fusebpf_op>(i);
		if (op != FUSEBPF_OP_LOOKUP) {
			EXPECT_FALSE(b->wants(op)) << fl::op_name(op);
		}
	}
	EXPECT_FALSE(b->filters_data());
	EXPECT_FALSE(bound_->wants(FUSEBPF_OP_ACCESS)) << "engine_test has no access program";
	EXPECT_TRUE(bound_->filters_data()) << "engine_test filters read and write";

	// Even called anyway, the engine runs nothing for them.
	for (int i = 0; i < 100; i++) {
		auto ctx = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 1003);
		fl::user_io io;
		EXPECT_EQ(engine_.run(*b, ctx, io, [](auto &) { return 0; }), 0);
	}
	EXPECT_EQ(stats_.total_bpf_runs(), 0u);
	auto l = ft::lookup_ctx("hidden");
	fl::user_io io;
	EXPECT_EQ(engine_.run(*b, l, io, [](auto &) { return 0; }), -ENOENT);
	EXPECT_EQ(stats_.total_bpf_runs(), 1u);

	// The empty binding wants nothing.
	EXPECT_FALSE(fl::binding::none()->active());
}

TEST_F(EngineTest, AFilterThatFailsToRunFailsTheOpWithEioAndIsCounted)
{
	auto b = fl::binding::make(run_failure_table_->table(), nullptr);
	for (int i = 0; i < 3; i++) {
		auto ctx = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 1);
		bool ran = false;
		fl::user_io io;
		EXPECT_EQ(engine_.run(*b, ctx, io,
		                      [&](auto &) {
			                      ran = true;
			                      return 0;
		                      }),
		          -EIO);
		EXPECT_FALSE(ran);
	}
	EXPECT_EQ(stats_.errors(FUSE_GETATTR, fl::filter_error::run_failure), 3u);
	EXPECT_EQ(stats_.bpf_runs(FUSE_GETATTR), 3u);
}

} // namespace
