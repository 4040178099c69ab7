// SPDX-License-Identifier: GPL-2.0-or-later
//
// The CLI's numbers for people (cli/readable.h): digit groups from five
// digits on, seconds without trailing zeros, type limits by name and back.
#include "cli/readable.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace fusebpf::cli {
namespace {

TEST(Readable, CountsOfFiveDigitsOrMoreAreGroupedInThrees)
{
	EXPECT_EQ(count_text(0), "0");
	EXPECT_EQ(count_text(999), "999");
	EXPECT_EQ(count_text(9999), "9999");
	EXPECT_EQ(count_text(10000), "10,000");
	EXPECT_EQ(count_text(123456), "123,456");
	EXPECT_EQ(count_text(1048576), "1,048,576");
	EXPECT_EQ(count_text(4294967295u), "4,294,967,295");
	EXPECT_EQ(count_text(UINT64_MAX), "18,446,744,073,709,551,615");
}

TEST(Readable, SecondsDropTrailingZeros)
{
	EXPECT_EQ(seconds_text(10), "10");
	EXPECT_EQ(seconds_text(2.5), "2.5");
	EXPECT_EQ(seconds_text(0.125), "0.125");
	EXPECT_EQ(seconds_text(3.0000001), "3");
}

TEST(Readable, LimitsByNameForEachSizeAndSign)
{
	EXPECT_EQ(limit_name(0xff, 1, false), "U8_MAX");
	EXPECT_EQ(limit_name(0xffff, 2, false), "U16_MAX");
	EXPECT_EQ(limit_name(0xffffffff, 4, false), "U32_MAX");
	EXPECT_EQ(limit_name(UINT64_MAX, 8, false), "U64_MAX");
	EXPECT_EQ(limit_name(0x80000000, 4, true), "S32_MIN");
	EXPECT_EQ(limit_name(0x7fffffff, 4, true), "S32_MAX");
	EXPECT_EQ(limit_name(0x8000000000000000, 8, true), "S64_MIN");
	EXPECT_EQ(limit_name(0x7f, 1, true), "S8_MAX");
	// Only the value's own bytes count: a sign-extended S16_MIN is still one.
	EXPECT_EQ(limit_name(0xffffffffffff8000, 2, true), "S16_MIN");
	// Not limits: 0, -1 of a signed type, U32_MAX in a u64, odd sizes.
	EXPECT_FALSE(limit_name(0, 4, false));
	EXPECT_FALSE(limit_name(0xffffffff, 4, true));
	EXPECT_FALSE(limit_name(0xffffffff, 8, false));
	EXPECT_FALSE(limit_name(0xffffff, 3, false));
}

TEST(Readable, LimitNamesReadBack)
{
	EXPECT_EQ(limit_value("U32_MAX", 4, false), 0xffffffffu);
	EXPECT_EQ(limit_value("u64_max", 8, false), UINT64_MAX);
	EXPECT_EQ(limit_value("S16_MIN", 2, true), 0x8000u);
	EXPECT_EQ(limit_value("S16_MAX", 2, true), 0x7fffu);
	// A limit of another type is not taken: the size or sign must match.
	EXPECT_FALSE(limit_value("U32_MAX", 8, false));
	EXPECT_FALSE(limit_value("S32_MAX", 4, false));
	EXPECT_FALSE(limit_value("U32_MAX", 4, true));
	EXPECT_FALSE(limit_value("42", 4, false));
}

} // namespace
} // namespace fusebpf::cli
