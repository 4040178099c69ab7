// SPDX-License-Identifier: GPL-2.0-or-later
//
// Userspace filters: loading from a shared object (and every loading
// error), USER answered by a user handler with virtual entries and data,
// USER_PREFILTER rewriting inputs, USER_POSTFILTER remapping errors,
// exceptions and bad answers turned into -EIO, virtual nodes, and a user
// filter bound without any BPF table (the custom daemon case).
#include "daemon/filter/user_filter_library.h"
#include "filter_test_util.h"
#include "test_user_filter.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>

namespace fl = fusebpf::filter;
namespace ft = fusebpf::filter_test;

namespace {

TEST(UserFilterLibrary, LoadsTheFactoryAndPassesTheArgument)
{
	auto f = fl::load_user_filter(USER_FILTER_SO, "hello");
	ASSERT_TRUE(f) << f.message();
	EXPECT_EQ((*f)->name(), "test_user_filter(hello)");
	// The object works through the interface.
	auto ctx = ft::lookup_ctx("virtual.txt");
	fl::user_io io;
	EXPECT_EQ((*f)->handle_lookup(ctx, io), 0);
	EXPECT_EQ(io.child.virtual_key, ft::test_user_filter::file_key);
}

TEST(UserFilterLibrary, TheExportMacroMakesALoadableLibrary)
{
	auto f = fl::load_user_filter(USER_FILTER_MACRO_SO, "x");
	ASSERT_TRUE(f) << f.message();
	EXPECT_EQ((*f)->name(), "hide_everything(x)");
	auto ctx = ft::lookup_ctx("anything");
	fl::user_io io;
	EXPECT_EQ((*f)->pre_lookup(ctx, io), -ENOENT);
	EXPECT_EQ((*f)->post_lookup(ctx, io), BPF_FUSE_CONTINUE) << "defaults are neutral";
	EXPECT_EQ((*f)->handle_lookup(ctx, io), fl::user_filter::declined);

	auto thrown = fl::load_user_filter(USER_FILTER_MACRO_SO, "throw");
	ASSERT_FALSE(thrown);
	EXPECT_NE(thrown.message().find("the factory threw: bad argument 'throw'"),
	          std::string::npos)
	    << thrown.message();
}

TEST(UserFilterLibrary, MissingFileIsAClearError)
{
	auto f = fl::load_user_filter("/nonexistent/filter.so");
	ASSERT_FALSE(f);
	EXPECT_NE(f.message().find("/nonexistent/filter.so"), std::string::npos) << f.message();
	EXPECT_NE(f.message().find("No such file"), std::string::npos) << f.message();
	EXPECT_EQ(f.err().errno_value, ENOENT);
}

TEST(UserFilterLibrary, NotASharedObjectIsAClearError)
{
	std::string path = "/tmp/fusebpf_filter_test_" + std::to_string(::getpid()) + ".so";
	{
		std::ofstream(path) << "not an ELF file\n";
	}
	auto f = fl::load_user_filter(path);
	::unlink(path.c_str());
	ASSERT_FALSE(f);
	EXPECT_NE(f.message().find("cannot load"), std::string::npos) << f.message();
	EXPECT_FALSE(fl::load_user_filter("/tmp"));
}

TEST(UserFilterLibrary, MissingFactorySymbolIsAClearError)
{
	auto f = fl::load_user_filter(USER_FILTER_NOFACTORY_SO);
	ASSERT_FALSE(f);
	EXPECT_NE(f.message().find("no symbol fusebpf_user_filter_create"), std::string::npos)
	    << f.message();
}

TEST(UserFilterLibrary, VersionMismatchIsAClearError)
{
	auto f = fl::load_user_filter(USER_FILTER_V999_SO);
	ASSERT_FALSE(f);
	EXPECT_NE(f.message().find("ABI version 999"), std::string::npos) << f.message();
	EXPECT_EQ(f.err().errno_value, EPROTO);
}

TEST(UserFilterLibrary, FactoryRefusalIsAClearError)
{
	auto f = fl::load_user_filter(USER_FILTER_SO, "refuse");
	ASSERT_FALSE(f);
	EXPECT_NE(f.message().find("refused"), std::string::npos) << f.message();
}

class UserFilterEngineTest : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		table_ = std::make_unique<ft::loaded_table>(ENGINE_TEST_OBJ, "user");
	}
	static void TearDownTestSuite() { table_.reset(); }
	void SetUp() override
	{
		ASSERT_TRUE(table_->table()) << table_->error();
		auto f = fl::load_user_filter(USER_FILTER_SO, "so");
		ASSERT_TRUE(f) << f.message();
		bound_ = fl::binding::make(table_->table(), *f);
	}

	int lookup(std::string_view name, fusebpf_lookup_ctx &ctx, fl::user_io &io,
	           int backing_result, std::string &backing_saw)
	{
		ctx = ft::lookup_ctx(name);
		backing_saw = "(not run)";
		return engine_.run(*bound_, ctx, io, [&](fusebpf_lookup_ctx &c) {
			backing_saw = ft::ctx_name(c.name);
			c.out.entry.nodeid = 5;
			return backing_result;
		});
	}

	static inline std::unique_ptr<ft::loaded_table> table_;
	fl::filter_stats stats_;
	fl::engine engine_{stats_};
	fl::binding_ptr bound_;
};

TEST_F(UserFilterEngineTest, UserVerdictAnswersAVirtualEntry)
{
	fusebpf_lookup_ctx ctx;
	fl::user_io io;
	std::string saw;
	// "user*" -> BPF_FUSE_USER -> handle_lookup
	ASSERT_EQ(lookup("user", ctx, io, 0, saw), 0);
	EXPECT_EQ(saw, "user") << "declined: the backing op ran";
	EXPECT_EQ(stats_.user(FUSE_LOOKUP, fl::user_call::handler), 1u);

	// The virtual entry: the test BPF sends "user*" names to userspace; the
	// handler answers names that do not exist in the backing tree.
	fl::user_io vio;
	ctx = ft::lookup_ctx("virtual.txt", 1001); // parent 1001: the BPF prefilter says USER
	bool ran = false;
	int r = engine_.run(*bound_, ctx, vio, [&](auto &) {
		ran = true;
		return -ENOENT;
	});
	EXPECT_EQ(r, 0);
	EXPECT_FALSE(ran) << "a virtual entry never touches the backing fs";
	EXPECT_EQ(vio.child.virtual_key, ft::test_user_filter::file_key);
	EXPECT_EQ(ctx.out.entry.attr.mode, S_IFREG | 0444u);
	EXPECT_EQ(ctx.out.entry.attr.size, ft::test_user_filter::file_data.size());
}

TEST_F(UserFilterEngineTest, UserLookupHandlerDecidesTheChildsTable)
{
	fusebpf_lookup_ctx ctx;
	fl::user_io io;
	std::string saw;
	ASSERT_EQ(lookup("user_child", ctx, io, 0, saw), 0);
	EXPECT_EQ(saw, "user_child");
	EXPECT_EQ(io.child.table, fl::child_decision::table_action::remove);
}

TEST_F(UserFilterEngineTest, VirtualNodesAreServedByTheHandlerAlone)
{
	// getattr of the virtual file
	auto g = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 4242);
	fl::user_io io;
	io.virtual_key = ft::test_user_filter::file_key;
	EXPECT_EQ(engine_.serve_virtual(*bound_, g, io), 0);
	EXPECT_EQ(g.out.attr.size, ft::test_user_filter::file_data.size());

	// read at offset 6 of the virtual file, into the caller's buffer
	auto rd = ft::make_ctx<fusebpf_read_ctx>(FUSE_READ, 4242);
	rd.in.offset = 6;
	rd.in.size = 4096;
	std::vector<std::byte> buf(4096);
	io.data_out = buf;
	EXPECT_EQ(engine_.serve_virtual(*bound_, rd, io), 0);
	EXPECT_EQ(std::string(reinterpret_cast<char *>(buf.data()), rd.out.size), "world\n");

	// readdir of the virtual directory
	auto rdd = ft::make_ctx<fusebpf_readdir_ctx>(FUSE_READDIR, 4243);
	fl::user_io dio;
	dio.virtual_key = ft::test_user_filter::dir_key;
	EXPECT_EQ(engine_.serve_virtual(*bound_, rdd, dio), 0);
	ASSERT_EQ(rdd.out.count, 2u);
	EXPECT_STREQ(rdd.out.entries[1].name, "b");
	EXPECT_TRUE(rdd.out.flags & FUSEBPF_READDIR_EOF);

	// what the handler declines: release succeeds, setattr is not supported
	auto rel = ft::make_ctx<fusebpf_release_ctx>(FUSE_RELEASE, 4242);
	EXPECT_EQ(engine_.serve_virtual(*bound_, rel, io), 0);
	auto sa = ft::make_ctx<fusebpf_setattr_ctx>(FUSE_SETATTR, 4242);
	EXPECT_EQ(engine_.serve_virtual(*bound_, sa, io), -EOPNOTSUPP);
	EXPECT_EQ(stats_.total_bpf_runs(), 0u) << "virtual nodes never run BPF";
}

TEST_F(UserFilterEngineTest, UserHandlerServesTheFirstBlockOfABackedFile)
{
	std::vector<std::byte> buf(4096);
	auto read = [&](std::uint64_t offset, bool &backing_ran) {
		auto ctx = ft::make_ctx<fusebpf_read_ctx>(FUSE_READ, 1001); // USER
		ctx.in.offset = offset;
		ctx.in.size = 4096;
		fl::user_io io;
		io.data_out = buf;
		backing_ran = false;
		int r = engine_.run(*bound_, ctx, io, [&](fusebpf_read_ctx &c) {
			backing_ran = true;
			std::memcpy(buf.data(), "backing", 7);
			c.out.size = 7;
			return 0;
		});
		EXPECT_EQ(r, 0);
		return std::string(reinterpret_cast<char *>(buf.data()), ctx.out.size);
	};
	bool ran;
	EXPECT_EQ(read(0, ran), "HEAD");
	EXPECT_FALSE(ran);
	EXPECT_EQ(read(4096, ran), "backing");
	EXPECT_TRUE(ran);
}

TEST_F(UserFilterEngineTest, UserPrefilterRewritesTheInputs)
{
	fusebpf_lookup_ctx ctx;
	fl::user_io io;
	std::string saw;
	ASSERT_EQ(lookup("upre", ctx, io, 0, saw), 0);
	EXPECT_EQ(saw, "target");
	EXPECT_EQ(stats_.user(FUSE_LOOKUP, fl::user_call::prefilter), 1u);
	EXPECT_EQ(stats_.verdicts(FUSE_LOOKUP, fl::verdict_kind::user_prefilter), 1u);
}

TEST_F(UserFilterEngineTest, UserPostfilterRemapsErrorsAndRewritesOutputs)
{
	fusebpf_lookup_ctx ctx;
	fl::user_io io;
	std::string saw;
	EXPECT_EQ(lookup("upost", ctx, io, -ENOENT, saw), -ENOMEM) << "userspace remapping";
	EXPECT_EQ(lookup("upost", ctx, io, 0, saw), 0);
	EXPECT_EQ(ctx.out.entry.attr.uid, 4242u);
	EXPECT_EQ(stats_.user(FUSE_LOOKUP, fl::user_call::postfilter), 2u);
	EXPECT_EQ(stats_.user_fallbacks(FUSE_LOOKUP), 2u);

	// BPF postfilter -> USER_POSTFILTER: getattr nodeid 1003 (POSTFILTER),
	// fh 4 makes the BPF postfilter hand over to userspace.
	auto g = ft::make_ctx<fusebpf_getattr_ctx>(FUSE_GETATTR, 1003);
	g.in.fh = BPF_FUSE_USER_POSTFILTER;
	EXPECT_EQ(engine_.run(*bound_, g, io,
	                      [](fusebpf_getattr_ctx &c) {
		                      c.out.attr.mode = S_IFREG | 0666;
		                      return 0;
	                      }),
	          0);
	EXPECT_EQ(g.out.attr.mode, S_IFREG | 0444u) << "BPF postfilter ran";
	EXPECT_EQ(g.out.attr.gid, 4343u) << "then the user postfilter";
}

TEST_F(UserFilterEngineTest, ExceptionsAndBadAnswersFailWithEio)
{
	auto u = ft::make_ctx<fusebpf_unlink_ctx>(FUSE_UNLINK, 1001); // USER -> throws
	ft::set_ctx_name(u.name, "f");
	fl::user_io io;
	EXPECT_EQ(engine_.run(*bound_, u, io, [](auto &) { return 0; }), -EIO);
	EXPECT_EQ(stats_.errors(FUSE_UNLINK, fl::filter_error::user_exception), 1u);

	auto r = ft::make_ctx<fusebpf_rmdir_ctx>(FUSE_RMDIR, 1001); // USER -> returns 7
	ft::set_ctx_name(r.name, "d");
	EXPECT_EQ(engine_.run(*bound_, r, io, [](auto &) { return 0; }), -EIO);
	EXPECT_EQ(stats_.errors(FUSE_RMDIR, fl::filter_error::invalid_verdict), 1u);
}

// A user filter linked into the program (no shared object), bound without
// a BPF table: it decides which ops it wants with verdict_without_table().
class mkdir_guard : public ft::test_user_filter {
public:
	int verdict_without_table(fusebpf_op op) const override
	{
		return op == FUSEBPF_OP_MKDIR ? BPF_FUSE_USER_PREFILTER : BPF_FUSE_CONTINUE;
	}
};

TEST(UserFilterWithoutTable, VerdictWithoutTableChoosesTheOps)
{
	fl::filter_stats stats;
	fl::engine eng(stats);
	auto b = fl::binding::make(nullptr, std::make_shared<mkdir_guard>());
	EXPECT_TRUE(b->wants(FUSEBPF_OP_MKDIR));
	EXPECT_FALSE(b->wants(FUSEBPF_OP_LOOKUP));
	EXPECT_FALSE(b->filters_data()) << "the user filter is asked about mkdir only: data "
	                                   "keeps kernel passthrough";

	auto m = ft::make_ctx<fusebpf_mkdir_ctx>(FUSE_MKDIR, 1);
	ft::set_ctx_name(m.name, "userdeny");
	fl::user_io io;
	bool ran = false;
	EXPECT_EQ(eng.run(*b, m, io,
	                  [&](auto &) {
		                  ran = true;
		                  return 0;
	                  }),
	          -EACCES);
	EXPECT_FALSE(ran);
	ft::set_ctx_name(m.name, "ok");
	EXPECT_EQ(eng.run(*b, m, io,
	                  [&](auto &) {
		                  ran = true;
		                  return 0;
	                  }),
	          0);
	EXPECT_TRUE(ran);
	EXPECT_EQ(stats.total_bpf_runs(), 0u);
}

} // namespace
