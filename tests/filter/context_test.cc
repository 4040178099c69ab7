// SPDX-License-Identifier: GPL-2.0-or-later
//
// context.h: wire <-> filter context conversions, above all the checks on
// what a filter wrote back (names, buffer sizes, dirent batches).
#include "daemon/filter/context.h"

#include <gtest/gtest.h>

#include <string>

namespace fl = fusebpf::filter;

namespace {

TEST(Context, FillMetaFromTheHeader)
{
	fuse_in_header h{};
	h.nodeid = 5;
	h.unique = 9;
	h.opcode = FUSE_MKDIR;
	h.uid = 1;
	h.gid = 2;
	h.pid = 3;
	fusebpf_meta m{};
	m.error_in = -1;
	fl::fill_meta(m, h);
	EXPECT_EQ(m.nodeid, 5u);
	EXPECT_EQ(m.unique, 9u);
	EXPECT_EQ(m.opcode, static_cast<__u32>(FUSE_MKDIR));
	EXPECT_EQ(m.error_in, 0);
	EXPECT_EQ(m.uid + m.gid + m.pid, 6u);
	EXPECT_EQ(m.abi_version, static_cast<__u32>(FUSEBPF_ABI_VERSION));
}

TEST(Context, NamesRoundTripAndRewritesAreChecked)
{
	fusebpf_name n;
	std::memset(&n, 0xff, sizeof(n));
	ASSERT_EQ(fl::set_name(n, "file"), 0);
	EXPECT_EQ(n.name[4], '\0');
	EXPECT_EQ(n.name[FUSEBPF_NAME_MAX], '\0') << "zero padded";
	std::string_view v;
	ASSERT_EQ(fl::name_of(n, v), 0);
	EXPECT_EQ(v, "file");
	EXPECT_EQ(fl::set_name(n, std::string(256, 'a')), ENAMETOOLONG);

	n.len = 300; // a filter wrote nonsense
	EXPECT_EQ(fl::name_of(n, v), ENAMETOOLONG);
	n.len = 0;
	EXPECT_EQ(fl::name_of(n, v), EINVAL);
	ASSERT_EQ(fl::set_name(n, "a/b"), 0);
	EXPECT_EQ(fl::name_of(n, v), EINVAL);
	ASSERT_EQ(fl::set_name(n, ".."), 0);
	EXPECT_EQ(fl::name_of(n, v), EINVAL);
	ASSERT_EQ(fl::set_name(n, "abc"), 0);
	n.name[1] = '\0';
	EXPECT_EQ(fl::name_of(n, v), EINVAL);
	// A rewrite that shortens the name: len wins, the tail is cut off.
	ASSERT_EQ(fl::set_name(n, "abcdef"), 0);
	n.len = 2;
	ASSERT_EQ(fl::name_of(n, v), 0);
	EXPECT_EQ(v, "ab");
	EXPECT_EQ(v.data()[2], '\0') << "NUL-terminated for *at() calls";
}

TEST(Context, XattrBuffersTruncateAndRefuseOversizedRewrites)
{
	fusebpf_xattr_value val;
	std::string small = "hello";
	fl::set_xattr_bytes(val, std::as_bytes(std::span(small)));
	EXPECT_EQ(val.size, 5u);
	EXPECT_EQ(val.flags, 0u);
	std::span<const std::byte> out;
	ASSERT_TRUE(fl::xattr_bytes_of(val, out));
	EXPECT_EQ(out.size(), 5u);

	std::string big(FUSEBPF_XATTR_VALUE_MAX + 10, 'x');
	fl::set_xattr_bytes(val, std::as_bytes(std::span(big)));
	EXPECT_EQ(val.size, big.size());
	EXPECT_EQ(val.flags, FUSEBPF_DATA_TRUNCATED);
	EXPECT_FALSE(fl::xattr_bytes_of(val, out)) << "the caller keeps the original bytes";
	val.size = 3; // the filter shrank it: usable
	ASSERT_TRUE(fl::xattr_bytes_of(val, out));
	EXPECT_EQ(out.size(), 3u);
}

TEST(Context, DirentBatches)
{
	fusebpf_dirent_batch b{};
	for (int i = 0; i < FUSEBPF_READDIR_BATCH; i++)
		ASSERT_TRUE(fl::dirent_batch_add(b, "e" + std::to_string(i), 100 + i, 8, i + 1));
	EXPECT_FALSE(fl::dirent_batch_add(b, "full", 1, 8, 1));
	EXPECT_EQ(b.count, static_cast<__u32>(FUSEBPF_READDIR_BATCH));
	b.drop_mask = 1u << 3;
	std::string_view name;
	EXPECT_TRUE(fl::dirent_kept(b, 2, name));
	EXPECT_EQ(name, "e2");
	EXPECT_FALSE(fl::dirent_kept(b, 3, name)) << "dropped";
	b.entries[4].namelen = 999; // garbage from a filter
	EXPECT_FALSE(fl::dirent_kept(b, 4, name));
	b.entries[5].name[0] = '/';
	EXPECT_FALSE(fl::dirent_kept(b, 5, name));
	EXPECT_FALSE(fl::dirent_kept(b, FUSEBPF_READDIR_BATCH, name));
}

} // namespace
