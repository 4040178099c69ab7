// SPDX-License-Identifier: GPL-2.0-or-later
//
// dirent_packer: record layout, 8-byte padding, refusal when full.
#include "daemon/fuse/dirent_pack.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace fusebpf::daemon;

TEST(DirentPack, Sizes)
{
	EXPECT_EQ(dirent_record_size(1), 32u); // 24 + 1 -> 32
	EXPECT_EQ(dirent_record_size(8), 32u); // 24 + 8
	EXPECT_EQ(dirent_record_size(9), 40u);
	EXPECT_EQ(direntplus_record_size(1), 160u); // 152 + 1 -> 160
	EXPECT_EQ(direntplus_record_size(8), 160u);
}

TEST(DirentPack, LayoutOfOneRecord)
{
	std::vector<std::byte> buf(64, std::byte{0xff});
	dirent_packer p(buf);
	ASSERT_TRUE(p.add("abc", 77, 8, 1234));
	EXPECT_EQ(p.used(), 32u);
	fuse_dirent d;
	std::memcpy(&d, buf.data(), FUSE_NAME_OFFSET);
	EXPECT_EQ(d.ino, 77u);
	EXPECT_EQ(d.off, 1234u);
	EXPECT_EQ(d.namelen, 3u);
	EXPECT_EQ(d.type, 8u);
	EXPECT_EQ(std::memcmp(buf.data() + FUSE_NAME_OFFSET, "abc", 3), 0);
	for (size_t i = FUSE_NAME_OFFSET + 3; i < 32; i++)
		EXPECT_EQ(buf[i], std::byte{0}) << "padding byte " << i;
}

TEST(DirentPack, StopsWhenFull)
{
	std::vector<std::byte> buf(70);
	dirent_packer p(buf);
	EXPECT_TRUE(p.add("a", 1, 8, 1));
	EXPECT_TRUE(p.add("b", 2, 8, 2));
	EXPECT_FALSE(p.add("c", 3, 8, 3)); // 96 > 70
	EXPECT_EQ(p.used(), 64u);
}

TEST(DirentPack, PlusRecordCarriesTheEntry)
{
	std::vector<std::byte> buf(400);
	dirent_packer p(buf);
	fuse_entry_out e = {};
	e.nodeid = 5;
	e.attr.ino = 99;
	e.attr.mode = 0100644;
	EXPECT_TRUE(p.fits_plus("file"));
	ASSERT_TRUE(p.add_plus("file", e, 8, 17));
	EXPECT_EQ(p.used(), 160u);
	fuse_direntplus d;
	std::memcpy(&d, buf.data(), FUSE_NAME_OFFSET_DIRENTPLUS);
	EXPECT_EQ(d.entry_out.nodeid, 5u);
	EXPECT_EQ(d.dirent.ino, 99u);
	EXPECT_EQ(d.dirent.off, 17u);
	EXPECT_EQ(d.dirent.namelen, 4u);
	EXPECT_EQ(std::memcmp(buf.data() + FUSE_NAME_OFFSET_DIRENTPLUS, "file", 4), 0);
	EXPECT_TRUE(p.add_plus("x", e, 8, 18));
	EXPECT_FALSE(p.fits_plus("y"));
	EXPECT_FALSE(p.add_plus("y", e, 8, 19));
}
