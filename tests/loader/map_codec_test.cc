// SPDX-License-Identifier: GPL-2.0-or-later
//
// `fusebpf map`'s typed keys and values (cli/map_codec.h) on BTF built in
// memory: integers at a limit of their type, structs member by member and
// as ranges, for people and (--json) raw, and typed back the same ways.
#include "cli/map_codec.h"

#include <bpf/btf.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace fusebpf::cli {
namespace {

struct btf_deleter {
	void operator()(struct btf *b) const { btf__free(b); }
};

struct codec : ::testing::Test {
	std::unique_ptr<struct btf, btf_deleter> b{btf__new_empty()};
	int u32 = 0, s64 = 0, u8 = 0, name16 = 0;

	void SetUp() override
	{
		ASSERT_TRUE(b);
		u32 = btf__add_int(b.get(), "unsigned int", 4, 0);
		s64 = btf__add_int(b.get(), "long", 8, BTF_INT_SIGNED);
		u8 = btf__add_int(b.get(), "char", 1, 0);
		name16 = btf__add_array(b.get(), u32, u8, 16);
		ASSERT_GT(name16, 0);
	}

	// struct NAME { u32 A; u32 B; }
	int pair(const char *name, const char *a, const char *bname)
	{
		int id = btf__add_struct(b.get(), name, 8);
		btf__add_field(b.get(), a, u32, 0, 0);
		btf__add_field(b.get(), bname, u32, 32, 0);
		return id;
	}

	std::vector<unsigned char> typed(const map_field &f, const std::string &text)
	{
		std::vector<unsigned char> out;
		auto err = encode(f, text, out);
		EXPECT_FALSE(err) << text << ": " << *err;
		return out;
	}

	std::string people(const map_field &f, const std::string &text)
	{
		return decode(f, typed(f, text).data(), decode_style::people);
	}
	std::string raw(const map_field &f, const std::string &text)
	{
		return decode(f, typed(f, text).data(), decode_style::raw);
	}
};

TEST_F(codec, IntegersAtALimitShowAsItsName)
{
	map_field f = field_of(b.get(), u32, 4);
	EXPECT_EQ(f.describe(), "u32");
	EXPECT_EQ(people(f, "4294967295"), "U32_MAX");
	EXPECT_EQ(people(f, "U32_MAX"), "U32_MAX");
	EXPECT_EQ(raw(f, "U32_MAX"), "4294967295"); // --json: the number
	EXPECT_EQ(people(f, "4294967294"), "4294967294");
	EXPECT_EQ(people(f, "1001"), "1001"); // identifiers are not grouped
	map_field s = field_of(b.get(), s64, 8);
	EXPECT_EQ(people(s, "-9223372036854775808"), "S64_MIN");
	EXPECT_EQ(people(s, "s64_max"), "S64_MAX");
	EXPECT_EQ(people(s, "-1"), "-1");
	std::vector<unsigned char> out;
	auto err = encode(f, "U64_MAX", out);
	ASSERT_TRUE(err);
	EXPECT_NE(err->find("a limit such as U32_MAX"), std::string::npos) << *err;
}

TEST_F(codec, ARangeStructShowsAsLoDotDotHi)
{
	map_field f = field_of(b.get(), pair("uid_range", "lo", "hi"), 8);
	ASSERT_EQ(f.k, map_field::kind::fields);
	EXPECT_TRUE(f.is_range);
	EXPECT_EQ(f.describe(), "{lo:u32,hi:u32}");
	EXPECT_EQ(people(f, "0..U32_MAX"), "0..U32_MAX");
	EXPECT_EQ(people(f, "1000..1999"), "1000..1999");
	EXPECT_EQ(people(f, "hi=4294967295,lo=0"), "0..U32_MAX");
	EXPECT_EQ(people(f, "00000000ffffffff"), "0..U32_MAX"); // hex is still taken
	EXPECT_EQ(raw(f, "0..U32_MAX"), "00000000ffffffff");    // --json: hex, as before
	std::vector<unsigned char> out;
	auto err = encode(f, "0..-1", out);
	ASSERT_TRUE(err);
	EXPECT_NE(err->find("hi: '-1' is negative"), std::string::npos) << *err;
}

TEST_F(codec, OtherStructsShowMemberByMember)
{
	int id = btf__add_struct(b.get(), "dev_name", 24);
	btf__add_field(b.get(), "dev", s64, 0, 0);
	btf__add_field(b.get(), "name", name16, 64, 0);
	map_field f = field_of(b.get(), id, 24);
	ASSERT_EQ(f.k, map_field::kind::fields);
	EXPECT_FALSE(f.is_range);
	EXPECT_EQ(f.describe(), "{dev:s64,name:string[16]}");
	EXPECT_EQ(people(f, "dev=3,name=log"), "dev=3,name=log");
	EXPECT_EQ(people(f, "name=log"), "dev=0,name=log"); // members not named stay 0
	EXPECT_EQ(people(f, "dev=S64_MIN,name="), "dev=S64_MIN,name=");
	std::vector<unsigned char> out;
	auto err = encode(f, "size=3", out);
	ASSERT_TRUE(err);
	EXPECT_EQ(*err, "'size' is not a member of {dev:s64,name:string[16]}");
	err = encode(f, "0..5", out);
	ASSERT_TRUE(err);
	EXPECT_NE(err->find("is not NAME=VALUE,... of"), std::string::npos) << *err;
}

TEST_F(codec, TwoIntegersNotNamedAsARangeAreMembers)
{
	map_field f = field_of(b.get(), pair("point", "x", "y"), 8);
	ASSERT_EQ(f.k, map_field::kind::fields);
	EXPECT_FALSE(f.is_range);
	EXPECT_EQ(people(f, "x=1,y=U32_MAX"), "x=1,y=U32_MAX");
}

TEST_F(codec, BitfieldsAndNestedStructsStayHex)
{
	int inner = pair("inner", "lo", "hi");
	int outer = btf__add_struct(b.get(), "outer", 12);
	btf__add_field(b.get(), "r", inner, 0, 0);
	btf__add_field(b.get(), "n", u32, 64, 0);
	map_field f = field_of(b.get(), outer, 12);
	EXPECT_EQ(f.k, map_field::kind::bytes);
	EXPECT_EQ(people(f, "0102030405060708090a0b0c"), "0102030405060708090a0b0c");
	int bits = btf__add_struct(b.get(), "bits", 4);
	btf__add_field(b.get(), "a", u32, 0, 3);
	btf__add_field(b.get(), "b", u32, 3, 29);
	EXPECT_EQ(field_of(b.get(), bits, 4).k, map_field::kind::bytes);
}

} // namespace
} // namespace fusebpf::cli
