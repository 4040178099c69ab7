// SPDX-License-Identifier: GPL-2.0-or-later
//
// guards_test: the guarding examples attacked as a user would attack them
// (docs/filters.md §7, each example's "What it guards").
//
// For each example a mount gets the example's table (at the root, or
// attached to the subtree it guards), and every op that makes a name or
// touches two directories is aimed at a guarded name or subtree:
// open(O_CREAT) with and without O_TRUNC and O_EXCL, mknod, mkdir, symlink,
// link, rename, renameat2 with RENAME_NOREPLACE and RENAME_EXCHANGE, and for
// subtrees the moves and links out of them. Each runs as root and as uid
// 65534 on a mount with -o allow_other,default_permissions; the backing
// tree must be the same before and after, byte for byte (names, types,
// content, mode, owner, link count, symlink targets, xattrs), and each op
// must fail with the errno the example documents. Ops the kernel refuses
// itself (an exchange with a name its lookup was told does not exist) are
// listed with the kernel's errno.
//
// Control: the lookup-only filter (a LOOKUP prefilter hiding "secret" and
// nothing else) shows the daemon's own guard: names a lookup filter hides
// are never opened, truncated or replaced even by a table that does not
// filter the op itself. And each example still lets through what it does
// not guard (the last test of each).
#include "tests/daemon/fs_util.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/process.h"
#include "tests/support/run_as.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::test {
namespace {

// One attack: a name and a call on mount paths.
struct attack {
	std::string name;
	std::function<sys_result()> call;
};

sys_result create_call(const std::string &path, int flags)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0)
		return sys(-1);
	sys_result r = sys(::write(fd, "pwned\n", 6));
	::close(fd);
	return r.ret < 0 ? r : sys_result{0, 0};
}

sys_result rename2_call(const std::string &from, const std::string &to, unsigned flags)
{
	return sys(::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

// Every op that makes `target` or moves `src` onto it (src: an existing
// file the attacker owns, outside what is guarded).
std::vector<attack> onto(const std::string &target, const std::string &src)
{
	return {
	    {"open(O_CREAT|O_TRUNC)", [=] { return create_call(target, O_TRUNC); }},
	    {"open(O_CREAT)", [=] { return create_call(target, 0); }},
	    {"open(O_CREAT|O_EXCL)", [=] { return create_call(target, O_EXCL); }},
	    {"mknod(S_IFIFO)", [=] { return sys(::mknod(target.c_str(), S_IFIFO | 0644, 0)); }},
	    {"mkdir", [=] { return sys(::mkdir(target.c_str(), 0755)); }},
	    {"symlink", [=] { return sys(::symlink("/etc/passwd", target.c_str())); }},
	    {"link", [=] { return sys(::link(src.c_str(), target.c_str())); }},
	    {"rename", [=] { return rename2_call(src, target, 0); }},
	    {"rename(NOREPLACE)", [=] { return rename2_call(src, target, RENAME_NOREPLACE); }},
	    {"rename(EXCHANGE)", [=] { return rename2_call(src, target, RENAME_EXCHANGE); }},
	};
}

// Moves and links of a guarded `inside` entry to `outside` (a free name).
std::vector<attack> out_of(const std::string &inside, const std::string &outside,
                           const std::string &other)
{
	return {
	    {"rename out", [=] { return rename2_call(inside, outside, 0); }},
	    {"rename(NOREPLACE) out",
	     [=] { return rename2_call(inside, outside, RENAME_NOREPLACE); }},
	    {"rename(EXCHANGE) out", [=] { return rename2_call(inside, other, RENAME_EXCHANGE); }},
	    {"link out", [=] { return sys(::link(inside.c_str(), outside.c_str())); }},
	};
}

enum class who {
	root,
	nobody
};

const char *who_name(who w)
{
	return w == who::root ? "root" : "uid 65534";
}

// A mount of a fresh backing tree that everyone may write:
//   /pub (0777): src, src2 (owned by 65534): what attackers move around
//   /docs (0777): notes.md
// plus what each test adds in prepare().
class GuardTest : public ::testing::TestWithParam<who> {
protected:
	void SetUp() override
	{
		ASSERT_TRUE(dir_) << dir_.error();
		backing_ = dir_.subdir("backing", 0777);
		::chmod(backing_.c_str(), 0777);
		for (const char *d : {"/pub", "/docs"}) {
			ASSERT_EQ(::mkdir((backing_ + d).c_str(), 0777), 0);
			::chmod((backing_ + d).c_str(), 0777);
		}
		for (const char *f : {"/pub/src", "/pub/src2"}) {
			ASSERT_TRUE(
			    write_file(backing_ + f, std::string("attacker's ") + f + "\n"));
			ASSERT_EQ(::chown((backing_ + f).c_str(), 65534, 65534), 0);
		}
		// Owned by 65534 too, so the kernel's protected_hardlinks check lets
		// its links through to the filters.
		ASSERT_TRUE(write_file(backing_ + "/docs/notes.md", "notes\n"));
		ASSERT_EQ(::chown((backing_ + "/docs/notes.md").c_str(), 65534, 65534), 0);
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
	}

	// Mounts with `args` and -o allow_other,default_permissions[,options].
	void mount(std::vector<std::string> args, const std::string &options = "")
	{
		args.insert(args.end(), {"-o", "allow_other,default_permissions" +
		                                   (options.empty() ? "" : "," + options)});
		fs_ = std::make_unique<mounted_fs>(backing_, dir_.subdir("mnt", 0755), args);
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	std::string mnt(const std::string &rel) const { return fs_->mountpoint() + rel; }

	// `fusebpf ARGS...`, asserting exit 0.
	void cli(const std::vector<std::string> &args)
	{
		std::vector<std::string> argv{cli_path()};
		argv.insert(argv.end(), args.begin(), args.end());
		auto r = run_command(argv);
		ASSERT_TRUE(r.exited_ok()) << r.describe() << "\n" << r.out << r.err;
	}

	sys_result run(const attack &a) const
	{
		if (GetParam() == who::root)
			return a.call();
		std::string why;
		sys_result r = run_as_syscall(nobody, a.call, why);
		EXPECT_TRUE(why.empty()) << why;
		return r;
	}

	// Runs each attack; each must fail with expected[a.name] and leave the
	// backing tree as it was.
	void expect_refused(const std::vector<attack> &attacks,
	                    const std::map<std::string, int> &expected)
	{
		for (const attack &a : attacks) {
			auto want = expected.find(a.name);
			ASSERT_NE(want, expected.end()) << "no expected errno for " << a.name;
			auto before = snapshot_tree(backing_);
			sys_result got = run(a);
			EXPECT_EQ(got, (sys_result{-1, want->second}))
			    << a.name << " as " << who_name(GetParam());
			EXPECT_EQ(
			    diff_snapshots(before, "before", snapshot_tree(backing_), "after"), "")
			    << a.name << " as " << who_name(GetParam())
			    << " changed the backing tree";
		}
	}

	temp_dir dir_{"guards", 0755};
	std::string backing_;
	std::unique_ptr<mounted_fs> fs_;
};

// Every attack in `attacks` gets `err`.
std::map<std::string, int> all(const std::vector<attack> &attacks, int err)
{
	std::map<std::string, int> m;
	for (const attack &a : attacks)
		m[a.name] = err;
	return m;
}

// --- hide: listed names (secret.txt exists, absent.txt does not) ----------

TEST_P(GuardTest, HideRefusesEveryOpOntoAListedName)
{
	ASSERT_TRUE(write_file(backing_ + "/secret.txt", "top secret\n", 0600));
	ASSERT_TRUE(write_file(backing_ + "/docs/secret.txt", "also secret\n", 0600));
	mount({"--filter", HIDE_OBJ});
	cli({"map", "set", mnt(""), "deny_list", "secret.txt"});
	cli({"map", "set", mnt(""), "deny_list", "absent.txt"});
	for (const char *target : {"/secret.txt", "/docs/secret.txt", "/absent.txt"}) {
		SCOPED_TRACE(target);
		auto attacks = onto(mnt(target), mnt("/pub/src"));
		auto expected = all(attacks, EACCES);
		// The kernel's own check: an exchange needs two names its lookups
		// found, and the lookup of a listed name says ENOENT.
		expected["rename(EXCHANGE)"] = ENOENT;
		expect_refused(attacks, expected);
	}
}

TEST_P(GuardTest, HideLetsUnlistedNamesThrough)
{
	mount({"--filter", HIDE_OBJ});
	cli({"map", "set", mnt(""), "deny_list", "secret.txt"});
	EXPECT_EQ(run({"create", [&] { return create_call(mnt("/docs/fresh"), O_EXCL); }}),
	          (sys_result{0, 0}));
	EXPECT_EQ(
	    run({"rename", [&] { return rename2_call(mnt("/pub/src"), mnt("/pub/moved"), 0); }}),
	    (sys_result{0, 0}));
	EXPECT_EQ(read_file(backing_ + "/pub/moved"), "attacker's /pub/src\n");
	// Onto an existing visible name: the guard's probe shows it, so the
	// rename replaces it as natively.
	EXPECT_EQ(
	    run({"replace", [&] { return rename2_call(mnt("/pub/moved"), mnt("/pub/src2"), 0); }}),
	    (sys_result{0, 0}));
	EXPECT_EQ(read_file(backing_ + "/pub/src2"), "attacker's /pub/src\n");
}

// --- the daemon's own guard: a table that filters LOOKUP only ------------

TEST_P(GuardTest, LookupOnlyFilterKeepsHiddenEntriesUntouched)
{
	ASSERT_TRUE(write_file(backing_ + "/docs/secret", "top secret\n", 0666));
	mount({"--filter", LOOKUP_ONLY_OBJ});
	auto attacks = onto(mnt("/docs/secret"), mnt("/pub/src"));
	// Exclusive by nature: the backing fs's EEXIST. Would open, truncate or
	// replace: EACCES from the guard. Exchange: the kernel's ENOENT.
	std::map<std::string, int> expected = all(attacks, EEXIST);
	expected["open(O_CREAT|O_TRUNC)"] = EACCES;
	expected["open(O_CREAT)"] = EACCES;
	expected["rename"] = EACCES;
	expected["rename(EXCHANGE)"] = ENOENT;
	expect_refused(attacks, expected);
}

// --- readonly attached to docs/ -------------------------------------------

TEST_P(GuardTest, ReadonlyRefusesMovesAndLinksIntoAndOutOfItsSubtree)
{
	mount({});
	cli({"attach", mnt("/docs"), "--filter", READONLY_OBJ});
	auto attacks = onto(mnt("/docs/new"), mnt("/pub/src"));
	std::map<std::string, int> expected = all(attacks, EROFS);
	expected["rename(EXCHANGE)"] = ENOENT; // the kernel's: docs/new does not exist
	expect_refused(attacks, expected);
	// An exchange with an entry of the subtree, moves and links out of it.
	auto out = out_of(mnt("/docs/notes.md"), mnt("/pub/stolen"), mnt("/pub/src"));
	expect_refused(out, all(out, EROFS));
}

TEST_P(GuardTest, ReadonlyLeavesTheRestWritable)
{
	mount({});
	cli({"attach", mnt("/docs"), "--filter", READONLY_OBJ});
	EXPECT_EQ(run({"rename", [&] { return rename2_call(mnt("/pub/src"), mnt("/pub/x"), 0); }}),
	          (sys_result{0, 0}));
	EXPECT_EQ(
	    run({"link", [&] { return sys(::link(mnt("/pub/x").c_str(), mnt("/y").c_str())); }}),
	    (sys_result{0, 0}));
	EXPECT_EQ(read_file(backing_ + "/y"), "attacker's /pub/src\n");
}

// --- errno-remap: hidden-* names ------------------------------------------

TEST_P(GuardTest, ErrnoRemapNeitherRevealsNorTouchesHiddenNames)
{
	ASSERT_TRUE(write_file(backing_ + "/docs/hidden-report", "hidden\n", 0666));
	mount({"--filter", ERRNO_REMAP_OBJ});
	auto attacks = onto(mnt("/docs/hidden-report"), mnt("/pub/src"));
	// EEXIST remapped to EPERM; the guard's EACCES for ops that would open
	// or replace; the kernel's ENOENT for the exchange.
	std::map<std::string, int> expected = all(attacks, EPERM);
	expected["open(O_CREAT|O_TRUNC)"] = EACCES;
	expected["open(O_CREAT)"] = EACCES;
	expected["rename"] = EACCES;
	expected["rename(EXCHANGE)"] = ENOENT;
	expect_refused(attacks, expected);
}

// --- uid-policy: data/<uid's own dir> -------------------------------------

class UidPolicyGuard : public GuardTest {};

TEST_P(UidPolicyGuard, NobodyReachesNoOtherDataDirectory)
{
	for (const char *d : {"/data", "/data/app1001", "/data/app65534"}) {
		ASSERT_EQ(::mkdir((backing_ + d).c_str(), 0777), 0);
		::chmod((backing_ + d).c_str(), 0777);
	}
	ASSERT_TRUE(write_file(backing_ + "/data/app1001/prefs", "1001\n", 0666));
	ASSERT_TRUE(write_file(backing_ + "/data/app65534/own", "mine\n", 0666));
	ASSERT_EQ(::chown((backing_ + "/data/app65534/own").c_str(), 65534, 65534), 0);
	mount({"--filter", UID_POLICY_OBJ}, "entry_timeout=0");
	cli({"map", "set", mnt(""), "uid_dir", "1001", "app1001"});
	cli({"map", "set", mnt(""), "uid_dir", "65534", "app65534"});
	for (const char *target : {"/data/app1001/new", "/data/app1001/prefs", "/data/intruder"}) {
		SCOPED_TRACE(target);
		auto attacks = onto(mnt(target), mnt("/pub/src"));
		expect_refused(attacks, all(attacks, EACCES));
	}
	auto out = out_of(mnt("/data/app1001/prefs"), mnt("/pub/stolen"), mnt("/pub/src"));
	expect_refused(out, all(out, EACCES));

	// Ops denied to the uid fail on either side of a move or link: rename
	// (bit 13) and link (bit 14) out of its own directory.
	cli({"map", "set", mnt(""), "uid_deny_ops", "65534", "0x6000"});
	auto own = out_of(mnt("/data/app65534/own"), mnt("/pub/moved"), mnt("/pub/src"));
	expect_refused(own, all(own, EACCES));
	auto in = std::vector<attack>{
	    {"rename in",
	     [&] { return rename2_call(mnt("/pub/src"), mnt("/data/app65534/x"), 0); }},
	    {"link in", [&] {
		     return sys(::link(mnt("/pub/src").c_str(), mnt("/data/app65534/y").c_str()));
	     }}};
	expect_refused(in, all(in, EACCES));
}

// --- quota attached to budget/ --------------------------------------------

TEST_P(GuardTest, QuotaRefusesBytesBroughtIntoItsTree)
{
	ASSERT_EQ(::mkdir((backing_ + "/budget").c_str(), 0777), 0);
	::chmod((backing_ + "/budget").c_str(), 0777);
	ASSERT_TRUE(write_file(backing_ + "/budget/small", "s\n", 0666));
	ASSERT_TRUE(write_file(backing_ + "/pub/big", std::string(64 * 1024, 'b'), 0666));
	ASSERT_EQ(::chown((backing_ + "/pub/big").c_str(), 65534, 65534), 0);
	mount({});
	std::string table = "guards-quota-" + std::to_string(::getpid());
	cli({"attach", mnt("/budget"), "--filter", QUOTA_OBJ, "--name", table});
	cli({"map", "set", table, "quota", "0", "4096"});
	struct stat st;
	ASSERT_EQ(::stat(mnt("/budget/small").c_str(), &st), 0); // the filter learns it
	std::vector<attack> attacks{
	    {"rename in", [&] { return rename2_call(mnt("/pub/big"), mnt("/budget/big"), 0); }},
	    {"rename(NOREPLACE) in",
	     [&] { return rename2_call(mnt("/pub/big"), mnt("/budget/big"), RENAME_NOREPLACE); }},
	    {"rename(EXCHANGE) in",
	     [&] { return rename2_call(mnt("/pub/big"), mnt("/budget/small"), RENAME_EXCHANGE); }},
	    {"link in",
	     [&] { return sys(::link(mnt("/pub/big").c_str(), mnt("/budget/big").c_str())); }},
	};
	expect_refused(attacks, all(attacks, EXDEV));
	// Within the tree an entry the filter saw moves, and its record with it.
	EXPECT_EQ(
	    run({"rename within",
	         [&] { return rename2_call(mnt("/budget/small"), mnt("/budget/small2"), 0); }}),
	    (sys_result{0, 0}));
	EXPECT_EQ(
	    run({"rename again",
	         [&] { return rename2_call(mnt("/budget/small2"), mnt("/budget/small3"), 0); }}),
	    (sys_result{0, 0}));
	EXPECT_EQ(read_file(backing_ + "/budget/small3"), "s\n");
}

INSTANTIATE_TEST_SUITE_P(As, GuardTest, ::testing::Values(who::root, who::nobody),
                         [](const auto &p) { return p.param == who::root ? "root" : "nobody"; });
// uid-policy exempts root by design (its root_exempt knob): only 65534 attacks.
INSTANTIATE_TEST_SUITE_P(As, UidPolicyGuard, ::testing::Values(who::nobody),
                         [](const auto &) { return "nobody"; });

} // namespace
} // namespace fusebpf::test
