// SPDX-License-Identifier: GPL-2.0-or-later
//
// Filters tested without a table or a mount (the scx lib/selftests way): the
// test filter is loaded from its skeleton, each program is run with
// bpf_prog_test_run_opts(.ctx_in = &ctx), and the test asserts the verdict
// and the context the kernel wrote back.  This pins down the helpers of
// fusebpf.bpf.h (name eq/prefix/suffix, name copy + map lookup, dirent
// read/drop, ring-buffer trace with file:line) on the real verifier and JIT.
#include "loader/libbpf_setup.h"
#include "test_util.h"

#include "loader_test.skel.h"

#include <fusebpf/filter_abi.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct skel_deleter {
	void operator()(loader_test *s) const { loader_test__destroy(s); }
};
using skel_ptr = std::unique_ptr<loader_test, skel_deleter>;

template <typename Ctx> int run(bpf_program *prog, Ctx &ctx)
{
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	EXPECT_EQ(err, 0) << std::strerror(errno);
	return static_cast<int>(opts.retval);
}

void set_name(fusebpf_name &n, const std::string &s)
{
	std::memset(&n, 0, sizeof(n));
	std::memcpy(n.name, s.data(), s.size());
	n.len = static_cast<__u32>(s.size());
}

fusebpf_lookup_ctx lookup_ctx(const std::string &name, __u32 side = FUSE_PREFILTER)
{
	fusebpf_lookup_ctx ctx{};
	ctx.meta.nodeid = FUSE_ROOT_ID;
	ctx.meta.opcode = FUSE_LOOKUP | side;
	ctx.meta.abi_version = FUSEBPF_ABI_VERSION;
	set_name(ctx.name, name);
	return ctx;
}

class FilterTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(fusebpf::loader::setup_libbpf(), 0);
		skel_.reset(loader_test__open());
		ASSERT_TRUE(skel_) << "open: " << std::strerror(errno);
	}
	void load() { ASSERT_EQ(loader_test__load(skel_.get()), 0) << std::strerror(errno); }

	skel_ptr skel_;
};

TEST_F(FilterTest, ProgramsAreSleepableSyscallPrograms)
{
	load();
	bpf_prog_info info{};
	__u32 len = sizeof(info);
	ASSERT_EQ(bpf_obj_get_info_by_fd(bpf_program__fd(skel_->progs.loader_test_lookup_prefilter),
	                                 &info, &len),
	          0);
	EXPECT_EQ(info.type, BPF_PROG_TYPE_SYSCALL);
	EXPECT_TRUE(bpf_program__flags(skel_->progs.loader_test_lookup_prefilter) &
	            BPF_F_SLEEPABLE);
}

TEST_F(FilterTest, LookupPrefilterVerdictsByName)
{
	load();
	auto *prog = skel_->progs.loader_test_lookup_prefilter;
	struct {
		const char *name;
		int verdict;
	} cases[] = {
	    {"secret", -ENOENT},
	    {"secrets", BPF_FUSE_CONTINUE},
	    {"secre", BPF_FUSE_CONTINUE},
	    {"a.tmp", -EACCES},
	    {".tmp", -EACCES},
	    {"tmp", BPF_FUSE_CONTINUE},
	    {"a.tmpx", BPF_FUSE_CONTINUE},
	    {"post", BPF_FUSE_POSTFILTER},
	    {"postcard", BPF_FUSE_POSTFILTER},
	    {"pos", BPF_FUSE_CONTINUE},
	    {"user", BPF_FUSE_USER},
	    {"", BPF_FUSE_CONTINUE},
	};
	for (const auto &c : cases) {
		auto ctx = lookup_ctx(c.name);
		EXPECT_EQ(run(prog, ctx), c.verdict) << "name '" << c.name << "'";
	}
	// The longest name: the suffix helper reads its last bytes.
	auto ctx = lookup_ctx(std::string(251, 'x') + ".tmp");
	EXPECT_EQ(ctx.name.len, 255u);
	EXPECT_EQ(run(prog, ctx), -EACCES);
}

TEST_F(FilterTest, LookupPrefilterRewritesItsInput)
{
	load();
	auto ctx = lookup_ctx("alias");
	EXPECT_EQ(run(skel_->progs.loader_test_lookup_prefilter, ctx), BPF_FUSE_CONTINUE);
	EXPECT_STREQ(ctx.name.name, "target");
	EXPECT_EQ(ctx.name.len, 6u);
	EXPECT_EQ(ctx.meta.nodeid, FUSE_ROOT_ID); // untouched
}

TEST_F(FilterTest, NameSetWritesALongerNameIntoTheContext)
{
	load();
	auto ctx = lookup_ctx("long-alias");
	EXPECT_EQ(run(skel_->progs.loader_test_lookup_prefilter, ctx), BPF_FUSE_CONTINUE);
	EXPECT_EQ(ctx.name.len, 40u);
	EXPECT_EQ(std::string(ctx.name.name, ctx.name.len),
	          "a-much-longer-target-name-of-40-bytes-xx");
	EXPECT_EQ(ctx.meta.nodeid, FUSE_ROOT_ID); // untouched
}

TEST_F(FilterTest, LookupPostfilterRewritesOutputsAndMapsErrors)
{
	load();
	auto *prog = skel_->progs.loader_test_lookup_postfilter;
	auto ctx = lookup_ctx("post", FUSE_POSTFILTER);
	ctx.out.entry.nodeid = 42;
	ctx.out.entry.attr.size = 1;
	EXPECT_EQ(run(prog, ctx), BPF_FUSE_CONTINUE);
	EXPECT_EQ(ctx.out.entry.attr.size, 4242u);
	EXPECT_EQ(ctx.out.entry.entry_valid, 7u);
	EXPECT_EQ(ctx.out.entry.nodeid, 42u);

	auto missing = lookup_ctx("post", FUSE_POSTFILTER);
	missing.meta.error_in = -ENOENT;
	EXPECT_EQ(run(prog, missing), -EPERM);
}

TEST_F(FilterTest, RodataKnobIsSetBeforeLoad)
{
	skel_->rodata->loader_test_clear_mode = 0200;
	load();
	fusebpf_getattr_ctx ctx{};
	ctx.meta.opcode = FUSE_GETATTR | FUSE_POSTFILTER;
	ctx.out.attr.mode = 0100666;
	EXPECT_EQ(run(skel_->progs.loader_test_getattr_postfilter, ctx), BPF_FUSE_CONTINUE);
	EXPECT_EQ(ctx.out.attr.mode, 0100466u);
}

TEST_F(FilterTest, MkdirPrefilterUsesTheDenyMap)
{
	load();
	char key[64] = "blocked";
	__u32 one = 1;
	ASSERT_EQ(bpf_map__update_elem(skel_->maps.deny_names, key, sizeof(key), &one, sizeof(one),
	                               BPF_ANY),
	          0);
	fusebpf_mkdir_ctx ctx{};
	ctx.meta.opcode = FUSE_MKDIR | FUSE_PREFILTER;
	set_name(ctx.name, "blocked");
	EXPECT_EQ(run(skel_->progs.loader_test_mkdir_prefilter, ctx), -EACCES);
	set_name(ctx.name, "fine");
	EXPECT_EQ(run(skel_->progs.loader_test_mkdir_prefilter, ctx), BPF_FUSE_CONTINUE);
}

int collect_event(void *out, void *data, size_t size)
{
	auto *events = static_cast<std::vector<fusebpf_trace_event> *>(out);
	if (size >= sizeof(fusebpf_trace_event)) {
		fusebpf_trace_event e;
		std::memcpy(&e, data, sizeof(e));
		events->push_back(e);
	}
	return 0;
}

TEST_F(FilterTest, ErrorMacroTracesFileLineToTheRingBuffer)
{
	load();
	std::vector<fusebpf_trace_event> events;
	ring_buffer *rb =
	    ring_buffer__new(bpf_map__fd(skel_->maps.events), collect_event, &events, nullptr);
	ASSERT_NE(rb, nullptr);

	fusebpf_unlink_ctx ctx{};
	ctx.meta.opcode = FUSE_UNLINK | FUSE_PREFILTER;
	ctx.meta.nodeid = 9;
	ctx.meta.pid = 1234;
	set_name(ctx.name, "keep");
	EXPECT_EQ(run(skel_->progs.loader_test_unlink_prefilter, ctx), -EPERM);
	set_name(ctx.name, "other");
	EXPECT_EQ(run(skel_->progs.loader_test_unlink_prefilter, ctx), BPF_FUSE_CONTINUE);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);

	ASSERT_EQ(events.size(), 1u); // only the error traced
	const auto &e = events[0];
	EXPECT_EQ(e.value, -EPERM);
	EXPECT_EQ(e.nodeid, 9u);
	EXPECT_EQ(e.pid, 1234u);
	EXPECT_EQ(e.opcode, static_cast<__u32>(FUSE_UNLINK | FUSE_PREFILTER));
	EXPECT_STREQ(e.text, "keep is protected");
	int line = fusebpf::loader_test::line_of(LOADER_TEST_SOURCE, "keep is protected");
	ASSERT_GT(line, 0);
	EXPECT_NE(std::string(e.where).find("loader_test.bpf.c:" + std::to_string(line)),
	          std::string::npos)
	    << e.where;
}

TEST_F(FilterTest, ReaddirPostfilterDropsEntriesByName)
{
	load();
	auto ctx = std::make_unique<fusebpf_readdir_ctx>();
	std::memset(ctx.get(), 0, sizeof(*ctx));
	ctx->meta.opcode = FUSE_READDIR | FUSE_POSTFILTER;
	const char *names[] = {"a", "secret", "b", "secret", "secretx"};
	for (int i = 0; i < 5; i++) {
		auto &e = ctx->out.entries[i];
		e.ino = 100 + i;
		e.namelen = static_cast<__u32>(std::strlen(names[i]));
		std::memcpy(e.name, names[i], e.namelen);
	}
	ctx->out.count = 5;
	EXPECT_EQ(run(skel_->progs.loader_test_readdir_postfilter, *ctx), BPF_FUSE_CONTINUE);
	EXPECT_EQ(ctx->out.drop_mask, (1ull << 1) | (1ull << 3));
	EXPECT_EQ(ctx->out.entries[0].ino, 100u); // entries untouched

	// A full batch with "secret" last: the loop reaches the end.
	std::memset(ctx.get(), 0, sizeof(*ctx));
	for (int i = 0; i < FUSEBPF_READDIR_BATCH; i++) {
		auto &e = ctx->out.entries[i];
		const char *n = i == FUSEBPF_READDIR_BATCH - 1 ? "secret" : "x";
		e.namelen = static_cast<__u32>(std::strlen(n));
		std::memcpy(e.name, n, e.namelen);
	}
	ctx->out.count = FUSEBPF_READDIR_BATCH;
	EXPECT_EQ(run(skel_->progs.loader_test_readdir_postfilter, *ctx), BPF_FUSE_CONTINUE);
	EXPECT_EQ(ctx->out.drop_mask, 1ull << (FUSEBPF_READDIR_BATCH - 1));
}

TEST_F(FilterTest, DefaultFilterSeesTheDecoratedOpcode)
{
	load();
	fusebpf_default_ctx ctx{};
	ctx.meta.opcode = FUSE_STATFS | FUSE_PREFILTER;
	EXPECT_EQ(run(skel_->progs.loader_test_default_filter, ctx), BPF_FUSE_USER);
	ctx.meta.opcode = FUSE_LOOKUP | FUSE_PREFILTER;
	EXPECT_EQ(run(skel_->progs.loader_test_default_filter, ctx), BPF_FUSE_CONTINUE);
}

TEST_F(FilterTest, KernelRefusesAContextShorterThanTheProgramReads)
{
	load();
	// Append-only ABI: a longer context is fine, a shorter one is EINVAL.
	auto ctx = lookup_ctx("secret");
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = &ctx;
	opts.ctx_size_in = offsetof(fusebpf_lookup_ctx, name);
	EXPECT_NE(bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.loader_test_lookup_prefilter),
	                                 &opts),
	          0);
	EXPECT_EQ(errno, EINVAL);

	struct {
		fusebpf_lookup_ctx ctx;
		char future_fields[64];
	} longer{};
	longer.ctx = lookup_ctx("secret");
	opts.ctx_in = &longer;
	opts.ctx_size_in = sizeof(longer);
	ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.loader_test_lookup_prefilter),
	                                 &opts),
	          0);
	EXPECT_EQ(static_cast<int>(opts.retval), -ENOENT);
}

} // namespace
