// SPDX-License-Identifier: GPL-2.0-or-later
//
// redact_test: examples/redact through a real mount.  Reads of *.secret
// files come back with digit runs of 4+ masked (by the user filter the BPF
// read prefilter sends them to), also after `ls -l` has listed the directory
// (READDIRPLUS must not let a file skip the lookup filter that marks it);
// the backing file keeps its content; other files read unchanged and never
// reach the user filter (its READ postfilter counter in `fusebpf stats`).
// Cleans up (unmount, unload) in the fixture.
#include "tests/support/fs.h"
#include "tests/examples/common/example_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace {

using fusebpf::test::read_text;

const std::string secret_text = "card 4111 1111 1111 1111\npin 1234, room 42\nid 998877665544\n";
const std::string masked_text = "card **** **** **** ****\npin ****, room 42\nid ************\n";
const std::string plain_text = "call 555-1234 or 0800123456\n";

// `ls -l`: a listing (READDIRPLUS) and a stat of every entry.
void list_long(const std::string &dir)
{
	if (DIR *d = opendir(dir.c_str())) {
		while (dirent *e = readdir(d)) {
			struct stat st;
			stat((dir + "/" + e->d_name).c_str(), &st);
		}
		closedir(d);
	}
}

class Redact : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(table_.load(FILTER_OBJ, "ex_redact"), "");
		backing_ = dir_.subdir("backing");
		std::ofstream(backing_ + "/cards.secret") << secret_text;
		std::ofstream(backing_ + "/listed.secret") << secret_text;
		std::ofstream(backing_ + "/notes.txt") << plain_text;
		fs_ = std::make_unique<fusebpf::test::mounted_fs>(
		    backing_, dir_.subdir("mnt"),
		    std::vector<std::string>{"--ops", std::to_string(table_.id()), "--user-filter",
		                             USER_FILTER_SO});
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}
	void TearDown() override
	{
		if (fs_)
			fs_->stop();
		EXPECT_EQ(table_.unload(), "");
	}
	std::string mnt(const std::string &rel) const { return fs_->mountpoint() + "/" + rel; }

	// READ ops the user filter's postfilter handled, per `fusebpf stats --json`.
	uint64_t user_postfilter_reads()
	{
		std::string why;
		auto stats = fusebpf::test::read_stats(fs_->mountpoint(), why);
		EXPECT_TRUE(stats) << why;
		if (!stats)
			return 0;
		const auto &read = (*stats)["ops"]["READ"];
		if (!read.contains("user"))
			return 0;
		return read["user"]["postfilter"].get<uint64_t>();
	}

	fusebpf::test::temp_dir dir_{"ex_redact"};
	fusebpf::test::example_table table_;
	std::string backing_;
	std::unique_ptr<fusebpf::test::mounted_fs> fs_;
};

TEST_F(Redact, SecretFilesAreMaskedOthersAreNot)
{
	EXPECT_EQ(read_text(mnt("cards.secret")), masked_text);
	EXPECT_EQ(read_text(backing_ + "/cards.secret"), secret_text);
	uint64_t after_secret = user_postfilter_reads();
	EXPECT_GE(after_secret, 1u);

	EXPECT_EQ(read_text(mnt("notes.txt")), plain_text);
	EXPECT_EQ(user_postfilter_reads(), after_secret) << "a plain file reached the user filter";
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

TEST_F(Redact, ListingFirstDoesNotBypassTheMask)
{
	list_long(fs_->mountpoint());
	EXPECT_EQ(read_text(mnt("listed.secret")), masked_text);
	struct stat st;
	ASSERT_EQ(stat(mnt("listed.secret").c_str(), &st), 0) << strerror(errno);
	EXPECT_EQ(static_cast<size_t>(st.st_size), secret_text.size()); // masking keeps the size
	EXPECT_EQ(fs_->stop(), "exit 0") << fs_->daemon_log();
}

} // namespace
