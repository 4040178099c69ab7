// SPDX-License-Identifier: GPL-2.0-or-later
//
// attach_test: filters on a live mount. `fusebpf attach/detach/status/
// invalidate/stats` on real mounts with real BPF tables, with the kernel's
// caches warm and long-lived (entry and attribute timeouts of 60 s), so
// what the tests see after a change is the daemon's invalidation, never an
// expiry. Differs from mount_filter_test.cc (the binding given at mount).
// Tables the test loads itself are unloaded in TearDown; the mount is a
// mounted_fs (unmounted in its destructor).
#include "tests/filter_attach/attach_util.h"

#include "loader/load.h"
#include "loader/tables.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/run_as.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace fusebpf::attach_test;
using fusebpf::test::mounted_fs;

const std::vector<std::string> warm_caches = {"-o", "entry_timeout=60,attr_timeout=60"};

std::set<std::string> list_dir(const std::string &path)
{
	std::set<std::string> names;
	if (DIR *d = opendir(path.c_str())) {
		while (dirent *e = readdir(d))
			names.insert(e->d_name);
		closedir(d);
	}
	return names;
}

class Attach : public ::testing::Test {
protected:
	void SetUp() override
	{
		backing_ = dir_.subdir("backing");
		std::string sub = backing_ + "/sub";
		ASSERT_EQ(mkdir(sub.c_str(), 0755), 0);
		ASSERT_EQ(mkdir((sub + "/deeper").c_str(), 0755), 0);
		for (const std::string &d : {backing_, sub, sub + "/deeper"}) {
			write_file(d + "/secret", "secret in " + d + "\n");
			write_file(d + "/plain", "plain\n");
			write_file(d + "/alpha", "alpha\n");
			write_file(d + "/beta", "beta\n");
		}
		fs_ = std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt"), warm_caches);
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
		mnt_ = fs_->mountpoint();
	}
	void TearDown() override
	{
		if (fs_) {
			EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
		}
		for (const std::string &name : loaded_) {
			auto r =
			    fusebpf::loader::unload_table(fusebpf::loader::default_pin_root, name);
			EXPECT_TRUE(r) << r.message();
		}
	}
	// Loads obj with the loader under a unique name; returns its map ID.
	std::string load(const char *obj, const std::string &tag)
	{
		fusebpf::loader::load_options o;
		o.name = "fa_" + tag + "_" + std::to_string(getpid());
		auto info = fusebpf::loader::load_filter(obj, o);
		EXPECT_TRUE(info) << info.message();
		if (!info)
			return "0";
		loaded_.push_back(o.name);
		return std::to_string(info->id);
	}
	// Every file of the tree, looked up and stat'ed: warm caches.
	void warm()
	{
		for (const std::string &d : {mnt_, mnt_ + "/sub", mnt_ + "/sub/deeper"}) {
			list_dir(d);
			for (const char *f : {"secret", "plain", "alpha", "beta"})
				ASSERT_EQ(stat_errno(d + "/" + f), 0) << d << "/" << f;
		}
	}

	fusebpf::test::temp_dir dir_{"filter_attach"};
	std::string backing_, mnt_;
	std::unique_ptr<mounted_fs> fs_;
	std::vector<std::string> loaded_;
};

TEST_F(Attach, SubdirAttachHidesAtOnceDetachShowsAtOnce)
{
	warm();
	auto r = cli({"attach", mnt_ + "/sub", "--filter", HIDE_SECRET_OBJ});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
	EXPECT_NE(r.out.find("attached table"), std::string::npos) << r.out;
	EXPECT_NE(r.out.find("at /sub on " + mnt_), std::string::npos) << r.out;

	// At once, with 60 s caches: the subtree hides "secret", the rest not.
	EXPECT_EQ(stat_errno(mnt_ + "/sub/secret"), ENOENT);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), ENOENT) << "inherited below";
	EXPECT_EQ(stat_errno(mnt_ + "/secret"), 0) << "outside the subtree";
	EXPECT_EQ(stat_errno(mnt_ + "/sub/plain"), 0);
	EXPECT_EQ(read_text(mnt_ + "/sub/plain"), "plain\n");

	std::string why;
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	ASSERT_EQ((*status)["attachments"].size(), 1u) << status->dump();
	const auto &a = (*status)["attachments"][0];
	EXPECT_EQ(a["path"], "/sub");
	EXPECT_EQ(a["source"], "attach");
	EXPECT_EQ(a["object"], HIDE_SECRET_OBJ);
	std::string loaded = a["loaded_table"].get<std::string>();
	EXPECT_TRUE(table_pinned(loaded));
	EXPECT_TRUE((*status)["root"]["table"].is_null()) << "the root has no table";
	auto human = cli({"status", mnt_});
	EXPECT_TRUE(human.exited_ok());
	EXPECT_NE(human.out.find("/sub"), std::string::npos) << human.out;
	EXPECT_NE(human.out.find("hide_secret"), std::string::npos) << human.out;

	r = cli({"detach", mnt_ + "/sub"});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
	EXPECT_EQ(stat_errno(mnt_ + "/sub/secret"), 0) << "back at once";
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), 0);
	EXPECT_EQ(read_text(mnt_ + "/sub/secret"), "secret in " + backing_ + "/sub\n");
	EXPECT_FALSE(table_pinned(loaded)) << "the daemon unloads what it loaded";
	status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_TRUE((*status)["attachments"].empty()) << status->dump();

	// Nothing attached any more: a clear error.
	r = cli({"detach", mnt_ + "/sub"});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("nothing is attached at /sub"), std::string::npos) << r.err;
}

TEST_F(Attach, RootAttachDetachAndSubtreeNone)
{
	std::string id = load(HIDE_SECRET_OBJ, "root");
	warm();
	auto r = cli({"attach", mnt_, "--ops", id});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	EXPECT_EQ(stat_errno(mnt_ + "/secret"), ENOENT);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), ENOENT);

	// --none: a subtree without a table although the root has one.
	r = cli({"detach", "--none", mnt_ + "/sub/deeper"});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), 0);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/secret"), ENOENT);
	// Detaching the --none makes it inherit the root's table again.
	r = cli({"detach", mnt_ + "/sub/deeper"});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), ENOENT);

	r = cli({"detach", mnt_});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	EXPECT_EQ(stat_errno(mnt_ + "/secret"), 0);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/secret"), 0);
	EXPECT_TRUE(table_pinned(loaded_.back())) << "--ops tables stay loaded";
}

// A lookup prefilter that renames the entry: the kernel caches "alpha"
// for the backing "beta". A live detach or replace must drop the kernel's
// "alpha" (the name the kernel holds), not "beta" (the name on the backing
// fs), or "alpha" keeps answering with beta's file for the 60 s timeout.
// At the root, where no directory's invalidation takes the entries below
// it along.
class AttachRenamingLookup : public Attach {
protected:
	// Attaches alpha_as_beta at the root; "alpha" then reads beta's file.
	void attach_and_look_up()
	{
		auto r = cli({"attach", mnt_, "--filter", ALPHA_AS_BETA_OBJ});
		ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
		ASSERT_EQ(read_text(mnt_ + "/alpha"), "beta\n") << "renamed by the prefilter";
		ASSERT_EQ(ino(mnt_ + "/alpha"), ino(backing_ + "/beta"));
	}
	// The kernel's "alpha" is looked up afresh: the backing alpha again.
	void expect_backing_alpha()
	{
		EXPECT_EQ(read_text(mnt_ + "/alpha"), "alpha\n");
		EXPECT_EQ(ino(mnt_ + "/alpha"), ino(backing_ + "/alpha"));
	}
	static ino_t ino(const std::string &path)
	{
		struct stat st;
		return stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
	}
};

TEST_F(AttachRenamingLookup, DetachDropsTheKernelsName)
{
	attach_and_look_up();
	auto r = cli({"detach", mnt_});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
	expect_backing_alpha();
}

TEST_F(AttachRenamingLookup, ReplaceDropsTheKernelsName)
{
	attach_and_look_up();
	auto r = cli({"attach", mnt_, "--filter", HIDE_SECRET_OBJ});
	ASSERT_TRUE(r.exited_ok()) << r.describe() << r.err;
	EXPECT_NE(r.out.find("replaced by"), std::string::npos) << r.out;
	expect_backing_alpha();
	EXPECT_EQ(stat_errno(mnt_ + "/secret"), ENOENT) << "the new table is in effect";
}

TEST_F(Attach, ErrorsAreClear)
{
	auto r = cli({"attach", mnt_ + "/sub/plain", "--filter", HIDE_SECRET_OBJ});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("/sub/plain: not a directory"), std::string::npos) << r.err;
	r = cli({"attach", mnt_ + "/nope", "--filter", HIDE_SECRET_OBJ});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
	r = cli({"attach", dir_.path(), "--filter", HIDE_SECRET_OBJ});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("is not inside a fusebpf mount"), std::string::npos) << r.err;
	r = cli({"attach", mnt_ + "/sub", "--filter", BROKEN_OBJ});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("verifier rejected program 'broken_lookup_prefilter'"),
	          std::string::npos)
	    << r.err;
	EXPECT_TRUE(pinned_tables_starting("filter_attach_broken").empty());
	r = cli({"attach", mnt_ + "/sub"});
	EXPECT_EQ(r.exit_code(), 2) << "nothing to attach is a usage error";
	r = cli({"attach", mnt_ + "/sub", "--ops", "fa_no_such_table"});
	EXPECT_EQ(r.exit_code(), 1);
	EXPECT_NE(r.err.find("fa_no_such_table"), std::string::npos) << r.err;
	std::string why;
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_TRUE((*status)["attachments"].empty()) << "failed attaches change nothing";
}

TEST_F(Attach, ReplaceWhileReaderAndWriterRunFailsNoOp)
{
	std::string alpha = load(HIDE_ALPHA_OBJ, "alpha"), beta = load(HIDE_BETA_OBJ, "beta");
	auto r = cli({"attach", mnt_ + "/sub", "--ops", alpha});
	ASSERT_TRUE(r.exited_ok()) << r.err;

	std::atomic<bool> stop{false};
	std::atomic<long> reads{0}, writes{0}, failures{0};
	std::string failure_text;
	std::mutex failure_mutex;
	auto fail = [&](const std::string &what) {
		failures++;
		std::lock_guard lock(failure_mutex);
		if (failure_text.size() < 2000)
			failure_text += what + ": " + std::strerror(errno) + "\n";
	};
	std::thread reader([&] {
		std::string file = mnt_ + "/sub/plain";
		while (!stop.load()) {
			struct stat st;
			if (stat(file.c_str(), &st) < 0) {
				fail("stat");
				continue;
			}
			int fd = open(file.c_str(), O_RDONLY);
			if (fd < 0) {
				fail("open for reading");
				continue;
			}
			char buf[64];
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n != 6)
				fail("read " + std::to_string(n));
			close(fd);
			reads++;
		}
	});
	std::thread writer([&] {
		std::string file = mnt_ + "/sub/deeper/written";
		for (long i = 0; !stop.load(); i++) {
			int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0) {
				fail("open for writing");
				continue;
			}
			std::string text = "write " + std::to_string(i) + "\n";
			if (write(fd, text.data(), text.size()) !=
			    static_cast<ssize_t>(text.size()))
				fail("write");
			if (close(fd) < 0)
				fail("close");
			writes++;
		}
	});
	int replacements = 0;
	for (int i = 0; i < 20; i++) {
		r = cli({"attach", mnt_ + "/sub", "--ops", i % 2 ? alpha : beta});
		EXPECT_TRUE(r.exited_ok()) << r.err;
		replacements++;
	}
	// One replacement by an object the daemon loads, and its unloading.
	r = cli({"attach", mnt_ + "/sub", "--filter", HIDE_ALPHA_OBJ, "--name",
	         "fa_replace_" + std::to_string(getpid())});
	EXPECT_TRUE(r.exited_ok()) << r.err;
	EXPECT_TRUE(table_pinned("fa_replace_" + std::to_string(getpid())));
	r = cli({"attach", mnt_ + "/sub", "--ops", beta});
	EXPECT_TRUE(r.exited_ok()) << r.err;
	EXPECT_NE(r.out.find("replaced by"), std::string::npos) << r.out;
	EXPECT_FALSE(table_pinned("fa_replace_" + std::to_string(getpid())))
	    << "a replaced table the daemon loaded is unloaded";
	stop.store(true);
	reader.join();
	writer.join();

	EXPECT_EQ(failures.load(), 0) << failure_text;
	EXPECT_GT(reads.load(), 10) << "the reader ran";
	EXPECT_GT(writes.load(), 10) << "the writer ran";
	std::printf("[ info ] %d replacements, %ld reads, %ld writes, %ld failed\n",
	            replacements + 2, reads.load(), writes.load(), failures.load());
	// The last table (hide beta) is the one in effect, at once.
	EXPECT_EQ(stat_errno(mnt_ + "/sub/beta"), ENOENT);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/alpha"), 0);
	EXPECT_EQ(stat_errno(mnt_ + "/sub/deeper/beta"), ENOENT);
	EXPECT_EQ(stat_errno(mnt_ + "/beta"), 0);
}

TEST_F(Attach, InvalidateDropsCachedAttributes)
{
	std::string id = load(HIDE_SECRET_OBJ, "inval");
	auto r = cli({"attach", mnt_ + "/sub", "--ops", id});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	struct stat st;
	ASSERT_EQ(stat((mnt_ + "/plain").c_str(), &st), 0);
	ASSERT_EQ(st.st_size, 6);
	ASSERT_EQ(stat((mnt_ + "/sub/plain").c_str(), &st), 0);
	// Changed behind the kernel's back: the cached size stays for 60 s...
	write_file(backing_ + "/plain", "longer text\n");
	write_file(backing_ + "/sub/plain", "longer text\n");
	ASSERT_EQ(stat((mnt_ + "/plain").c_str(), &st), 0);
	ASSERT_EQ(st.st_size, 6) << "the attribute cache is warm";

	// ... unless dropped. --table: only nodes filtered by that table.
	std::string why;
	auto only = cli_json({"invalidate", "--table", id, mnt_}, why);
	ASSERT_TRUE(only) << why;
	EXPECT_GE((*only)["invalidated"]["inodes"].get<int>(), 1) << only->dump();
	ASSERT_EQ(stat((mnt_ + "/sub/plain").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 12);
	ASSERT_EQ(stat((mnt_ + "/plain").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 6) << "outside the table: still cached";

	r = cli({"invalidate", mnt_});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	ASSERT_EQ(stat((mnt_ + "/plain").c_str(), &st), 0);
	EXPECT_EQ(st.st_size, 12);
}

TEST_F(Attach, StatsShowVerdictsAndLatency)
{
	auto r = cli({"attach", mnt_, "--filter", HIDE_SECRET_OBJ});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(stat_errno(mnt_ + "/secret"), ENOENT);
		EXPECT_EQ(stat_errno(mnt_ + "/sub/plain"), 0);
	}
	std::string why;
	auto stats = cli_json({"stats", mnt_}, why);
	ASSERT_TRUE(stats) << why;
	const auto &lookup = (*stats)["ops"]["LOOKUP"];
	EXPECT_GE(lookup["verdicts"]["errno"].get<uint64_t>(), 5u) << lookup.dump();
	EXPECT_GE(lookup["verdicts"]["CONTINUE"].get<uint64_t>(), 2u) << lookup.dump();
	uint64_t in_histogram = 0;
	for (const auto &n : lookup["latency_ns_log2"])
		in_histogram += n.get<uint64_t>();
	EXPECT_EQ(in_histogram, lookup["filtered"].get<uint64_t>()) << lookup.dump();
	EXPECT_GE(in_histogram, 7u);

	r = cli({"stats", mnt_});
	ASSERT_TRUE(r.exited_ok()) << r.err;
	for (const char *word : {"LOOKUP", "FILTERED", "P50", "P99", "ERRNO", "CONTINUE"})
		EXPECT_NE(r.out.find(word), std::string::npos) << word << " in\n" << r.out;
	EXPECT_EQ(r.out.find("SETXATTR"), std::string::npos) << "unused ops are left out";
}

TEST_F(Attach, ControlSocketIsRootOnly)
{
	std::string path = fs_->control_socket_path();
	struct stat st;
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	std::string why;
	auto res = fusebpf::test::run_as_syscall(
	    fusebpf::test::nobody,
	    [&] {
		    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		    sockaddr_un addr{};
		    addr.sun_family = AF_UNIX;
		    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
		    auto r = fusebpf::test::sys(
		        connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)));
		    close(fd);
		    return r;
	    },
	    why);
	EXPECT_EQ(res.ret, -1) << why;
	EXPECT_EQ(res.err, EACCES) << fusebpf::test::describe(res);

	// The CLI as nobody: refused, nothing attached.
	auto out = fusebpf::test::run_as(
	    fusebpf::test::nobody,
	    [&] {
		    auto r = cli({"attach", mnt_ + "/sub", "--filter", HIDE_SECRET_OBJ});
		    return std::to_string(r.exit_code()) + " " + r.err;
	    },
	    why);
	ASSERT_TRUE(out) << why;
	EXPECT_EQ(out->substr(0, 2), "1 ") << *out;
	EXPECT_NE(out->find("Permission denied"), std::string::npos) << *out;
	auto status = cli_json({"status", mnt_}, why);
	ASSERT_TRUE(status) << why;
	EXPECT_TRUE((*status)["attachments"].empty());
}

} // namespace
