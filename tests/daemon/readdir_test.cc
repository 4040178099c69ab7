// SPDX-License-Identifier: GPL-2.0-or-later
//
// Directory reading through a real mount: getdents64 names and types match
// the backing dir (READDIR / READDIRPLUS), entries stat right afterwards, and
// a directory of 10,000 entries read with a small buffer over many getdents64
// calls returns every name exactly once.
#include "tests/daemon/fs_util.h"
#include "tests/daemon/mount_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace fusebpf::test {
namespace {

class Readdir : public mount_fixture {
protected:
	void prepare_backing() override
	{
		ASSERT_EQ(::mkdir(b("small").c_str(), 0755), 0);
		for (int i = 0; i < 40; i++)
			ASSERT_TRUE(write_file(b("small/file" + std::to_string(i)), "x"));
		ASSERT_EQ(::mkdir(b("small/sub").c_str(), 0755), 0);
		ASSERT_EQ(::symlink("file0", b("small/link").c_str()), 0);
		ASSERT_EQ(::mkfifo(b("small/fifo").c_str(), 0644), 0);
	}
};

class BigDir : public mount_fixture {
protected:
	void prepare_backing() override
	{
		ASSERT_EQ(::mkdir(b("big").c_str(), 0755), 0);
		for (int i = 0; i < 10000; i++) {
			// names of varying length, so record sizes vary across calls
			std::string name = "entry-" + std::to_string(i) + std::string(i % 37, 'z');
			int fd = ::open(b("big/" + name).c_str(), O_CREAT | O_WRONLY, 0644);
			ASSERT_GE(fd, 0);
			::close(fd);
		}
	}
};

std::map<std::string, unsigned char> by_name(const std::vector<dirent_info> &entries)
{
	std::map<std::string, unsigned char> out;
	for (auto &e : entries)
		out[e.name] = e.type;
	return out;
}

TEST_F(Readdir, NamesAndTypesMatchBacking)
{
	std::vector<dirent_info> via_mount, backing;
	ASSERT_EQ(getdents_all(m("small"), 65536, via_mount), (sys_result{0, 0}));
	ASSERT_EQ(getdents_all(b("small"), 65536, backing), (sys_result{0, 0}));
	EXPECT_EQ(via_mount.size(), backing.size());
	EXPECT_EQ(by_name(via_mount), by_name(backing));
	// every entry stats like its backing file (served from READDIRPLUS
	// attributes or fresh lookups)
	for (auto &e : via_mount) {
		if (e.name == "." || e.name == "..")
			continue;
		auto a = lattrs(m("small/" + e.name));
		ASSERT_TRUE(a) << e.name;
		EXPECT_EQ(*a, *lattrs(b("small/" + e.name))) << e.name;
	}
	auto s = stats();
	EXPECT_GT(requests(s, "READDIR") + requests(s, "READDIRPLUS"), 0);

	// rewinding reads the same entries again
	DIR *d = ::opendir(m("small").c_str());
	ASSERT_NE(d, nullptr);
	size_t first = 0, second = 0;
	while (::readdir(d))
		first++;
	::rewinddir(d);
	while (::readdir(d))
		second++;
	::closedir(d);
	EXPECT_EQ(first, backing.size());
	EXPECT_EQ(second, backing.size());

	// a directory that changes while it is listed still lists the new name
	ASSERT_TRUE(write_file(m("small/late"), ""));
	auto names = list_dir(m("small"));
	EXPECT_TRUE(std::find(names.begin(), names.end(), "late") != names.end());
	std::vector<dirent_info> tmp;
	EXPECT_EQ(getdents_all(m("small/file0"), 4096, tmp), (sys_result{-1, ENOTDIR}));
}

TEST_F(BigDir, TenThousandEntriesWithSmallBuffer)
{
	std::vector<dirent_info> entries;
	int calls = 0;
	ASSERT_EQ(getdents_all(m("big"), 4096, entries, &calls), (sys_result{0, 0}));
	EXPECT_GT(calls, 20) << "expected many getdents64 calls with a 4 KiB buffer";
	std::map<std::string, int> seen;
	for (auto &e : entries)
		seen[e.name]++;
	EXPECT_EQ(seen.size(), 10002u) << "distinct names (10,000 + . and ..)";
	for (int i = 0; i < 10000; i++) {
		std::string name = "entry-" + std::to_string(i) + std::string(i % 37, 'z');
		auto it = seen.find(name);
		if (it == seen.end()) {
			ADD_FAILURE() << "missing " << name;
			break;
		}
		if (it->second != 1) {
			ADD_FAILURE() << name << " returned " << it->second << " times";
			break;
		}
	}
	EXPECT_EQ(seen["."], 1);
	EXPECT_EQ(seen[".."], 1);
	EXPECT_EQ(entries.size(), 10002u);
	for (auto &e : entries) {
		if (e.name != "." && e.name != "..") {
			ASSERT_EQ(e.type, DT_REG) << e.name;
		}
	}
}

} // namespace
} // namespace fusebpf::test
