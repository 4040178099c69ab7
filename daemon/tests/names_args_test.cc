// SPDX-License-Identifier: GPL-2.0-or-later
//
// validate_name() and arg_reader: the parsing every handler relies on.
#include "daemon/fuse/request.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

using namespace fusebpf::daemon;

TEST(ValidateName, AcceptsOrdinaryNames)
{
	EXPECT_EQ(validate_name("a"), 0);
	EXPECT_EQ(validate_name("..."), 0);
	EXPECT_EQ(validate_name(".hidden"), 0);
	EXPECT_EQ(validate_name(std::string(NAME_MAX, 'x')), 0);
}

TEST(ValidateName, RefusesWhatCouldEscapeOrIsMalformed)
{
	EXPECT_EQ(validate_name(""), EINVAL);
	EXPECT_EQ(validate_name("."), EINVAL);
	EXPECT_EQ(validate_name(".."), EINVAL);
	EXPECT_EQ(validate_name("a/b"), EINVAL);
	EXPECT_EQ(validate_name("/"), EINVAL);
	EXPECT_EQ(validate_name("../etc"), EINVAL);
	EXPECT_EQ(validate_name(std::string_view("a\0b", 3)), EINVAL);
	EXPECT_EQ(validate_name(std::string(NAME_MAX + 1, 'x')), ENAMETOOLONG);
}

namespace {

std::vector<std::byte> bytes_of(const void *p, size_t n)
{
	std::vector<std::byte> v(n);
	std::memcpy(v.data(), p, n);
	return v;
}

} // namespace

TEST(ArgReader, StructThenNames)
{
	struct fuse_rename_in in = {42};
	auto buf = bytes_of(&in, sizeof(in));
	const char names[] = "old\0new";
	auto tail = bytes_of(names, sizeof(names));
	buf.insert(buf.end(), tail.begin(), tail.end());
	arg_reader r(buf);
	const auto *got = r.get<fuse_rename_in>();
	ASSERT_NE(got, nullptr);
	EXPECT_EQ(got->newdir, 42u);
	std::string_view a, b;
	EXPECT_EQ(r.name(a), 0);
	EXPECT_EQ(r.name(b), 0);
	EXPECT_EQ(a, "old");
	EXPECT_EQ(b, "new");
	EXPECT_EQ(a.data()[a.size()], '\0');
	EXPECT_EQ(r.name(a), EINVAL); // nothing left
}

TEST(ArgReader, ShortStructAndUnterminatedString)
{
	const char raw[] = {'a', 'b', 'c'};
	auto buf = bytes_of(raw, sizeof(raw));
	arg_reader r(buf);
	EXPECT_EQ(r.get<fuse_rename_in>(), nullptr);
	std::string_view s;
	EXPECT_FALSE(r.string(s));
	EXPECT_EQ(r.name(s), EINVAL);
}

TEST(ArgReader, BadNameIsRefused)
{
	const char raw[] = "..";
	auto buf = bytes_of(raw, sizeof(raw));
	arg_reader r(buf);
	std::string_view s;
	EXPECT_EQ(r.name(s), EINVAL);
}

TEST(ArgReader, CompatStructIsZeroFilled)
{
	uint32_t small[2] = {5, 6}; // an old 8-byte fuse_setxattr_in
	auto buf = bytes_of(small, sizeof(small));
	arg_reader r(buf);
	fuse_setxattr_in in;
	ASSERT_TRUE(r.get_compat(in, FUSE_COMPAT_SETXATTR_IN_SIZE));
	EXPECT_EQ(in.size, 5u);
	EXPECT_EQ(in.flags, 6u);
	EXPECT_EQ(in.setxattr_flags, 0u);
	EXPECT_TRUE(r.rest().empty());
}

TEST(ArgReader, Bytes)
{
	const char raw[] = "0123456789";
	auto buf = bytes_of(raw, 10);
	arg_reader r(buf);
	std::span<const std::byte> out;
	EXPECT_TRUE(r.bytes(4, out));
	EXPECT_EQ(out.size(), 4u);
	EXPECT_FALSE(r.bytes(7, out));
	EXPECT_TRUE(r.bytes(6, out));
	EXPECT_TRUE(r.rest().empty());
}
